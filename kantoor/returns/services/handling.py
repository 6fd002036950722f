"""How the shop handles a return: approve or reject it, move it between its statuses, receive
the goods (back into stock, booked once), and resolve it: a refund (a credit invoice for what
arrived) or no money (repaired, rejected on inspection: completed with a note).

Every step locks the order first and then the return (the order of locks of ``request_return``
and the invoice services), writes one event on the order's timeline, and e-mails the customer
where the step concerns them (``notify_customer=False``: history seeded by seed_demo)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kantoor.catalog.models import MovementReason
from kantoor.catalog.services import StockChange, book_stock_movements, lock_products
from kantoor.core.actors import Actor
from kantoor.core.money import HUNDRED, round_money
from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.models import Invoice
from kantoor.invoices.services import issue_corrections
from kantoor.invoices.services.issuing import ProposedLine, invoiced_lines
from kantoor.messaging.models import MessageKind
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.orders.services import BulkStatusOutcome
from kantoor.returns.errors import ReturnError
from kantoor.returns.models import (
    HANDLED_RETURN_STATUSES,
    Reception,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from kantoor.returns.notifications import queue_return_message
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

MAX_NOTE = 2000
MAX_CONDITION = 300


def locked_return(*, shop: Shop, return_id: int) -> ReturnRequest:
    found = ReturnRequest.objects.filter(shop=shop, pk=return_id).only("order_id").first()
    if found is None:
        raise ReturnError(_("That return was not found in this shop."), code="not_found")
    order = lock_order(shop=shop, order_id=found.order_id)
    locked = ReturnRequest.objects.select_for_update().get(pk=return_id)
    locked.order = order
    return locked


def clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ReturnError(
            _("The message can be at most %(max)d characters.") % {"max": MAX_NOTE},
            field="note",
        )
    return note


def move_return(
    request: ReturnRequest,
    *,
    to: str,
    actor: Actor,
    note: str = "",
    close: bool = False,
    replacement: str = "",
) -> None:
    now = timezone.now()
    before = request.status
    request.status = to
    request.updated_at = now
    fields = ["status", "updated_at"]
    if note:
        request.staff_note = note
        fields.append("staff_note")
    if close:
        request.closed_at = now
        fields.append("closed_at")
    if before == ReturnStatus.NEW:
        request.decided_at = now
        fields.append("decided_at")
    request.save(update_fields=fields)
    events.record(
        events.return_event(
            OrderEventKind.RETURN_STATUS_CHANGED,
            shop_id=request.shop_id,
            order_id=request.order_id,
            number=request.number,
            actor=actor,
            at=now,
            before=before,
            after=to,
            note=note,
            replacement=replacement,
        )
    )


def refuse_unless(request: ReturnRequest, allowed, message: str) -> None:
    if request.status not in allowed:
        raise ReturnError(message % {"number": request.number}, code="wrong_status")


def approve_return(
    *, shop: Shop, return_id: int, actor: Actor, note: str = "", notify_customer: bool = True
) -> ReturnRequest:
    """New → processing; the customer is told where to send the goods (and ``note``)."""
    note = clean_note(note)
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request, {ReturnStatus.NEW}, _("Return %(number)s has been decided on already.")
        )
        move_return(request, to=ReturnStatus.PROCESSING, actor=actor, note=note)
        if notify_customer:
            queue_return_message(return_request=request, kind=MessageKind.RETURN_APPROVED)
    return request


def reject_return(
    *, shop: Shop, return_id: int, actor: Actor, note: str, notify_customer: bool = True
) -> ReturnRequest:
    """A return that was not received is cancelled, with a message to the customer why."""
    note = clean_note(note)
    if not note:
        raise ReturnError(_("Tell the customer why the return is rejected."), field="note")
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            {ReturnStatus.NEW, *HANDLED_RETURN_STATUSES},
            _("Return %(number)s is closed already."),
        )
        if request.received_at is not None:
            raise ReturnError(
                _("Return %(number)s has been received: complete it with a note instead.")
                % {"number": request.number},
                code="received",
            )
        move_return(request, to=ReturnStatus.CANCELLED, actor=actor, note=note, close=True)
        if notify_customer:
            queue_return_message(return_request=request, kind=MessageKind.RETURN_REJECTED)
    return request


def change_return_status(*, shop: Shop, return_id: int, status: str, actor: Actor) -> ReturnRequest:
    """Move an approved return between processing and the shop's own statuses."""
    if status not in HANDLED_RETURN_STATUSES:
        raise ReturnError(_("Choose one of the statuses in the list."), field="status")
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            HANDLED_RETURN_STATUSES,
            _("Return %(number)s cannot change status now: approve it first, or it is closed."),
        )
        if request.status != status:
            move_return(request, to=status, actor=actor)
    return request


