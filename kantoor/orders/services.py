"""Every change to an order: one function per thing a shop owner (or customer) does.

Each runs in one transaction: lock, check, write, record the event.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.models import MovementReason, Product, StockMovement
from kantoor.catalog.services import (
    InsufficientStock,
    StockChange,
    book_stock_movements,
    lock_products,
)
from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.money import PriceLine, round_money, totals_with_shipping
from kantoor.core.pricing import (
    MAX_QUANTITY,
    CatalogueLine,
    charged_price,
    price_draft,
    shipping_is_offered,
)
from kantoor.core.statuses import OrderStatus, allowed_next_statuses
from kantoor.customers.models import Customer
from kantoor.customers.services import (
    AddressData,
    CustomerDetails,
    customer_for_checkout,
    remember_addresses,
)
from kantoor.invoices.services import issue_debit_invoice, write_order_invoices
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.services import allocate_numbers
from kantoor.orders import events
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.orders.notifications import queue_order_confirmation, queue_status_message
from kantoor.shops.models import Shop

BULK_CHUNK = 2000  # orders written per round of bulk inserts in place_orders_in_bulk


class OrderError(KantoorError):
    """A request the shop cannot honour; the message is for the person who made it."""

    code = "order_refused"


@dataclass(frozen=True)
class OrderItem:
    product_id: int
    quantity: int


@dataclass
class OrderDraft:
    """An order with its lines and stock changes, computed but not yet written."""

    order: Order
    lines: list[OrderLine]
    stock_changes: list[StockChange] = field(default_factory=list)


def place_order(
    *,
    shop: Shop,
    details: CustomerDetails,
    items: list[OrderItem],
    shipping_method: str,
    actor: Actor,
    note: str = "",
    account: Customer | None = None,
) -> Order:
    """Place an order: number, order + lines, stock, its invoice, event; all or nothing.

    Prices come from the catalogue, never from the request. ``account`` is the logged-in
    customer (None for a guest or a phone order for a customer found by e-mail).
    """
    items = _merge_items(items)
    with transaction.atomic():
        # The customer first: it needs no product lock, so the locks below are held shorter.
        customer = customer_for_checkout(shop=shop, details=details, account=account)
        products = _products_for_order(shop=shop, items=items)
        now = timezone.now()
        draft = draft_order(
            shop=shop,
            customer=customer,
            details=details,
            items=items,
            products=products,
            shipping_method=shipping_method,
            note=note,
            at=now,
        )
        if draft.stock_changes:
            # Checked before the number is taken, so a refused sale holds no lock for long.
            _check_stock(draft)
        order = draft.order
        order.number = allocate_numbers(
            shop=shop, kind=DocumentKind.ORDER, on=timezone.localdate(now)
        )[0]
        order.save(force_insert=True)
        for line in draft.lines:
            line.order = order
        OrderLine.objects.bulk_create(draft.lines)
        book_stock_movements(
            shop=shop,
            changes=draft.stock_changes,
            reason=MovementReason.SALE,
            reference=order.number,
            at=now,
        )
        # The order's invoice, in this transaction: an order never exists without it. The
        # placed event names it (one timeline entry, one INSERT less).
        invoice = issue_debit_invoice(
            order=order, actor=actor, new_order_lines=draft.lines, at=now, record_event=False
        )
        events.record(events.order_placed(order=order, actor=actor, invoice_number=invoice.number))
        # The outbox: the confirmation is written here and sent after commit (messaging).
        queue_order_confirmation(order=order)
        if account is not None:
            remember_addresses(customer=account, details=details)
    return order


def draft_order(
    *,
    shop: Shop,
    customer: Customer | None,
    details: CustomerDetails,
    items: list[OrderItem],
    products: dict[int, Product],
    shipping_method: str,
    note: str,
    at: datetime.datetime,
    status: int = OrderStatus.NEW,
) -> OrderDraft:
    """Compute an order from catalogue prices (shared by place_order and the bulk seeder)."""
    if not items:
        raise OrderError(_("Your cart is empty."))
    if not shipping_is_offered(shop, shipping_method):
        raise OrderError(_("Choose a shipping method this shop offers."))
    billing = details.billing
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise OrderError(_("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        product = products.get(item.product_id)
        if product is None or not product.active or product.shop_id != shop.pk:
            raise OrderError(_("A product in your cart is no longer for sale."))
    ordered = [products[item.product_id] for item in items]
    # The one pricing rule (kantoor.core.pricing), as the cart showed it.
    pricing = price_draft(
        shop=shop,
        lines=[
            CatalogueLine(price=product.price, vat_rate=product.vat_rate, quantity=item.quantity)
            for product, item in zip(ordered, items, strict=True)
        ],
        shipping_method=shipping_method,
        country=billing.country,
        vat_number=details.vat_number,
    )
    totals = pricing.totals
    lines: list[OrderLine] = []
    changes: list[StockChange] = []
    for position, (product, item, priced, amounts) in enumerate(
        zip(ordered, items, pricing.lines, totals.lines[: len(items)], strict=True), start=1
    ):
        lines.append(
            OrderLine(
                shop=shop,
                position=position,
                product=product,
                sku=product.sku,
                name=product.name,
                unit_price=priced.unit_price,
                vat_rate=priced.vat_rate,
                quantity=item.quantity,
                total_net=amounts.net,
                total_gross=amounts.gross,
            )
        )
        if product.track_stock:
            changes.append(StockChange(product=product, quantity=-item.quantity))
    shipping_cost = pricing.shipping_cost
    shipping_vat_rate = pricing.shipping_vat_rate
    vat_number = pricing.vat_number
    reverse_charged = pricing.vat_reverse_charged
    prices_include_vat = pricing.prices_include_vat
    delivery = details.delivery_address
    order = Order(
        shop=shop,
        customer=customer,
        status=status,
        email=details.email.strip().lower(),
        first_name=details.first_name,
        last_name=details.last_name,
        company=details.company,
        vat_number=vat_number,
        phone=details.phone,
        billing_name=billing.name,
        billing_company=billing.company,
        billing_street=billing.street,
        billing_postcode=billing.postcode,
        billing_city=billing.city,
        billing_country=billing.country,
        delivery_name=delivery.name,
        delivery_company=delivery.company,
        delivery_street=delivery.street,
        delivery_postcode=delivery.postcode,
        delivery_city=delivery.city,
        delivery_country=delivery.country,
        shipping_method=shipping_method,
        shipping_cost=shipping_cost,
        shipping_vat_rate=shipping_vat_rate,
        prices_include_vat=prices_include_vat,
        vat_reverse_charged=reverse_charged,
        currency=shop.currency,
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        item_count=sum(item.quantity for item in items),
        language=details.language,
        note=note.strip(),
        created_at=at,
        updated_at=at,
    )
    return OrderDraft(order=order, lines=lines, stock_changes=changes)


@dataclass(frozen=True)
class StatusChange:
    """One step of an order's status history, for the bulk path."""

    status: int
    at: datetime.datetime
    actor: Actor


