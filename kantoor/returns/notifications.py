"""The e-mails a return causes (requested, approved, rejected, received, processed) and the
template values messaging adds for them: the return's lines, the shop's message to the
customer, the page to follow the return on and the address to send the goods to.

``queue_return_message`` writes to the outbox in the caller's transaction. ``register`` (from
``ReturnsConfig.ready``) gives messaging the values."""

from __future__ import annotations

from django.utils import translation

from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import queue_message
from kantoor.returns.links import return_page_url
from kantoor.returns.models import ReturnLine, ReturnRequest

RETURN_KINDS = frozenset(
    {
        MessageKind.RETURN_REQUESTED,
        MessageKind.RETURN_APPROVED,
        MessageKind.RETURN_REJECTED,
        MessageKind.RETURN_RECEIVED,
        MessageKind.RETURN_PROCESSED,
    }
)


def queue_return_message(*, return_request: ReturnRequest, kind: str) -> Message:
    """An e-mail about the return to the customer, in the language of the order."""
    order = return_request.order
    return queue_message(
        shop_id=return_request.shop_id,
        kind=kind,
        to=return_request.email,
        language=return_request.language,
        order=order,
        customer_id=order.customer_id,
        data={"return_id": return_request.pk, "document_number": return_request.number},
    )


def _shop_address(shop) -> str:
    postcode_city = " ".join(part for part in (shop.postcode, shop.city) if part)
    return "\n".join(part for part in (shop.street, postcode_city) if part)


def _add_return_values(message: Message, context: dict) -> None:
    data = message.data if isinstance(message.data, dict) else {}
    return_id = data.get("return_id")
    if message.kind not in RETURN_KINDS or not isinstance(return_id, int):
        return
    found = ReturnRequest.objects.filter(shop_id=message.shop_id, pk=return_id).first()
    if found is None:
        return
    shop = message.shop
    language = message.language
    lines = ReturnLine.objects.filter(return_request=found).select_related(
        "order_line", "reason", "action"
    )
    with translation.override(language):
        context.update(
            {
                "document_number": found.number,
                "return_lines": [
                    {
                        "name": line.order_line.name,
                        "quantity": line.quantity,
                        "reason": line.reason.label_for(language),
                        "action": line.action.label_for(language),
                    }
                    for line in lines.order_by("pk")
                ],
                "return_note": found.staff_note,
                "return_link": return_page_url(
                    shop_slug=shop.slug, shop_id=shop.pk, return_id=found.pk
                ),
                "shop_address": _shop_address(shop),
            }
        )


def register() -> None:
    registry.register_context(_add_return_values)
