"""A return requested: by the customer on their account, by a guest through the order-number
page, or by staff on the order page. The rules of what may be returned are here, once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.countries import normalize_postcode
from kantoor.messaging.models import MessageKind
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.services import allocate_number
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order, OrderLine
from kantoor.returns.errors import ReturnError
from kantoor.returns.models import (
    ReturnAction,
    ReturnLine,
    ReturnPhoto,
    ReturnReason,
    ReturnRequest,
    ReturnSource,
)
from kantoor.returns.notifications import queue_return_message
from kantoor.returns.photos import check_photos, delete_stored, store_photo
from kantoor.returns.selectors import (
    RETURNABLE_ORDER_STATUSES,
    ReturnPeriod,
    quantities_held_by_returns,
    return_period,
)
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

MAX_COMMENT = 2000


@dataclass(frozen=True)
class RequestedLine:
    """One line of the return form: which order line, how many, why, and what the customer
    asks for. ``quantity`` 0 leaves the line out."""

    order_line_id: int
    quantity: int
    reason_id: int | None
    action_id: int | None


def check_order_returnable(*, shop: Shop, order: Order, source: str) -> ReturnPeriod:
    """Refuse (ReturnError) a return of ``order`` through ``source``; otherwise its period.

    Returnable means: the returns module is on; for a customer, self-service returns are on (and,
    for a guest, guest returns); the order has been shipped, delivered or completed; and, for a
    customer, today is within the shop's return period (staff may accept a late return).
    """
    settings = workflow_settings_for(shop=shop)
    if not settings.returns_enabled:
        raise ReturnError(_("This shop does not take returns."), code="returns_off")
    if source != ReturnSource.STAFF and not settings.returns_self_service:
        raise ReturnError(
            _("Returns are arranged by the shop: contact us about order %(number)s.")
            % {"number": order.number},
            code="self_service_off",
        )
    if source == ReturnSource.GUEST and not settings.returns_for_guests:
        raise ReturnError(_("Log in to your account to return an order."), code="guests_off")
    if order.status == OrderStatus.CANCELLED:
        raise ReturnError(
            _("Order %(number)s is cancelled: there is nothing to return.")
            % {"number": order.number},
            code="order_cancelled",
        )
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise ReturnError(
            _("Order %(number)s can be returned once it has been shipped.")
            % {"number": order.number},
            code="not_shipped",
        )
    period = return_period(order=order, days=settings.return_period_days)
    if source != ReturnSource.STAFF and not period.is_open():
        raise ReturnError(
            _("The return period of order %(number)s ended on %(date)s.")
            % {
                "number": order.number,
                "date": formats.date_format(period.last_day, "DATE_FORMAT"),
            },
            code="period_over",
        )
    return period


def find_guest_order(*, shop: Shop, number: str, email: str, postcode: str) -> Order | None:
    """The order a guest names by its number, e-mail address and postcode (billing or delivery),
    or None. All three must match; the caller says nothing about which one did not."""
    order = Order.objects.filter(
        shop=shop, number__iexact=(number or "").strip(), email__iexact=(email or "").strip()
    ).first()
    if order is None:
        return None

    def plain(value: str, country: str) -> str:
        return normalize_postcode(value or "", country).replace(" ", "").upper()

    typed = plain(postcode, order.billing_country)
    known = {
        plain(order.billing_postcode, order.billing_country),
        plain(order.delivery_postcode, order.delivery_country),
    }
    return order if typed and typed in known else None


def _checked_lines(
    *, shop: Shop, order: Order, requested: Sequence[RequestedLine], exclude_return_id=None
) -> list[tuple[OrderLine, RequestedLine]]:
    lines = {line.pk: line for line in OrderLine.objects.filter(order_id=order.pk)}
    held = quantities_held_by_returns(order_id=order.pk, exclude_return_id=exclude_return_id)
    reasons = set(ReturnReason.objects.filter(shop=shop, active=True).values_list("pk", flat=True))
    actions = set(ReturnAction.objects.filter(shop=shop, active=True).values_list("pk", flat=True))
    chosen = []
    seen = set()
    for item in requested:
        if not item.quantity:
            continue
        line = lines.get(item.order_line_id)
        if line is None or item.order_line_id in seen:
            raise ReturnError(_("Choose lines of order %(number)s.") % {"number": order.number})
        seen.add(line.pk)
        field = f"line-{line.pk}"
        returnable = max(line.quantity - held.get(line.pk, 0), 0)
        if item.quantity < 0 or item.quantity > returnable:
            raise ReturnError(
                _("You can return at most %(count)d of %(name)s.")
                % {"count": returnable, "name": line.name},
                code="quantity",
                field=f"{field}-quantity",
            )
        if item.reason_id not in reasons:
            raise ReturnError(
                _("Choose a reason for %(name)s.") % {"name": line.name},
                code="reason",
                field=f"{field}-reason",
            )
        if item.action_id not in actions:
            raise ReturnError(
                _("Choose what you would like for %(name)s.") % {"name": line.name},
                code="action",
                field=f"{field}-action",
            )
        chosen.append((line, item))
    if not chosen:
        raise ReturnError(_("Choose at least one product to return and how many."), code="no_lines")
    return chosen


def request_return(
    *,
    shop: Shop,
    order: Order,
    lines: Sequence[RequestedLine],
    source: str,
    actor: Actor,
    comment: str = "",
    photos: Sequence = (),
    notify_customer: bool = True,
) -> ReturnRequest:
    """Record a return of some of the order's lines: checked (returnable, quantities within
    what is left, the shop's active reasons and actions) under the order's row lock, so two
    requests at once for the last unit cannot both pass. Numbered from the shop's return
    series; an event on the order's timeline; the confirmation e-mail to the customer.
    ``photos`` (uploaded files) are checked by content before anything is written and stored
    last; a return that is not recorded leaves no file behind."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ReturnError(
            _("The comment can be at most %(max)d characters.") % {"max": MAX_COMMENT},
            field="comment",
        )
    checked_photos = check_photos(photos)
    now = timezone.now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            request = _record_return(
                shop=shop,
                order=order,
                lines=lines,
                source=source,
                actor=actor,
                comment=comment,
                now=now,
                notify_customer=notify_customer,
            )
            for photo in checked_photos:
                stored.append(store_photo(shop_id=shop.pk, return_id=request.pk, photo=photo))
            ReturnPhoto.objects.bulk_create(
                [
                    ReturnPhoto(
                        shop=shop,
                        return_request=request,
                        file=name,
                        content_type=photo.content_type,
                        size=photo.size,
                        created_at=now,
                    )
                    for name, photo in zip(stored, checked_photos, strict=True)
                ]
            )
    except BaseException:
        delete_stored(stored)
        raise
    return request