@dataclass(frozen=True)
class BulkOrderRequest:
    """One order for ``place_orders_in_bulk``: what place_order gets, plus when and its history.

    ``status_changes`` are the statuses the order moved through after New, oldest first (the
    last one is its status now); each step must be allowed, as in change_order_status.
    """

    customer: Customer | None
    details: CustomerDetails
    items: list[OrderItem]
    shipping_method: str
    created_at: datetime.datetime
    actor: Actor
    status_changes: tuple[StatusChange, ...] = ()
    note: str = ""

    @property
    def status(self) -> int:
        return self.status_changes[-1].status if self.status_changes else OrderStatus.NEW


def place_orders_in_bulk(
    *, shop: Shop, requests: list[BulkOrderRequest], chunk_size: int = BULK_CHUNK
) -> list[str]:
    """Place many (e.g. seeded, back-dated) orders with place_order's invariants, in one go.

    Same prices, totals, lines, numbers, invoices, stock ledger and events as place_order
    followed by change_order_status for each step, written with bulk inserts. Orders (and their
    invoices) are numbered in ``created_at`` order (numbers grow with time, per year when the
    series restarts yearly).
    Locks the tracked products before the number counter, like place_order, so the two never
    deadlock. All or nothing: a refused order (e.g. not enough stock) writes nothing.
    Queues no e-mails: these orders are history, not news for their customers.
    Returns the order numbers, oldest first.
    """
    requests = sorted(requests, key=lambda request: request.created_at)
    if not requests:
        return []
    numbers: list[str] = []
    with transaction.atomic():
        products = _products_for_order(
            shop=shop,
            items=[OrderItem(pk, 1) for pk in {i.product_id for r in requests for i in r.items}],
        )
        # Sales are checked against the stock before any cancellation gives stock back, so no
        # running level of the ledger (stock first, then orders by date) goes below zero.
        sold: dict[int, int] = defaultdict(int)
        restocked: dict[int, int] = defaultdict(int)
        for start in range(0, len(requests), chunk_size):
            chunk = requests[start : start + chunk_size]
            drafts = [_draft_from_request(shop=shop, request=r, products=products) for r in chunk]
            for draft in drafts:
                if draft.stock_changes:
                    _check_stock(draft)
                for change in draft.stock_changes:
                    change.product.stock_level += change.quantity
                    sold[change.product.pk] -= change.quantity
            numbers.extend(
                _write_bulk_chunk(shop=shop, chunk=chunk, drafts=drafts, restocked=restocked)
            )
        for pk in sold.keys() | restocked.keys():
            delta = restocked[pk] - sold[pk]
            products[pk].stock_level += restocked[pk]
            if delta:
                Product.objects.filter(pk=pk).update(stock_level=F("stock_level") + delta)
    return numbers