@dataclass(frozen=True)
class ReceivedLine:
    """What arrived of one return line: ``quantity`` (0: nothing), whether it goes back into
    stock, and how it looked."""

    line_id: int
    quantity: int
    restock: bool
    condition: str = ""


def receive_return(
    *,
    shop: Shop,
    return_id: int,
    lines: Sequence[ReceivedLine],
    actor: Actor,
    notify_customer: bool = True,
) -> ReturnRequest:
    """Record what arrived, per line, once: a line received before is refused (so a double
    click books nothing twice). What goes back into stock is one StockMovement per product
    (reason "return restock", the return number as reference). The customer gets the
    "received" e-mail the first time anything of the return is received."""
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            HANDLED_RETURN_STATUSES,
            _("Approve return %(number)s before you receive it; a closed return stays closed."),
        )
        current = {
            line.pk: line
            for line in ReturnLine.objects.select_for_update()
            .filter(return_request=request)
            .select_related("order_line")
        }
        if not lines:
            raise ReturnError(_("Say for at least one line what arrived."), code="no_lines")
        received: list[tuple[ReturnLine, ReceivedLine]] = []
        for item in lines:
            line = current.get(item.line_id)
            if line is None:
                raise ReturnError(
                    _("Choose lines of return %(number)s.") % {"number": request.number}
                )
            if line.reception != Reception.AWAITING:
                raise ReturnError(
                    _("%(name)s of return %(number)s has been received already.")
                    % {"name": line.order_line.name, "number": request.number},
                    code="received_already",
                )
            if not 0 <= item.quantity <= line.quantity:
                raise ReturnError(
                    _("Between 0 and %(count)d of %(name)s can arrive.")
                    % {"count": line.quantity, "name": line.order_line.name},
                    field=f"line-{line.pk}-quantity",
                )
            if len(item.condition or "") > MAX_CONDITION:
                raise ReturnError(
                    _("The condition can be at most %(max)d characters.") % {"max": MAX_CONDITION},
                    field=f"line-{line.pk}-condition",
                )
            received.append((line, item))
        now = timezone.now()
        product_ids = {
            line.order_line.product_id
            for line, item in received
            if item.restock and item.quantity and line.order_line.product_id
        }
        products = lock_products(shop=shop, product_ids=product_ids)
        changes = []
        for line, item in received:
            line.quantity_received = item.quantity
            line.reception = Reception.RECEIVED if item.quantity else Reception.NOT_RECEIVED
            line.restocked = bool(item.restock and item.quantity and line.order_line.product_id)
            line.condition_note = (item.condition or "").strip()
            if line.restocked and line.order_line.product_id in products:
                changes.append(
                    StockChange(
                        product=products[line.order_line.product_id], quantity=item.quantity
                    )
                )
        ReturnLine.objects.bulk_update(
            [line for line, _item in received],
            ["quantity_received", "reception", "restocked", "condition_note"],
        )
        if changes:
            book_stock_movements(
                shop=shop,
                changes=changes,
                reason=MovementReason.RETURN_RESTOCK,
                reference=request.number,
                at=now,
            )
        first_time = request.received_at is None
        request.received_at = request.received_at or now
        request.updated_at = now
        request.save(update_fields=["received_at", "updated_at"])
        events.record(
            events.return_event(
                OrderEventKind.RETURN_RECEIVED,
                shop_id=shop.pk,
                order_id=request.order_id,
                number=request.number,
                actor=actor,
                at=now,
                lines=[
                    {
                        "name": line.order_line.name,
                        "quantity": line.quantity_received,
                        "restocked": line.restocked,
                    }
                    for line, _item in received
                ],
            )
        )
        if notify_customer and first_time and any(item.quantity for _line, item in received):
            queue_return_message(return_request=request, kind=MessageKind.RETURN_RECEIVED)
    return request


