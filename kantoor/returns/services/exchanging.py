"""An exchange: the shop sends the products that came back again, as a replacement order at
zero price (``place_order``: its own number, stock booked, its invoice of 0, the customer's
confirmation), linked to the return and, through it, to the original order."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kantoor.catalog.services import InsufficientStock
from kantoor.checkout.services import OrderItem, customer_details_of, place_order
from kantoor.core.actors import Actor
from kantoor.core.money import ZERO
from kantoor.messaging.models import MessageKind
from kantoor.orders.errors import OrderError
from kantoor.orders.models import Order
from kantoor.returns.errors import ReturnError
from kantoor.returns.models import HANDLED_RETURN_STATUSES, ReturnLine, ReturnRequest, ReturnStatus
from kantoor.returns.notifications import queue_return_message
from kantoor.returns.services.handling import clean_note, locked_return, move_return, refuse_unless
from kantoor.shops.models import Shop


def exchange_return(
    *, shop: Shop, return_id: int, actor: Actor, note: str = "", notify_customer: bool = True
) -> tuple[ReturnRequest, Order]:
    """Send what arrived of the return again, at no charge and without shipping cost, to the
    order's delivery address (``notify_customer`` False: no e-mails at all, not even the
    replacement's confirmation). The return is completed and names its replacement order; a
    product that is no longer sold or not in stock is refused by name, and nothing is written."""
    note = clean_note(note)
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            HANDLED_RETURN_STATUSES,
            _("Return %(number)s can be exchanged once it is approved and has arrived."),
        )
        lines = list(
            ReturnLine.objects.filter(return_request=request, quantity_received__gt=0)
            .select_related("order_line__product")
            .order_by("pk")
        )
        if not lines:
            raise ReturnError(
                _("Nothing of return %(number)s has arrived: receive it before you exchange.")
                % {"number": request.number},
                code="nothing_received",
            )
        for line in lines:
            if line.order_line.product_id is None:
                raise ReturnError(
                    _("%(name)s is no product of the catalogue: it cannot be sent again.")
                    % {"name": line.order_line.name},
                    code="not_a_product",
                )
        original = request.order
        try:
            replacement = place_order(
                shop=shop,
                details=customer_details_of(original),
                items=[
                    OrderItem(
                        product_id=line.order_line.product_id,
                        quantity=line.quantity_received,
                        agreed_price=ZERO,
                    )
                    for line in lines
                ],
                shipping_method=original.shipping_method,
                actor=actor,
                account=None,
                shipping_fee=ZERO,
                notify_customer=notify_customer,
            )
        except InsufficientStock as short:
            raise ReturnError(str(short), code="insufficient_stock") from short
        except OrderError as refused:
            raise ReturnError(
                _("The replacement cannot be ordered: %(reason)s") % {"reason": refused},
                code="not_orderable",
            ) from refused
        request.replacement_order = replacement
        request.save(update_fields=["replacement_order"])
        move_return(
            request,
            to=ReturnStatus.COMPLETED,
            actor=actor,
            note=note,
            close=True,
            replacement=replacement.number,
        )
        if notify_customer:
            queue_return_message(return_request=request, kind=MessageKind.RETURN_PROCESSED)
    return request, replacement