def _draft_from_request(
    *, shop: Shop, request: BulkOrderRequest, products: dict[int, Product]
) -> OrderDraft:
    return draft_order(
        shop=shop,
        customer=request.customer,
        details=request.details,
        items=_merge_items(request.items),
        products=products,
        shipping_method=request.shipping_method,
        note=request.note,
        at=request.created_at,
    )


def _write_bulk_chunk(
    *,
    shop: Shop,
    chunk: list[BulkOrderRequest],
    drafts: list[OrderDraft],
    restocked: dict[int, int],
) -> list[str]:
    """Number and insert one chunk of drafted orders with their lines, ledger rows and events."""
    numbers: list[str] = []
    # One block of numbers per month in the chunk: the prefix may contain {year} or {month}.
    runs: list[tuple[datetime.date, int]] = []
    for request in chunk:
        day = timezone.localdate(request.created_at)
        if runs and (runs[-1][0].year, runs[-1][0].month) == (day.year, day.month):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((day, 1))
    invoice_numbers: list[str] = []
    for day, count in runs:
        numbers.extend(allocate_numbers(shop=shop, kind=DocumentKind.ORDER, count=count, on=day))
        invoice_numbers.extend(
            allocate_numbers(shop=shop, kind=DocumentKind.INVOICE, count=count, on=day)
        )
    lines: list[OrderLine] = []
    timeline: list[OrderEvent] = []
    movements: list[StockMovement] = []
    for request, draft, number, invoice_number in zip(
        chunk, drafts, numbers, invoice_numbers, strict=True
    ):
        order = draft.order
        order.number = number
        for line in draft.lines:
            line.order = order
        lines.extend(draft.lines)
        movements.extend(
            _stock_movement(
                change=change, reason=MovementReason.SALE, order=order, at=order.created_at
            )
            for change in draft.stock_changes
        )
        timeline.append(
            events.order_placed(order=order, actor=request.actor, invoice_number=invoice_number)
        )
        for step in request.status_changes:
            new_status = OrderStatus(step.status)
            _check_status_change(order=order, new_status=new_status)
            if new_status == OrderStatus.CANCELLED:
                for change in draft.stock_changes:
                    restocked[change.product.pk] -= change.quantity
                movements.extend(
                    _stock_movement(
                        change=StockChange(product=change.product, quantity=-change.quantity),
                        reason=MovementReason.CANCELLATION,
                        order=order,
                        at=step.at,
                    )
                    for change in draft.stock_changes
                )
            timeline.append(
                events.status_changed(
                    order=order, new_status=new_status, actor=step.actor, at=step.at
                )
            )
            order.status = new_status
            order.updated_at = step.at
            order.version += 1
    # Lines and events point at their (unsaved) orders; bulk_create reads the ids once set.
    Order.objects.bulk_create([draft.order for draft in drafts], batch_size=500)
    OrderLine.objects.bulk_create(lines, batch_size=1000)
    # Each order's invoice, as place_order issues it (lines have their ids now).
    write_order_invoices(
        shop=shop,
        orders=[
            (draft.order, draft.lines, invoice_number)
            for draft, invoice_number in zip(drafts, invoice_numbers, strict=True)
        ],
    )
    events.record_many(timeline)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    return numbers