def _credit_lines(request: ReturnRequest, lines: Sequence[ReturnLine]) -> list[ProposedLine]:
    """Negative lines for what arrived, at the prices it was invoiced at (the order line's own
    price first, when the order was invoiced at several). What a return credit charged back
    (a restocking fee) is no price the goods were invoiced at."""
    return_credits = set(
        Invoice.objects.filter(order_id=request.order_id, for_returned_goods=True).values_list(
            "pk", flat=True
        )
    )
    open_per_price: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for invoiced in invoiced_lines(request.order_id):
        if invoiced.is_shipping or not invoiced.order_line_id:
            continue
        if invoiced.quantity > 0 and invoiced.invoice_id in return_credits:
            continue
        open_per_price[invoiced.order_line_id][invoiced.unit_price] += invoiced.quantity
    proposed = []
    for line in lines:
        left = line.quantity_received
        order_line = line.order_line
        prices = open_per_price[order_line.pk]
        for price in sorted(prices, key=lambda p: p != order_line.unit_price):
            take = min(left, prices[price])
            if take > 0:
                proposed.append(
                    ProposedLine(
                        description=order_line.name,
                        sku=order_line.sku,
                        quantity=-take,
                        unit_price=price,
                        vat_rate=order_line.vat_rate,
                        order_line_id=order_line.pk,
                    )
                )
                left -= take
        if left:
            raise ReturnError(
                _("%(name)s is not invoiced (any more) for %(count)d of the pieces that arrived.")
                % {"name": order_line.name, "count": left},
                code="not_invoiced",
            )
    return proposed


def creditable_shipping(order_id: int) -> list[ProposedLine]:
    """The shipping cost still invoiced on the order (what a refund may credit), as credit
    lines: per price it was invoiced at, the quantity not yet credited."""
    left: dict[tuple[Decimal, Decimal], int] = defaultdict(int)
    names: dict[tuple[Decimal, Decimal], str] = {}
    for invoiced in invoiced_lines(order_id):
        if invoiced.is_shipping:
            key = (invoiced.unit_price, invoiced.vat_rate)
            left[key] += invoiced.quantity
            names.setdefault(key, invoiced.description)
    return [
        ProposedLine(
            description=names[key],
            quantity=-count,
            unit_price=key[0],
            vat_rate=key[1],
            is_shipping=True,
        )
        for key, count in left.items()
        if count > 0 and key[0] > 0
    ]


def restocking_fee_lines(
    credited: Sequence[ProposedLine], *, percent: Decimal, language: str
) -> list[ProposedLine]:
    """What the shop keeps back of the credited goods: ``percent`` of each credited line, as a
    charge on the same order line (so it goes on the same credit invoice, at its VAT rate)."""
    if percent <= 0:
        return []
    fees = []
    with translation.override(language):
        for line in credited:
            fee = round_money(-line.quantity * line.unit_price * percent / HUNDRED)
            if fee > 0:
                fees.append(
                    ProposedLine(
                        description=_("Restocking fee %(percent)s%% on %(name)s")
                        % {
                            "percent": formats.localize(percent.normalize()),
                            "name": line.description,
                        },
                        quantity=1,
                        unit_price=fee,
                        vat_rate=line.vat_rate,
                        order_line_id=line.order_line_id,
                    )
                )
    return fees