def _record_return(
    *,
    shop: Shop,
    order: Order,
    lines: Sequence[RequestedLine],
    source: str,
    actor: Actor,
    comment: str,
    now,
    notify_customer: bool,
) -> ReturnRequest:
    """The return and its lines, number, event and e-mail (inside request_return's
    transaction, under the order's lock)."""
    locked = lock_order(shop=shop, order_id=order.pk)
    check_order_returnable(shop=shop, order=locked, source=source)
    chosen = _checked_lines(shop=shop, order=locked, requested=lines)
    request = ReturnRequest.objects.create(
        shop=shop,
        order=locked,
        number=allocate_number(shop=shop, kind=DocumentKind.RETURN, on=timezone.localdate()),
        order_number=locked.number,
        source=source,
        email=locked.email,
        customer_name=locked.customer_name or locked.billing_name,
        language=locked.language,
        comment=comment,
        requested_at=now,
        updated_at=now,
    )
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                shop=shop,
                return_request=request,
                order_line=line,
                quantity=item.quantity,
                reason_id=item.reason_id,
                action_id=item.action_id,
            )
            for line, item in chosen
        ]
    )
    events.record(
        events.return_event(
            OrderEventKind.RETURN_REQUESTED,
            shop_id=shop.pk,
            order_id=locked.pk,
            number=request.number,
            actor=actor,
            at=now,
            lines=[{"name": line.name, "quantity": item.quantity} for line, item in chosen],
            note=comment,
        )
    )
    if notify_customer:
        queue_return_message(return_request=request, kind=MessageKind.RETURN_REQUESTED)
    return request