def _stock_movement(
    *, change: StockChange, reason: MovementReason, order: Order, at: datetime.datetime
) -> StockMovement:
    """A ledger row as book_stock_movements writes it for one product of one order."""
    return StockMovement(
        shop_id=order.shop_id,
        product_id=change.product.pk,
        quantity=change.quantity,
        reason=reason,
        reference=order.number,
        created_at=at,
    )


def change_order_status(*, shop: Shop, order: Order, status: int, actor: Actor) -> Order:
    """Move an order to another status; cancelling books its stock back."""
    new_status = OrderStatus(status)
    with transaction.atomic():
        locked = lock_order(shop=shop, order_id=order.pk)
        if locked.status == new_status:
            return locked
        _check_status_change(order=locked, new_status=new_status)
        now = timezone.now()
        if new_status == OrderStatus.CANCELLED:
            _book_cancellation(order=locked, at=now)
        event = events.status_changed(order=locked, new_status=new_status, actor=actor, at=now)
        before = locked.status
        locked.status = new_status
        locked.updated_at = now
        locked.version += 1
        locked.save(update_fields=["status", "updated_at", "version"])
        events.record(event)
        queue_status_message(order=locked, before=before, after=new_status)
    return locked


def _check_status_change(*, order: Order, new_status: OrderStatus) -> None:
    if new_status not in allowed_next_statuses(order.status):
        raise OrderError(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": order.status_enum.label.lower(), "new": new_status.label.lower()}
        )


def _book_cancellation(*, order: Order, at: datetime.datetime) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for product_id, quantity in order.lines.filter(product__track_stock=True).values_list(
        "product_id", "quantity"
    ):
        quantities[product_id] += quantity
    if not quantities:
        return
    products = lock_products(shop=order.shop, product_ids=quantities)
    book_stock_movements(
        shop=order.shop,
        changes=[StockChange(product=products[pk], quantity=q) for pk, q in quantities.items()],
        reason=MovementReason.CANCELLATION,
        reference=order.number,
        at=at,
    )


def _merge_items(items: list[OrderItem]) -> list[OrderItem]:
    merged: dict[int, int] = {}
    for item in items:
        merged[item.product_id] = merged.get(item.product_id, 0) + item.quantity
    return [OrderItem(product_id=pk, quantity=q) for pk, q in merged.items()]


def _products_for_order(*, shop: Shop, items: list[OrderItem]) -> dict[int, Product]:
    """The ordered products, locked in id order (one query) so prices and stock checks hold.

    Untracked products are locked too: it costs nothing extra (orders of a shop queue on its
    number counter anyway) and saves the separate unlocked read.
    """
    return lock_products(shop=shop, product_ids={item.product_id for item in items})


def _check_stock(draft: OrderDraft) -> None:
    short = [
        change.product
        for change in draft.stock_changes
        if change.product.stock_level + change.quantity < 0
    ]
    if short:
        raise OrderError(str(InsufficientStock(short)))


# --- Editing an order and internal notes ------------------------------------------------------

