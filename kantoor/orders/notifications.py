"""The e-mails an order causes and what messaging needs to render them.

``queue_order_confirmation`` and ``queue_status_message`` write to the outbox in the caller's
transaction. ``register`` (called from ``OrdersConfig.ready``) gives messaging the order's
template values and the timeline writer for message events.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone, translation

from kantoor.core.actors import Actor
from kantoor.core.money import format_money
from kantoor.core.statuses import OrderStatus
from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind, StatusMessageSetting
from kantoor.messaging.rendering import ORDER_VARIABLES
from kantoor.messaging.services import queue_message
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order
from kantoor.shops.selectors import status_appearances_for

TIMELINE_KINDS = {
    registry.QUEUED_AGAIN: OrderEventKind.MESSAGE_QUEUED,
    registry.SENT: OrderEventKind.MESSAGE_SENT,
    registry.FAILED: OrderEventKind.MESSAGE_FAILED,
}


def queue_order_confirmation(*, order: Order) -> Message:
    """The order confirmation, in the customer's language (one INSERT; rendered when sent)."""
    return queue_message(
        shop_id=order.shop_id,
        kind=MessageKind.ORDER_CONFIRMATION,
        to=order.email,
        language=order.language,
        order=order,
        customer_id=order.customer_id,
        at=order.created_at,
    )


def queue_status_message(*, order: Order, before: int, after: int) -> Message | None:
    """The status e-mail, when the shop chose to send one for the new status."""
    if not StatusMessageSetting.objects.filter(shop_id=order.shop_id, status=after).exists():
        return None
    return queue_message(
        shop_id=order.shop_id,
        kind=MessageKind.STATUS_CHANGED,
        to=order.email,
        language=order.language,
        order=order,
        customer_id=order.customer_id,
        data={"before": int(before), "after": int(after)},
    )


def _address(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def order_context(*, order, lines, shop, language: str, data: dict | None = None) -> dict:
    """The plain values a template about ``order`` may use (see ORDER_VARIABLES)."""
    data = data or {}
    with translation.override(language):
        # The shop's names of the statuses (a renamed status is named so to the customer too).
        labels = status_appearances_for(shop=shop)
        status = data.get("after", order.status)
        previous = data.get("before")
        created = timezone.localtime(order.created_at) if order.created_at else timezone.now()
        return {
            "shop_name": shop.name,
            "shop_email": shop.email,
            "shop_phone": shop.phone,
            "customer_name": order.customer_name or order.billing_name,
            "first_name": order.first_name,
            "company": order.company,
            "order_number": order.number,
            "order_date": formats.date_format(created, "SHORT_DATE_FORMAT"),
            "status": labels.order_status_label(OrderStatus(status), language),
            "previous_status": (
                labels.order_status_label(OrderStatus(previous), language) if previous else ""
            ),
            "total": format_money(order.total_gross, order.currency),
            "total_vat": format_money(order.total_vat, order.currency),
            "shipping_method": str(order.get_shipping_method_display()),
            "shipping_cost": format_money(order.shipping_cost, order.currency),
            "delivery_address": _address(
                order.delivery_name,
                order.delivery_company,
                order.delivery_street,
                f"{order.delivery_postcode} {order.delivery_city}".strip(),
            ),
            "billing_address": _address(
                order.billing_name,
                order.billing_company,
                order.billing_street,
                f"{order.billing_postcode} {order.billing_city}".strip(),
            ),
            "note": order.note,
            "lines": [
                {
                    "name": line.name,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": format_money(line.unit_price, order.currency),
                    "total": format_money(line.total_gross, order.currency),
                }
                for line in lines
            ],
            "document_number": str(data.get("document_number", "")),
            "payment_amount": (
                format_money(data["payment_amount"], order.currency)
                if data.get("payment_amount")
                else ""
            ),
        }


def example_context(*, shop, language: str) -> dict:
    """Made-up values for a preview when the shop has no order yet."""
    with translation.override(language):
        return {
            **{v.name: v.example for v in ORDER_VARIABLES if v.name != "lines"},
            "shop_name": shop.name,
            "shop_email": shop.email,
            "shop_phone": shop.phone,
            "order_date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
            "status": str(OrderStatus.SHIPPED.label),
            "previous_status": str(OrderStatus.NEW.label),
            "lines": [
                {
                    "name": "Fietsbel",
                    "sku": "BEL-01",
                    "quantity": 2,
                    "unit_price": format_money("12.99", "EUR"),
                    "total": format_money("25.98", "EUR"),
                }
            ],
        }


def _add_order_values(message: Message, context: dict) -> None:
    if message.order is None:
        return
    context.update(
        order_context(
            order=message.order,
            lines=list(message.order.lines.all()),
            shop=message.shop,
            language=message.language,
            data=message.data,
        )
    )


def _record_message_event(
    message: Message, outcome: str, actor: Actor, at: datetime.datetime, error: str
) -> None:
    if not message.order_id:
        return
    events.record(
        events.message_event(
            TIMELINE_KINDS[outcome],
            shop_id=message.shop_id,
            order_id=message.order_id,
            message_id=message.pk,
            message_kind=message.kind,
            to=message.to,
            subject=message.subject,
            actor=actor,
            at=at,
            error=error,
        )
    )


def register() -> None:
    registry.register_context(_add_order_values)
    registry.register_timeline(_record_message_event)
