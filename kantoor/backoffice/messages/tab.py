"""The order page's "Sent messages" tab and the timeline's sentences about messages.

Plugged into kantoor/backoffice/orders/tabs.py (tabs as data).
"""

from django.utils.translation import gettext as _

from kantoor.messaging.models import MessageKind
from kantoor.messaging.selectors import messages_for_order
from kantoor.orders.events import MESSAGE_KINDS, MessageRecorded, OrderEventKind
from kantoor.orders.models import Order, OrderEvent

MESSAGE_EVENT_KINDS = MESSAGE_KINDS


def messages_context(order: Order) -> dict:
    return {"order_messages": messages_for_order(shop=order.shop, order=order)}


def _kind_label(value) -> str:
    try:
        return str(MessageKind(value).label)
    except ValueError:
        return str(value)


def message_event_summary(
    event: OrderEvent, message: MessageRecorded
) -> tuple[str, str, list[str]]:
    """(icon, sentence, details) for a message event, e.g. "Order confirmation sent to …"."""
    values = {"what": _kind_label(message.kind), "to": message.to, "who": event.actor_label}
    details = [message.subject] if message.subject else []
    if event.kind == OrderEventKind.MESSAGE_SENT:
        return "mail-check", _("%(what)s sent to %(to)s") % values, details
    if event.kind == OrderEventKind.MESSAGE_FAILED:
        if message.error:
            details.append(message.error)
        return "mail-warning", _("%(what)s to %(to)s could not be delivered") % values, details
    return "send", _("%(what)s to %(to)s sent again by %(who)s") % values, details