MAX_NOTE_LENGTH = 2000
EDITABLE_STATUSES_EXCLUDED = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})
ADDRESS_FIELDS = ("name", "company", "street", "postcode", "city", "country")


@dataclass(frozen=True)
class LineEdit:
    """One line of an order as it should be after an edit.

    ``line_id`` names an existing line of the order; a new line has ``line_id=None`` and a
    ``product_id`` (its description and VAT rate are copied from the product, its unit price is
    ``unit_price`` or, when None, the product's price).
    """

    quantity: int
    unit_price: Decimal | None
    line_id: int | None = None
    product_id: int | None = None


def edit_order(
    *,
    shop: Shop,
    order: Order,
    lines: list[LineEdit],
    shipping_cost: Decimal,
    billing: AddressData,
    delivery: AddressData,
    expected_version: int,
    actor: Actor,
) -> Order:
    """Change an order's lines, shipping cost and addresses; all or nothing.

    ``lines`` is the whole order after the edit: existing lines left out are removed.
    ``expected_version`` is the version the editor saw; if anyone changed the order since, the
    edit is refused (nobody's change is overwritten unnoticed). Totals are recomputed with the
    one totals function, stock is booked for the difference per tracked product, and one
    ``edited`` event records every change (before → after). Lock order as in place_order:
    products (by id) first, then the order row.
    """
    with transaction.atomic():
        old_product_ids = set(
            OrderLine.objects.filter(order_id=order.pk, product__isnull=False).values_list(
                "product_id", flat=True
            )
        )
        new_product_ids = {edit.product_id for edit in lines if edit.line_id is None}
        products = lock_products(
            shop=shop, product_ids={pk for pk in old_product_ids | new_product_ids if pk}
        )
        locked = lock_order(shop=shop, order_id=order.pk)
        if locked.version != expected_version:
            raise OrderError(
                _(
                    "Someone else changed this order while you were editing; reload to see "
                    "their change."
                )
            )
        if locked.status in EDITABLE_STATUSES_EXCLUDED:
            raise OrderError(
                _("An order that is %(status)s cannot be edited.")
                % {"status": locked.status_enum.label.lower()}
            )
        current = {line.pk: line for line in OrderLine.objects.filter(order=locked)}
        after = _lines_after_edit(
            shop=shop, order=locked, current=current, edits=lines, products=products
        )
        shipping_cost = Decimal(shipping_cost)
        if shipping_cost < 0:
            raise OrderError(_("The shipping cost cannot be negative."))
        changes = _describe_changes(
            order=locked,
            current=current,
            after=after,
            shipping_cost=shipping_cost,
            billing=billing,
            delivery=delivery,
        )
        if not changes:
            return locked
        now = timezone.now()
        _book_edit_stock(order=locked, current=current, after=after, products=products, at=now)

        totals = totals_with_shipping(
            (
                PriceLine(
                    unit_price=line.unit_price, quantity=line.quantity, vat_rate=line.vat_rate
                )
                for line in after
            ),
            shipping_cost=shipping_cost,
            shipping_vat_rate=locked.shipping_vat_rate,
            prices_include_vat=locked.prices_include_vat,
        )
        for line, amounts in zip(after, totals.lines, strict=False):
            line.total_net = amounts.net
            line.total_gross = amounts.gross
        total_before = locked.total_gross

        kept_ids = {line.pk for line in after if line.pk}
        removed = [pk for pk in current if pk not in kept_ids]
        if removed:
            OrderLine.objects.filter(order=locked, pk__in=removed).delete()
        kept = [line for line in after if line.pk]
        if kept:
            OrderLine.objects.bulk_update(
                kept, ["quantity", "unit_price", "total_net", "total_gross"]
            )
        added = [line for line in after if not line.pk]
        if added:
            OrderLine.objects.bulk_create(added)

        locked.shipping_cost = shipping_cost
        for prefix, address in (("billing", billing), ("delivery", delivery)):
            for name in ADDRESS_FIELDS:
                setattr(locked, f"{prefix}_{name}", getattr(address, name))
        locked.total_net = totals.net
        locked.total_vat = totals.vat
        locked.total_gross = totals.gross
        locked.item_count = sum(line.quantity for line in after)
        locked.updated_at = now
        locked.version += 1
        locked.save(
            update_fields=[
                "shipping_cost",
                *(f"{p}_{n}" for p in ("billing", "delivery") for n in ADDRESS_FIELDS),
                "total_net",
                "total_vat",
                "total_gross",
                "item_count",
                "updated_at",
                "version",
            ]
        )
        events.record(
            events.order_edited(
                order=locked, changes=changes, total_before=total_before, actor=actor, at=now
            )
        )
    return locked


