"""Seeding the demo shop (``manage.py seed_demo``): its catalogue, customers and orders.

Idempotent: it brings the shop to at least ``--orders`` orders and adds none when it has
that many. Two runs at once are safe: after the shop exists, everything happens in one
transaction that first locks the Shop row (on SQLite the IMMEDIATE transaction already
serialises writers), so the second run waits, counts the first run's orders and adds none.
Orders go through checkout.services.place_orders_in_bulk, which tests/orders/test_bulk.py
proves equal to place_order + change_order_status (each order with its invoice). Then the
invoices get the history a real shop has, through the same services: cancelled orders credited,
a few orders edited and corrected (a debit or a credit invoice), most invoices paid online
through the demo provider, some by bank transfer (kantoor.payments.bulk.record_payments_in_bulk,
which tests/payments/test_bulk.py proves equal to the payments services), some still open.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from kantoor.catalog.models import MovementReason, Product
from kantoor.catalog.services import StockChange, book_stock_movements, lock_products
from kantoor.checkout.services import (
    BulkOrderRequest,
    OrderItem,
    StatusChange,
    place_orders_in_bulk,
)
from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.pricing import ShippingMethod
from kantoor.core.statuses import OrderStatus
from kantoor.customers.models import Address, Customer
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.demo import demo_data
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.services import (
    credit_invoice,
    issue_correction,
)
from kantoor.orders.models import Order
from kantoor.orders.services import ADDRESS_FIELDS, LineEdit, edit_order
from kantoor.payments.bulk import BulkPayment, record_payments_in_bulk
from kantoor.payments.models import Provider
from kantoor.payments.services import record_bank_transfer
from kantoor.quotes.models import Quote
from kantoor.quotes.services import (
    QuoteDetails,
    QuoteLineInput,
    accept_quote,
    convert_quote,
    create_quote,
    decline_quote,
    expire_quotes,
    send_quote,
)
from kantoor.reports.services import rebuild_statistics
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnSource
from kantoor.returns.services import (
    ReceivedLine,
    RequestedLine,
    ReturnError,
    approve_return,
    complete_return,
    exchange_return,
    receive_return,
    refund_return,
    reject_return,
    request_return,
)
from kantoor.shops.models import Membership, Role, Shop, User
from kantoor.shops.services import create_shop

S = OrderStatus
DAY = 86_400

# Where an order went after New, by the status it ends in (pickup orders skip shipping).
PATHS: dict[int, tuple[int, ...]] = {
    S.NEW: (),
    S.IN_PROCESS: (S.IN_PROCESS,),
    S.AWAITING_PAYMENT: (S.AWAITING_PAYMENT,),
    S.AWAITING_MANUFACTURER: (S.IN_PROCESS, S.AWAITING_MANUFACTURER),
    S.AWAITING_SUPPLIER: (S.IN_PROCESS, S.AWAITING_SUPPLIER),
    S.BACKORDER: (S.IN_PROCESS, S.BACKORDER),
    S.RESERVED: (S.RESERVED,),
    S.BEING_ASSEMBLED: (S.IN_PROCESS, S.BEING_ASSEMBLED),
    S.BEING_PACKED: (S.IN_PROCESS, S.BEING_PACKED),
    S.READY_FOR_PICKUP: (S.IN_PROCESS, S.BEING_PACKED, S.READY_FOR_PICKUP),
    S.SHIPPED: (S.IN_PROCESS, S.BEING_PACKED, S.SHIPPED),
    S.DELIVERED: (S.IN_PROCESS, S.BEING_PACKED, S.SHIPPED, S.DELIVERED),
}
COMPLETED_PATHS = {
    ShippingMethod.DELIVERY: (S.IN_PROCESS, S.SHIPPED, S.DELIVERED, S.COMPLETED),
    ShippingMethod.PICKUP: (S.IN_PROCESS, S.READY_FOR_PICKUP, S.COMPLETED),
}
CANCELLED_PATHS = [(S.CANCELLED,), (S.AWAITING_PAYMENT, S.CANCELLED), (S.BACKORDER, S.CANCELLED)]

# Status weights by the order's age: recent orders are still being handled, old ones are done.
RECENT = {  # placed in the last 3 days
    S.NEW: 30, S.IN_PROCESS: 14, S.AWAITING_PAYMENT: 10, S.BEING_PACKED: 9, S.RESERVED: 5,
    S.BEING_ASSEMBLED: 5, S.AWAITING_SUPPLIER: 5, S.AWAITING_MANUFACTURER: 4, S.BACKORDER: 4,
    S.READY_FOR_PICKUP: 4, S.SHIPPED: 6, S.CANCELLED: 3,
}  # fmt: skip
WEEKS = {  # 3 days to 3 weeks old
    S.SHIPPED: 12, S.DELIVERED: 20, S.COMPLETED: 30, S.READY_FOR_PICKUP: 4, S.BACKORDER: 4,
    S.AWAITING_MANUFACTURER: 4, S.AWAITING_SUPPLIER: 3, S.AWAITING_PAYMENT: 5, S.CANCELLED: 6,
    S.IN_PROCESS: 3,
}  # fmt: skip
OLD = {S.COMPLETED: 88, S.CANCELLED: 8, S.DELIVERED: 3, S.AWAITING_PAYMENT: 1}


class DemoError(KantoorError):
    """The demo cannot be seeded as asked (the command shows the message)."""

    code = "demo_refused"


@dataclass(frozen=True)
class SeedOutcome:
    """What ``seed_demo`` did: the orders it added and the orders the shop had before."""

    added: int
    existing: int
    seconds: float


def seed_demo(*, slug: str, orders: int, seed: int) -> SeedOutcome:
    """Bring the demo shop ``slug`` to at least ``orders`` orders of its customers (the same
    ones for a seed), plus the replacement orders of the returns it exchanged and the orders
    of the quotes it converted (a demo shop gets its quotes once)."""
    if orders < 0:
        raise DemoError("--orders must be 0 or more.")
    started = time.monotonic()
    shop = _demo_shop(slug=slug)
    missing = 0
    with transaction.atomic():
        # Serialise concurrent runs on this shop: the second waits here, then counts.
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        owner = _owner(locked)
        products = _ensure_products(locked)
        customers = _ensure_customers(locked)
        # The customers' orders; the orders of exchanged returns and of quotes come on top.
        existing = Order.objects.filter(shop=locked, replaces_return=None, from_quote=None).count()
        missing = orders - existing
        if missing > 0:
            requests = demo_order_requests(
                products=[p for p in products if p.active],
                customers=customers,
                owner=owner,
                count=missing,
                seed=seed,
                now=timezone.now(),
                shop=locked,
            )
            _stock_up(locked, requests, seed=seed)
            place_orders_in_bulk(shop=locked, requests=requests)
            first_new_id = _first_new_order_id(locked, missing)
            _invoice_history(locked, owner, first_new_id=first_new_id, seed=seed)
            _return_history(locked, owner, first_new_id=first_new_id, seed=seed)
            _quote_history(locked, owner, customers=customers, products=products, seed=seed)
    if missing > 0:
        # The history is written in bulk, months back: the statistics are built whole once.
        rebuild_statistics(shop=shop)
    return SeedOutcome(added=max(missing, 0), existing=existing, seconds=time.monotonic() - started)


def _demo_shop(*, slug: str) -> Shop:
    """The shop, created (with its owner) when missing; a concurrent creator may win."""
    shop = Shop.objects.filter(slug=slug).first()
    if shop is not None:
        return shop
    try:
        shop = create_shop(
            slug=slug,
            owner_email=demo_data.OWNER_EMAIL,
            owner_password=demo_data.DEMO_PASSWORD,
            **demo_data.SHOP,
        )
    except KantoorError:  # ShopAlreadyExists: another run created it since the look above
        return Shop.objects.get(slug=slug)
    except IntegrityError:  # the same race, noticed by the database's unique slug
        return Shop.objects.get(slug=slug)
    User.objects.filter(email=demo_data.OWNER_EMAIL, name="").update(name=demo_data.OWNER_NAME)
    return shop


def _owner(shop: Shop) -> User:
    membership = (
        Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    )
    if membership is None:
        raise DemoError(f"Shop '{shop.slug}' has no owner.")
    return membership.user


def _ensure_products(shop: Shop) -> list[Product]:
    """Create the demo products that are missing (by SKU); staff edits are kept."""
    Product.objects.bulk_create(
        [
            Product(
                shop=shop,
                sku=p.sku,
                name=p.name,
                description=p.description,
                price=Decimal(p.price),
                vat_rate=Decimal(p.vat_rate),
                track_stock=p.track_stock,
                active=p.active,
            )
            for p in demo_data.PRODUCTS
        ],
        ignore_conflicts=True,
    )
    by_sku = {p.sku: p for p in Product.objects.filter(shop=shop)}
    return [by_sku[p.sku] for p in demo_data.PRODUCTS if p.sku in by_sku]


def _ensure_customers(shop: Shop) -> list[tuple[Customer, CustomerDetails]]:
    """Create the demo customers that are missing, each with a default address."""
    wanted = demo_data.demo_customers()
    known = set(
        Customer.objects.filter(shop=shop, email__in=[c.email for c in wanted]).values_list(
            "email", flat=True
        )
    )
    new = []
    for data in wanted:
        if data.email in known:
            continue
        customer = Customer(
            shop=shop,
            email=data.email,
            first_name=data.first_name,
            last_name=data.last_name,
            company=data.company,
            vat_number=data.vat_number,
            phone=data.phone,
            language=data.language,
        )
        if data.has_account:
            customer.set_password(demo_data.DEMO_PASSWORD)
        new.append(customer)
    if new:
        Customer.objects.bulk_create(new)
    by_email = {c.email: c for c in Customer.objects.filter(shop=shop)}
    Address.objects.bulk_create(
        [
            Address(
                shop=shop,
                customer=by_email[c.email],
                name=f"{c.first_name} {c.last_name}",
                company=c.company,
                street=c.address.street,
                postcode=c.address.postcode,
                city=c.address.city,
                country=c.address.country,
                is_default_billing=True,
                is_default_delivery=True,
            )
            for c in wanted
            if c.email not in known
        ]
    )
    return [(by_email[c.email], _details(c)) for c in wanted]


def _details(data: demo_data.DemoCustomer) -> CustomerDetails:
    return CustomerDetails(
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        company=data.company,
        vat_number=data.vat_number,
        phone=data.phone,
        language=data.language,
        billing=AddressData(
            name=f"{data.first_name} {data.last_name}",
            company=data.company,
            street=data.address.street,
            postcode=data.address.postcode,
            city=data.address.city,
            country=data.address.country,
        ),
    )


def demo_order_requests(
    *,
    shop: Shop,
    products: list[Product],
    customers: list[tuple[Customer, CustomerDetails]],
    owner: User,
    count: int,
    seed: int,
    now: datetime.datetime,
) -> list[BulkOrderRequest]:
    """``count`` orders over the 365 days before ``now``; the same ones for the same seed.

    The first 14 orders (when count >= 14) end in each status once, so every status shows.
    """
    rng = random.Random(seed)
    staff = Actor.staff(owner)
    weights = [demo_data.PRODUCTS_BY_SKU[p.sku].popularity for p in products]
    # Companies order more often and in larger quantities.
    customer_weights = [6 if c.company else 2 for c, _details in customers]
    every_status = list(OrderStatus)
    requests = []
    for index in range(count):
        wanted = every_status[index] if index < len(every_status) else None
        age = _age_seconds(rng, wanted)
        created = now - datetime.timedelta(seconds=age)
        status = wanted or _status_for_age(rng, age)
        shipping = _shipping_for(rng, status, shop)
        customer, details = rng.choices(customers, customer_weights)[0]
        chosen: dict[int, int] = {}
        for _ in range(rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0]):
            product = rng.choices(products, weights)[0]
            bulk = 5 if customer.company else 1
            chosen[product.pk] = rng.choices((1, 1, 1, 2, 3), k=1)[0] * bulk
        path = _path_for(rng, status, shipping)
        # Steps spread over the time since the order, at most 10 days (never in the future).
        span = min(age, 10 * DAY)
        changes = tuple(
            StatusChange(
                status=step,
                at=created + datetime.timedelta(seconds=span * (i + 1) / (len(path) + 1)),
                actor=staff,
            )
            for i, step in enumerate(path)
        )
        requests.append(
            BulkOrderRequest(
                customer=customer,
                details=details,
                items=[OrderItem(pk, quantity) for pk, quantity in chosen.items()],
                shipping_method=shipping,
                created_at=created,
                actor=staff if rng.random() < 0.1 else Actor.customer(details.email),
                status_changes=changes,
                note=rng.choice(demo_data.ORDER_NOTES) if rng.random() < 0.06 else "",
            )
        )
    return requests


def _age_seconds(rng: random.Random, status: int | None) -> int:
    if status is not None and status not in (S.COMPLETED, S.CANCELLED, S.DELIVERED):
        return rng.randrange(600, 3 * DAY)  # an open status: a recent order
    # More orders lately (a growing shop); during the day, mostly in the evening.
    day = int(365 * (1 - rng.random() ** 0.8))
    return max(60, day * DAY + rng.randrange(DAY))


def _status_for_age(rng: random.Random, age: int) -> int:
    table = RECENT if age < 3 * DAY else WEEKS if age < 21 * DAY else OLD
    return rng.choices(list(table), list(table.values()))[0]


def _shipping_for(rng: random.Random, status: int, shop: Shop) -> str:
    if status == S.READY_FOR_PICKUP:
        return ShippingMethod.PICKUP
    if status in (S.SHIPPED, S.DELIVERED) or not shop.allows_pickup:
        return ShippingMethod.DELIVERY
    return ShippingMethod.PICKUP if rng.random() < 0.2 else ShippingMethod.DELIVERY


def _path_for(rng: random.Random, status: int, shipping: str) -> tuple[int, ...]:
    if status == S.COMPLETED:
        return COMPLETED_PATHS[shipping]
    if status == S.CANCELLED:
        return rng.choice(CANCELLED_PATHS)
    return PATHS[status]


def _stock_up(shop: Shop, requests: list[BulkOrderRequest], *, seed: int) -> None:
    """Book enough stock (a correction dated before the first order) for the new orders.

    What is left afterwards varies per product (some run low), so the demo looks lived in.
    """
    needed: dict[int, int] = defaultdict(int)
    for request in requests:
        for item in request.items:
            needed[item.product_id] += item.quantity
    if not needed:
        return
    rng = random.Random(seed)
    products = lock_products(shop=shop, product_ids=needed)
    changes = []
    for pk, product in products.items():
        if not product.track_stock:
            continue
        left = rng.choice((0, 2, 5, 12, 25, 40, 80))
        quantity = needed[pk] + left - max(product.stock_level, 0)
        if quantity > 0:
            changes.append(StockChange(product=product, quantity=quantity))
    book_stock_movements(
        shop=shop,
        changes=changes,
        reason=MovementReason.CORRECTION,
        note="Beginvoorraad (demo)",
        at=min(r.created_at for r in requests) - datetime.timedelta(hours=1),
        allow_negative=True,
    )


# --- Invoice history --------------------------------------------------------------------------

# Invoices of orders in these statuses are (nearly always) paid; New orders sometimes.
PAID_STATUSES = frozenset(OrderStatus) - {S.NEW, S.AWAITING_PAYMENT, S.CANCELLED}
MAX_CREDITED_CANCELLATIONS = 200  # credited through the service, newest first
MAX_EDITED_ORDERS = 12
PAYMENT_NOTES = ("Bankoverschrijving", "iDEAL", "Overboeking ING", "Betaald via betaallink")


def _first_new_order_id(shop: Shop, added: int) -> int:
    ids = Order.objects.filter(shop=shop).order_by("-id").values_list("id", flat=True)
    return ids[added - 1]


def _invoice_history(shop: Shop, owner: User, *, first_new_id: int, seed: int) -> None:
    """Credits, corrections and payments for the orders just added (ids >= first_new_id)."""
    rng = random.Random(seed)
    staff = Actor.staff(owner)
    new_orders = Order.objects.filter(shop=shop, pk__gte=first_new_id)
    # Cancelled orders: their invoice credited in full (both settle as "credited").
    cancelled = new_orders.filter(status=S.CANCELLED).order_by("-id")[:MAX_CREDITED_CANCELLATIONS]
    for invoice in Invoice.objects.filter(
        order__in=list(cancelled), kind=InvoiceKind.DEBIT, state=PaymentState.UNPAID
    ):
        credit_invoice(shop=shop, invoice=invoice, actor=staff)
    # A few open orders edited afterwards: a line less (credit) or express shipping (debit).
    editable = list(
        new_orders.filter(status__in=[S.IN_PROCESS, S.BEING_PACKED, S.BACKORDER, S.RESERVED])
        .order_by("-id")
        .prefetch_related("lines")[: MAX_EDITED_ORDERS * 3]
    )
    edited = []
    for order in rng.sample(editable, min(MAX_EDITED_ORDERS, len(editable))):
        lines = [
            LineEdit(line_id=ln.pk, quantity=ln.quantity, unit_price=None)
            for ln in order.lines.all()
        ]
        shipping = order.shipping_cost
        if len(lines) > 1 and rng.random() < 0.6:
            lines.pop()
        elif shipping:
            shipping = shipping + Decimal("6.00")  # the customer asked for express delivery
        else:
            continue
        addresses = {
            prefix: AddressData(**{n: getattr(order, f"{prefix}_{n}") for n in ADDRESS_FIELDS})
            for prefix in ("billing", "delivery")
        }
        try:
            edit_order(
                shop=shop,
                order=order,
                lines=lines,
                shipping_cost=shipping,
                billing=addresses["billing"],
                delivery=addresses["delivery"],
                expected_version=order.version,
                actor=staff,
            )
            issue_correction(shop=shop, order=order, actor=staff)
        except KantoorError:
            continue
        edited.append(order.pk)
        if rng.random() < 0.7:  # paid by hand since; the open credit is settled with it
            for invoice in Invoice.objects.filter(
                order=order, kind=InvoiceKind.DEBIT, state=PaymentState.UNPAID
            ):
                record_bank_transfer(
                    shop=shop,
                    invoice=invoice,
                    paid_on=timezone.localdate(),
                    note=rng.choice(PAYMENT_NOTES),
                    actor=staff,
                    notify_customer=False,  # history: no e-mail
                )
    _mark_paid_in_bulk(shop, staff, new_orders=new_orders.exclude(pk__in=edited), rng=rng)


# Returns of recent orders, one of each way a return goes (requested, approved, received and
# back in stock, credited, completed without money, rejected), through the returns services.
RETURN_OUTCOMES = (
    "new",
    "approved",
    "received",
    "credited",
    "completed",
    "rejected",
    "exchanged",
) * 2


def _return_options(shop: Shop) -> tuple[list[ReturnReason], list[ReturnAction]]:
    for model, labels in (
        (ReturnReason, demo_data.RETURN_REASONS),
        (ReturnAction, demo_data.RETURN_ACTIONS),
    ):
        if not model.objects.filter(shop=shop).exists():
            model.objects.bulk_create(
                model(shop=shop, label_nl=nl, label_en=en, position=i)
                for i, (nl, en) in enumerate(labels)
            )
    return list(ReturnReason.objects.filter(shop=shop)), list(
        ReturnAction.objects.filter(shop=shop)
    )


def _return_history(shop: Shop, owner: User, *, first_new_id: int, seed: int) -> None:
    """Fourteen returns of the newest delivered and completed orders just added, in every
    state a return can be in; no e-mails (history)."""
    rng = random.Random(seed + 1)
    staff = Actor.staff(owner)
    reasons, actions = _return_options(shop)
    orders = list(
        Order.objects.filter(
            shop=shop, pk__gte=first_new_id, status__in=[S.DELIVERED, S.COMPLETED, S.SHIPPED]
        )
        .order_by("-id")
        .prefetch_related("lines")[: len(RETURN_OUTCOMES)]
    )
    for order, outcome in zip(orders, RETURN_OUTCOMES, strict=False):
        line = rng.choice(list(order.lines.all()))
        requested = [
            RequestedLine(
                line.pk,
                rng.randint(1, line.quantity),
                rng.choice(reasons).pk,
                rng.choice(actions).pk,
            )
        ]
        quiet = {"actor": staff, "notify_customer": False}
        try:
            try:
                made = request_return(
                    shop=shop,
                    order=order,
                    lines=requested,
                    source=ReturnSource.ACCOUNT if order.customer_id else ReturnSource.GUEST,
                    **quiet,
                )
            except ReturnError:  # past its period: the shop took it in anyway
                made = request_return(
                    shop=shop, order=order, lines=requested, source=ReturnSource.STAFF, **quiet
                )
            if outcome == "new":
                continue
            if outcome == "rejected":
                reject_return(
                    shop=shop, return_id=made.pk, note="Buiten de retourtermijn.", **quiet
                )
                continue
            approve_return(shop=shop, return_id=made.pk, **quiet)
            if outcome == "approved":
                continue
            received = [
                ReceivedLine(rl.pk, rl.quantity, restock=outcome != "completed")
                for rl in made.lines.all()
            ]
            receive_return(shop=shop, return_id=made.pk, lines=received, **quiet)
            if outcome == "credited":
                refund_return(shop=shop, return_id=made.pk, **quiet)
            elif outcome == "exchanged":
                exchange_return(
                    shop=shop, return_id=made.pk, note="Een nieuwe is onderweg.", **quiet
                )
            elif outcome == "completed":
                complete_return(
                    shop=shop, return_id=made.pk, note="Gerepareerd en teruggestuurd.", **quiet
                )
        except KantoorError:
            continue


# The demo's quotes: two in every status, a converted one becoming an order.
QUOTE_OUTCOMES = (
    "concept",
    "requested",
    "sent",
    "accepted",
    "rejected",
    "expired",
    "converted",
) * 2


def _quote_history(
    shop: Shop,
    owner: User,
    *,
    customers: list[tuple[Customer, CustomerDetails]],
    products: list[Product],
    seed: int,
) -> None:
    """Quotes in every status, through the quote services, without e-mails (history). Once
    per shop: a top-up adds orders, not more quotes."""
    if Quote.objects.filter(shop=shop).exists():
        return
    rng = random.Random(seed + 2)
    staff = Actor.staff(owner)
    for_sale = [p for p in products if p.active and (not p.track_stock or p.stock_level > 20)]
    today = timezone.localdate()
    for index, outcome in enumerate(QUOTE_OUTCOMES):
        customer, details = customers[index % len(customers)]
        chosen = rng.sample(for_sale, k=min(len(for_sale), rng.randint(1, 3)))
        lines = [
            QuoteLineInput(
                product_id=product.pk,
                quantity=rng.randint(1, 5),
                discount_percent=Decimal(rng.choice([0, 0, 5, 10])),
            )
            for product in chosen
        ]
        if index % 3 == 0:
            lines.append(
                QuoteLineInput(
                    product_id=None,
                    quantity=1,
                    unit_price=Decimal("45.00"),
                    description="Montage en afstellen",
                    vat_rate=Decimal("21"),
                )
            )
        address = details.billing
        quote_details = QuoteDetails(
            email=customer.email,
            customer_id=customer.pk,
            first_name=details.first_name,
            last_name=details.last_name,
            company=details.company,
            vat_number=details.vat_number,
            street=address.street,
            postcode=address.postcode,
            city=address.city,
            country=address.country,
            language=details.language,
            valid_until=today + datetime.timedelta(days=rng.choice([3, 14, 30])),
            note="Met vriendelijke groet, het team van Fietsonderdelen.",
        )
        quiet = {"actor": staff, "notify": False}
        try:
            quote = create_quote(
                shop=shop,
                details=quote_details,
                lines=lines,
                requested=outcome == "requested",
                request_message="Graag een offerte voor onze vereniging."
                if outcome == "requested"
                else "",
                **quiet,
            )
            if outcome in ("concept", "requested"):
                continue
            send_quote(shop=shop, quote_id=quote.pk, **quiet)
            if outcome == "expired":
                # The demo's clock: this quote was sent long ago and its last day has passed.
                Quote.objects.filter(pk=quote.pk).update(
                    valid_until=today - datetime.timedelta(days=rng.randint(1, 20))
                )
                continue
            customer_actor = {"actor": Actor.customer(customer.email), "notify": False}
            if outcome in ("accepted", "converted"):
                accept_quote(
                    shop=shop,
                    quote_id=quote.pk,
                    revision=1,
                    name=customer.full_name or customer.email,
                    terms_accepted=True,
                    ip_address="192.0.2.10",
                    **customer_actor,
                )
            if outcome == "rejected":
                decline_quote(
                    shop=shop, quote_id=quote.pk, revision=1, reason="Te duur.", **customer_actor
                )
            if outcome == "converted":
                convert_quote(shop=shop, quote_id=quote.pk, **quiet)
        except KantoorError:
            continue
    expire_quotes()


# How the paid invoices were paid: mostly online (the demo provider), some by bank transfer.
ONLINE_SHARE = 0.8
DEMO_METHODS = ("ideal", "ideal", "ideal", "creditcard", "bancontact")


def _mark_paid_in_bulk(shop: Shop, staff: Actor, *, new_orders, rng: random.Random) -> None:
    """Most invoices paid a few days after the invoice date: most online through the demo
    provider, the rest by bank transfer entered by staff, booked by
    kantoor.payments.bulk.record_payments_in_bulk with the rows the payments services write."""
    today = timezone.localdate()
    now = timezone.now()
    by_day: dict[tuple[datetime.date, str], list[BulkPayment]] = defaultdict(list)
    rows = (
        Invoice.objects.filter(
            shop=shop,
            order__in=new_orders,
            kind=InvoiceKind.DEBIT,
            state=PaymentState.UNPAID,
            order__status__in=[*PAID_STATUSES, S.NEW],
        )
        .values_list("id", "issued_on", "created_at", "order__status")
        .order_by("id")
    )
    for pk, issued_on, issued_at, status in rows.iterator(chunk_size=5000):
        if status == S.NEW and rng.random() < 0.7:
            continue
        elif status != S.NEW and rng.random() < 0.04:
            continue  # some still open
        online = rng.random() < ONLINE_SHARE
        paid_on = (
            issued_on if online else issued_on + datetime.timedelta(days=rng.choice((1, 2, 3, 6)))
        )
        paid_on = min(paid_on, today)
        method = rng.choice(DEMO_METHODS) if online else "banktransfer"
        note = "" if online else rng.choice(PAYMENT_NOTES)
        # At 10:00 that day, or when the invoice was issued if that was later (never "now").
        day_start = timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(10)))
        at = min(now, max(day_start, issued_at))
        by_day[(paid_on, note)].append(
            BulkPayment(
                invoice_id=pk,
                at=at,
                provider=Provider.DEMO if online else Provider.MANUAL,
                method=method,
                paid_on=None if online else paid_on,
                note=note,
                actor=None if online else staff,
            )
        )
    record_payments_in_bulk(
        shop=shop, payments=[payment for day in by_day.values() for payment in day]
    )
