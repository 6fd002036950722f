from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from kantoor.orders.statuses import DEFAULT_COLOURS, OrderStatus

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """An amount with its currency, 2 decimals, grouped the way the current language writes it."""
    if amount is None:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    number = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{symbol}\u00a0{number}"


@register.simple_tag
def status_badge(status: int) -> str:
    """An order status as a badge in its colours (the shop's own colours come later)."""
    background, text = DEFAULT_COLOURS.get(status, ("#f1f5f9", "#0f172a"))
    label = OrderStatus(status).label if status in OrderStatus.values else str(status)
    return format_html(
        '<span class="kt-badge" style="background-color:{};color:{}">{}</span>',
        background,
        text,
        label,
    )