def _lines_after_edit(
    *,
    shop: Shop,
    order: Order,
    current: dict[int, OrderLine],
    edits: list[LineEdit],
    products: dict[int, Product],
) -> list[OrderLine]:
    """The order's lines as they will be (unsaved copies; new lines have no pk)."""
    if not edits:
        raise OrderError(_("An order needs at least one line; cancel the order instead."))
    after: list[OrderLine] = []
    seen: set[int] = set()
    position = max((line.position for line in current.values()), default=0)
    for edit in edits:
        if not 1 <= edit.quantity <= MAX_QUANTITY:
            raise OrderError(_("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        if edit.unit_price is not None and Decimal(edit.unit_price) < 0:
            raise OrderError(_("A unit price cannot be negative."))
        if edit.line_id is not None:
            old = current.get(edit.line_id)
            if old is None or edit.line_id in seen:
                raise OrderError(_("A line of this order has changed; reload the order."))
            seen.add(edit.line_id)
            line = OrderLine(
                pk=old.pk,
                shop_id=old.shop_id,
                order=order,
                position=old.position,
                product_id=old.product_id,
                sku=old.sku,
                name=old.name,
                vat_rate=old.vat_rate,
                quantity=edit.quantity,
                unit_price=old.unit_price
                if edit.unit_price is None
                else round_money(Decimal(edit.unit_price)),
            )
        else:
            product = products.get(edit.product_id) if edit.product_id else None
            if product is None or product.shop_id != shop.pk:
                raise OrderError(_("Choose a product from your catalogue."))
            position += 1
            # A reverse-charged order stays so: a product added later is charged without VAT.
            catalogue_price, vat_rate = charged_price(
                shop, product.price, product.vat_rate, reverse_charged=order.vat_reverse_charged
            )
            line = OrderLine(
                shop_id=shop.pk,
                order=order,
                position=position,
                product=product,
                sku=product.sku,
                name=product.name,
                vat_rate=vat_rate,
                quantity=edit.quantity,
                unit_price=catalogue_price
                if edit.unit_price is None
                else round_money(Decimal(edit.unit_price)),
            )
        after.append(line)
    return after


def _address_text(address: AddressData) -> str:
    parts = [address.name, address.company, address.street, f"{address.postcode} {address.city}"]
    return ", ".join(p.strip() for p in [*parts, address.country] if p.strip())


def _order_address(order: Order, prefix: str) -> AddressData:
    return AddressData(**{name: getattr(order, f"{prefix}_{name}") for name in ADDRESS_FIELDS})


def _describe_changes(
    *,
    order: Order,
    current: dict[int, OrderLine],
    after: list[OrderLine],
    shipping_cost: Decimal,
    billing: AddressData,
    delivery: AddressData,
) -> list[dict]:
    """What an edit changes, as the timeline shows it (plain JSON: strings and numbers)."""
    changes: list[dict] = []
    kept = {line.pk: line for line in after if line.pk}
    for pk, old in sorted(current.items(), key=lambda item: item[1].position):
        new = kept.get(pk)
        if new is None:
            changes.append(
                {
                    "what": "line_removed",
                    "name": old.name,
                    "sku": old.sku,
                    "quantity": old.quantity,
                    "unit_price": str(old.unit_price),
                }
            )
            continue
        if new.quantity != old.quantity:
            changes.append(
                {
                    "what": "quantity",
                    "name": old.name,
                    "sku": old.sku,
                    "before": old.quantity,
                    "after": new.quantity,
                }
            )
        if new.unit_price != old.unit_price:
            changes.append(
                {
                    "what": "unit_price",
                    "name": old.name,
                    "sku": old.sku,
                    "before": str(old.unit_price),
                    "after": str(new.unit_price),
                }
            )
    for line in after:
        if not line.pk:
            changes.append(
                {
                    "what": "line_added",
                    "name": line.name,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
            )
    if shipping_cost != order.shipping_cost:
        changes.append(
            {
                "what": "shipping_cost",
                "before": str(order.shipping_cost),
                "after": str(shipping_cost),
            }
        )
    for prefix, address in (("billing", billing), ("delivery", delivery)):
        old_address = _order_address(order, prefix)
        if old_address != address:
            changes.append(
                {
                    "what": f"{prefix}_address",
                    "before": _address_text(old_address),
                    "after": _address_text(address),
                }
            )
    return changes


def _book_edit_stock(
    *,
    order: Order,
    current: dict[int, OrderLine],
    after: list[OrderLine],
    products: dict[int, Product],
    at: datetime.datetime,
) -> None:
    """Book the difference per tracked product: more sold is a sale, less sold goes back."""
    delta: dict[int, int] = defaultdict(int)  # + goes back into stock, - is sold
    for line in current.values():
        if line.product_id in products:
            delta[line.product_id] += line.quantity
    for line in after:
        if line.product_id in products:
            delta[line.product_id] -= line.quantity
    sold = [
        StockChange(product=products[pk], quantity=q)
        for pk, q in delta.items()
        if q < 0 and products[pk].track_stock
    ]
    back = [
        StockChange(product=products[pk], quantity=q)
        for pk, q in delta.items()
        if q > 0 and products[pk].track_stock
    ]
    note = _("Order edited")
    try:
        book_stock_movements(
            shop=order.shop,
            changes=sold,
            reason=MovementReason.SALE,
            reference=order.number,
            note=note,
            at=at,
        )
    except InsufficientStock as error:
        raise OrderError(str(error)) from None
    book_stock_movements(
        shop=order.shop,
        changes=back,
        reason=MovementReason.CANCELLATION,
        reference=order.number,
        note=note,
        at=at,
    )


def add_order_note(*, shop: Shop, order: Order, text: str, actor: Actor) -> OrderEvent:
    """An internal note on the order's timeline (staff only; the customer never sees it).

    A note changes nothing of the order itself, so it does not bump the version: writing a
    note never makes someone else's open edit form stale.
    """
    text = (text or "").strip()
    if not text:
        raise OrderError(_("Write a note first."))
    if len(text) > MAX_NOTE_LENGTH:
        raise OrderError(
            _("A note can be at most %(max)d characters long.") % {"max": MAX_NOTE_LENGTH}
        )
    with transaction.atomic():
        if not Order.objects.filter(shop=shop, pk=order.pk).exists():
            raise Order.DoesNotExist
        event = events.record(
            events.note_added(
                shop_id=shop.pk, order_id=order.pk, text=text, actor=actor, at=timezone.now()
            )
        )
    return event


@dataclass
class BulkStatusOutcome:
    """What a bulk status change did, by order number."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in that status
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def change_status_of_orders(
    *, shop: Shop, order_ids: list[int], status: int, actor: Actor
) -> BulkStatusOutcome:
    """Move several orders to one status: change_order_status for each, one transaction each.

    An order that may not move (e.g. cancelled) is reported and the others still change. Ids
    of another shop's orders (or of no order) are ignored: they change nothing.
    """
    outcome = BulkStatusOutcome()
    orders = Order.objects.filter(shop=shop, pk__in=order_ids).order_by("created_at", "pk")
    for order in orders:
        if order.status == status:
            outcome.unchanged.append(order.number)
            continue
        try:
            change_order_status(shop=shop, order=order, status=status, actor=actor)
        except OrderError as error:
            outcome.refused.append((order.number, str(error)))
        except Order.DoesNotExist:
            continue
        else:
            outcome.changed.append(order.number)
    return outcome
