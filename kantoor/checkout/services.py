"""Placing orders: ``place_order`` (a customer's checkout or a phone order), and the bulk path
for history (``place_orders_in_bulk``: seeded, imported or back-dated orders).

Each order is priced by the one rule (``kantoor.core.pricing``), numbered, written with its
lines, its stock and its debit invoice (``kantoor.invoices``), its "placed" event and its
confirmation e-mail in one transaction: all or nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
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
from kantoor.core.pricing import (
    MAX_QUANTITY,
    CatalogueLine,
    price_draft,
    shipping_is_offered,
)
from kantoor.core.statuses import OrderStatus
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
from kantoor.orders.errors import OrderAlreadyPlaced, OrderError
from kantoor.orders.limits import check_amounts_fit
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.orders.notifications import queue_order_confirmation
from kantoor.orders.services import check_status_change
from kantoor.shops.models import Shop

BULK_CHUNK = 2000  # orders written per round of bulk inserts in place_orders_in_bulk


@dataclass(frozen=True)
class OrderItem:
    """A product to order. ``agreed_price`` (as the shop states prices) replaces the catalogue
    price; only services set it from what the shop stored (a quote's line, a replacement for a
    return at 0), never from a request. A free line (a quote's, ``product_id`` None) has no
    product and no stock: its ``description``, ``agreed_price`` and ``vat_rate`` say it all; on
    a product's line they replace the catalogue's name and VAT rate (what a quote agreed)."""

    product_id: int | None
    quantity: int
    agreed_price: Decimal | None = None
    description: str = ""
    vat_rate: Decimal | None = None
    sku: str = ""


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
    checkout_token: str = "",
    shipping_fee: Decimal | None = None,
    notify_customer: bool = True,
) -> Order:
    """Place an order: number, order + lines, stock, its invoice, event; all or nothing.

    Prices come from the catalogue (or an item's ``agreed_price``), never from the request.
    ``account`` is the logged-in customer (None for a guest or a phone order for a customer
    found by e-mail). ``shipping_fee`` is an agreed fee instead of the shop's (a quote's, 0
    for a replacement); ``notify_customer`` False queues no confirmation (history, seed_demo).

    ``checkout_token`` (the storefront form's one-time token) makes the checkout idempotent:
    the order row is unique per shop and token, so a second, concurrent placing with the same
    token fails on that index and raises OrderAlreadyPlaced naming the first order, having
    written nothing. The index does the check: no extra statement on the way of a new order.
    """
    items = _merge_items(items)
    try:
        return _place_order(
            shop=shop,
            details=details,
            items=items,
            shipping_method=shipping_method,
            actor=actor,
            note=note,
            account=account,
            checkout_token=checkout_token,
            shipping_fee=shipping_fee,
            notify_customer=notify_customer,
        )
    except IntegrityError:
        placed = (
            Order.objects.filter(shop=shop, checkout_token=checkout_token).first()
            if checkout_token
            else None
        )
        if placed is None:
            raise
        raise OrderAlreadyPlaced(placed) from None


def _place_order(
    *,
    shop: Shop,
    details: CustomerDetails,
    items: list[OrderItem],
    shipping_method: str,
    actor: Actor,
    note: str,
    account: Customer | None,
    checkout_token: str,
    shipping_fee: Decimal | None,
    notify_customer: bool,
) -> Order:
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
            shipping_fee=shipping_fee,
        )
        if draft.stock_changes:
            # Checked before the number is taken, so a refused sale holds no lock for long.
            _check_stock(draft)
        order = draft.order
        order.checkout_token = checkout_token
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
        if notify_customer:
            queue_order_confirmation(order=order)
        if account is not None:
            remember_addresses(customer=account, details=details)
    return order


def customer_details_of(order: Order) -> CustomerDetails:
    """Who an order was placed by, as checkout collected it: to place another order for them
    (a replacement) with the same addresses."""
    billing = AddressData(
        name=order.billing_name,
        company=order.billing_company,
        street=order.billing_street,
        postcode=order.billing_postcode,
        city=order.billing_city,
        country=order.billing_country,
    )
    delivery = AddressData(
        name=order.delivery_name,
        company=order.delivery_company,
        street=order.delivery_street,
        postcode=order.delivery_postcode,
        city=order.delivery_city,
        country=order.delivery_country,
    )
    return CustomerDetails(
        email=order.email,
        first_name=order.first_name,
        last_name=order.last_name,
        company=order.company,
        vat_number=order.vat_number,
        phone=order.phone,
        language=order.language,
        billing=billing,
        delivery=None if delivery == billing else delivery,
    )


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
    shipping_fee: Decimal | None = None,
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
        if item.agreed_price is not None and item.agreed_price < 0:
            raise OrderError(_("An agreed price cannot be negative."))
        if item.product_id is None:
            if item.agreed_price is None or item.vat_rate is None or not item.description.strip():
                raise OrderError(
                    _("A line without a product needs a description, a price and a VAT rate.")
                )
            continue
        product = products.get(item.product_id)
        if product is None or not product.active or product.shop_id != shop.pk:
            raise OrderError(_("A product in your cart is no longer for sale."))
    ordered = [products.get(item.product_id) for item in items]  # None: a free line
    # The one pricing rule (kantoor.core.pricing), as the cart showed it.
    pricing = price_draft(
        shop=shop,
        lines=[
            CatalogueLine(
                price=product.price if item.agreed_price is None else item.agreed_price,
                vat_rate=product.vat_rate if item.vat_rate is None else item.vat_rate,
                quantity=item.quantity,
            )
            for product, item in zip(ordered, items, strict=True)
        ],
        shipping_method=shipping_method,
        country=billing.country,
        vat_number=details.vat_number,
        shipping_fee=shipping_fee,
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
                sku=item.sku or (product.sku if product is not None else ""),
                name=item.description.strip() or product.name,
                unit_price=priced.unit_price,
                vat_rate=priced.vat_rate,
                quantity=item.quantity,
                total_net=amounts.net,
                total_gross=amounts.gross,
            )
        )
        if product is not None and product.track_stock:
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
    check_amounts_fit(order, lines)
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
            check_status_change(order=order, new_status=new_status)
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


def _merge_items(items: list[OrderItem]) -> list[OrderItem]:
    merged: dict[OrderItem, int] = {}
    for item in items:
        key = replace(item, quantity=0)
        merged[key] = merged.get(key, 0) + item.quantity
    return [replace(key, quantity=quantity) for key, quantity in merged.items()]


def _products_for_order(*, shop: Shop, items: list[OrderItem]) -> dict[int, Product]:
    """The ordered products, locked in id order (one query) so prices and stock checks hold.

    Untracked products are locked too: it costs nothing extra (orders of a shop queue on its
    number counter anyway) and saves the separate unlocked read.
    """
    return lock_products(
        shop=shop,
        product_ids={item.product_id for item in items if item.product_id is not None},
    )


def _check_stock(draft: OrderDraft) -> None:
    short = [
        change.product
        for change in draft.stock_changes
        if change.product.stock_level + change.quantity < 0
    ]
    if short:
        raise OrderError(str(InsufficientStock(short)))
