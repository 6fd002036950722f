from django import template
from django.utils.html import format_html

from kantoor.orders.statuses import DEFAULT_COLOURS, OrderStatus

register = template.Library()


@register.simple_tag
def status_badge(status: int) -> str:
    """An order status as a badge in its colours: the one place that draws a status."""
    status = OrderStatus(int(status))
    background, text = DEFAULT_COLOURS[status]
    return format_html(
        '<span class="status-badge" style="background-color:{};color:{}">{}</span>',
        background,
        text,
        status.label,
    )
