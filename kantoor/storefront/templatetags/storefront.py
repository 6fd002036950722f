from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, translation
from django.utils.html import format_html

from kantoor.orders.statuses import DEFAULT_COLOURS, OrderStatus

register = template.Library()

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def money(amount, currency="EUR"):
    """An amount with 2 decimals and the currency sign, in the page's number format.

    en: €1,234.50 / -€5.00; nl: € 1.234,50 / € -5,00.
    """
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    sign = CURRENCY_SIGNS.get(currency or "EUR", f"{currency} ")
    number = formats.number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    minus = "-" if value < 0 else ""
    if translation.get_language() == "nl":
        return f"{sign}\u00a0{minus}{number}"
    return f"{minus}{sign}{number}"


@register.filter
def country_name(code):
    """NL → Netherlands (in the page's language); an unknown code stays as it is."""
    from kantoor.storefront.forms import COUNTRIES

    return dict(COUNTRIES).get(code, code)


@register.filter
def vat_rate(rate):
    """21.00 → 21%, 5.50 → 5.5%."""
    value = Decimal(str(rate)).normalize()
    text = formats.number_format(value, use_l10n=True)
    return f"{text}%"


@register.simple_tag
def status_badge(status):
    status = OrderStatus(int(status))
    background, text = DEFAULT_COLOURS.get(status, ("#f1f5f9", "#0f172a"))
    return format_html(
        '<span class="badge status-badge" style="background-color:{};color:{}">{}</span>',
        background,
        text,
        status.label,
    )


@register.inclusion_tag("storefront/includes/field.html")
def field(bound_field, extra_class=""):
    """A form field GOV.UK style: label, hint, error message, then the input."""
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        css = bound_field.field.widget.attrs.get("class", "")
        attrs["class"] = f"{css} is-invalid".strip()
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs=attrs),
        "extra_class": extra_class,
    }
