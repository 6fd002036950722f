from django import template
from django.utils.html import format_html

from kantoor.shops.document_statuses import StatusKind, order_status_code
from kantoor.shops.selectors import DEFAULT_APPEARANCES

register = template.Library()


def render_status_badge(status, *, kind: str = StatusKind.ORDER, appearances=None) -> str:
    """A status as a badge in the shop's colours and label (current language).

    ``status`` is an order status id (orders) or a status code (other document kinds);
    ``appearances`` is the shop's ``StatusAppearances`` (defaults when None).
    """
    code = order_status_code(status) if kind == StatusKind.ORDER else str(status)
    badge = (appearances or DEFAULT_APPEARANCES).badge(kind, code)
    # The colours: kantoor/shops/status_colours.py (a stylesheet; no inline style under the CSP).
    return format_html(
        '<span class="status-badge" data-status="{}-{}">{}</span>', kind, code, badge.label
    )


@register.simple_tag(takes_context=True)
def status_badge(context, status, kind: str = StatusKind.ORDER) -> str:
    """``{% status_badge order.status %}``: the one place that draws a status.

    The colours come from the shop of the page (context processor ``status_appearance``).
    """
    return render_status_badge(status, kind=kind, appearances=context.get("status_appearance"))