def refund_return(
    *,
    shop: Shop,
    return_id: int,
    actor: Actor,
    note: str = "",
    credit_shipping: bool = False,
    charge_restocking_fee: bool = False,
    notify_customer: bool = True,
) -> tuple[ReturnRequest, list[Invoice]]:
    """A credit invoice (one per invoice it corrects) for what arrived of the return, through
    the invoice services, which never credit more than was invoiced. ``credit_shipping`` also
    credits the shipping cost still invoiced; ``charge_restocking_fee`` keeps the shop's
    restocking fee (a percentage, workflow settings) back of the goods. The return becomes
    *credited*. Paying the money back (through the payment provider, or by bank transfer) is
    the credit invoice's own step on the order's Invoices tab."""
    note = clean_note(note)
    percent = workflow_settings_for(shop=shop).return_restocking_fee_percent
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            HANDLED_RETURN_STATUSES,
            _("Return %(number)s can be refunded once it is approved and has arrived."),
        )
        lines = list(
            ReturnLine.objects.filter(return_request=request, quantity_received__gt=0)
            .select_related("order_line")
            .order_by("pk")
        )
        if not lines:
            raise ReturnError(
                _("Nothing of return %(number)s has arrived: receive it before you refund.")
                % {"number": request.number},
                code="nothing_received",
            )
        credited = _credit_lines(request, lines)
        proposed = list(credited)
        if charge_restocking_fee:
            proposed += restocking_fee_lines(
                credited, percent=percent, language=request.order.language
            )
        if credit_shipping:
            shipping = creditable_shipping(request.order_id)
            if not shipping:
                raise ReturnError(
                    _("The shipping cost of order %(number)s has been credited already.")
                    % {"number": request.order.number},
                    field="credit_shipping",
                )
            proposed += shipping
        try:
            credits = issue_corrections(
                shop=shop,
                order=request.order,
                actor=actor,
                lines=proposed,
                for_returned_goods=True,
            )
        except InvoiceError as refused:
            raise ReturnError(refused.message, code=refused.code) from refused
        move_return(request, to=ReturnStatus.CREDITED, actor=actor, note=note, close=True)
        if notify_customer:
            queue_return_message(return_request=request, kind=MessageKind.RETURN_PROCESSED)
    return request, credits


def complete_return(
    *, shop: Shop, return_id: int, actor: Actor, note: str, notify_customer: bool = True
) -> ReturnRequest:
    """Close a return without money (repaired, exchanged by hand, rejected on inspection),
    with a message to the customer."""
    note = clean_note(note)
    if not note:
        raise ReturnError(_("Tell the customer how the return was handled."), field="note")
    with transaction.atomic():
        request = locked_return(shop=shop, return_id=return_id)
        refuse_unless(
            request,
            HANDLED_RETURN_STATUSES,
            _("Return %(number)s can be completed once it is approved; a closed one stays closed."),
        )
        move_return(request, to=ReturnStatus.COMPLETED, actor=actor, note=note, close=True)
        if notify_customer:
            queue_return_message(return_request=request, kind=MessageKind.RETURN_PROCESSED)
    return request


MAX_BULK_RETURNS = 200


def change_return_statuses(
    *, shop: Shop, return_ids: Sequence[int], status: str, actor: Actor
) -> BulkStatusOutcome:
    """Move several returns to one of the statuses of an approved return (processing or the
    shop's own three): change_return_status for each, one transaction each, so a refusal
    leaves the others changed. The outcome is by return number: changed, already in that
    status, refused with the reason (a new return is to be approved first, a closed one stays
    closed). Ids of another shop's returns (or of no return) change nothing and are not named.
    """
    if status not in HANDLED_RETURN_STATUSES:
        raise ReturnError(
            _("Choose one of the statuses in the list."), code="invalid_status", field="status"
        )
    ids = list(dict.fromkeys(return_ids))
    if not ids:
        raise ReturnError(_("Select at least one return."), code="nothing_selected")
    if len(ids) > MAX_BULK_RETURNS:
        raise ReturnError(
            _("Select at most %(max)d returns at a time.") % {"max": MAX_BULK_RETURNS},
            code="too_many",
        )
    outcome = BulkStatusOutcome()
    found = (
        ReturnRequest.objects.filter(shop=shop, pk__in=ids)
        .order_by("requested_at", "pk")
        .values_list("pk", "number", "status")
    )
    for return_id, number, current in found:
        if current == status:
            outcome.unchanged.append(number)
            continue
        try:
            change_return_status(shop=shop, return_id=return_id, status=status, actor=actor)
        except ReturnError as refused:
            outcome.refused.append((number, refused.message))
        else:
            outcome.changed.append(number)
    return outcome
