import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kantoor.core.money import PriceLine, Totals, totals_with_shipping
from kantoor.core.statuses import OrderStatus
from kantoor.customers.models import Customer
from kantoor.orders.models import Order, OrderEvent
from kantoor.shops.models import Shop


def orders_for_customer(*, shop: Shop, customer: Customer) -> QuerySet[Order]:
    """A customer's own orders, newest first."""
    return Order.objects.filter(shop=shop, customer=customer).order_by("-created_at", "-pk")


def order_for_customer(*, shop: Shop, customer: Customer, number: str) -> Order:
    """One of the customer's own orders with its lines; 404 for anyone else's."""
    order = (
        Order.objects.filter(shop=shop, customer=customer, number=number)
        .prefetch_related("lines")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def order_by_number(*, shop: Shop, number: str) -> Order:
    order = Order.objects.filter(shop=shop, number=number).prefetch_related("lines").first()
    if order is None:
        raise Http404("No such order.")
    return order


def recent_orders(*, shop: Shop, limit: int = 10) -> QuerySet[Order]:
    return Order.objects.filter(shop=shop).order_by("-created_at", "-pk")[:limit]


@dataclass(frozen=True)
class OrderKeyFigures:
    orders_today: int
    orders_new: int
    revenue_this_month: Decimal  # incl. VAT, cancelled orders left out


def order_key_figures(*, shop: Shop, now: datetime.datetime | None = None) -> OrderKeyFigures:
    """The overview's figures in two indexed queries (shop + created_at, shop + status).

    "Today" and "this month" are in the site's time zone.
    """
    local_now = timezone.localtime(now or timezone.now())
    today_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = today_start.replace(day=1)
    month = Order.objects.filter(shop=shop, created_at__gte=month_start).aggregate(
        today=Count("pk", filter=Q(created_at__gte=today_start)),
        revenue=Sum("total_gross", filter=~Q(status=OrderStatus.CANCELLED)),
    )
    new = Order.objects.filter(shop=shop, status=OrderStatus.NEW).count()
    return OrderKeyFigures(
        orders_today=month["today"],
        orders_new=new,
        revenue_this_month=month["revenue"] or Decimal("0.00"),
    )


def order_by_id(*, shop: Shop, order_id: int) -> Order:
    """An order of this shop with its lines, by id (e.g. from a signed link); 404 otherwise."""
    order = Order.objects.filter(shop=shop, pk=order_id).prefetch_related("lines").first()
    if order is None:
        raise Http404("No such order.")
    return order


# --- Back office: one order's page and a customer's orders --------------------------------------


def order_for_staff(*, shop: Shop, number: str) -> Order:
    """One order of this shop for its back-office page: customer joined, lines prefetched.

    Two queries whatever the number of lines; 404 for an unknown number or another shop's order.
    """
    order = (
        Order.objects.filter(shop=shop, number=number)
        .select_related("customer")
        .prefetch_related("lines")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    order.shop = shop  # the caller's shop is this order's shop: no query to load it again
    return order


def order_events(*, shop: Shop, order: Order, kinds: list[str] | None = None) -> list[OrderEvent]:
    """The order's timeline, newest first, in one query (the actor's name is stored on the row)."""
    events = OrderEvent.objects.filter(shop=shop, order=order)
    if kinds:
        events = events.filter(kind__in=kinds)
    return list(events.order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class CustomerOrderFigures:
    orders: int
    spent: Decimal  # incl. VAT, cancelled orders left out
    last_order_at: datetime.datetime | None
    first_order_at: datetime.datetime | None = None

    def customer_since(self, customer) -> datetime.datetime:
        """Since when they are a customer: their first order, or the record's creation when
        that is earlier (a customer record is also made later, e.g. on a sign-up after guest
        orders, or for orders imported with their own dates)."""
        dates = [d for d in (customer.created_at, self.first_order_at) if d is not None]
        return min(dates)


NO_ORDERS = CustomerOrderFigures(orders=0, spent=Decimal("0.00"), last_order_at=None)


def order_figures_for_customers(
    *, shop: Shop, customer_ids: list[int]
) -> dict[int, CustomerOrderFigures]:
    """Order count, amount spent, first and last order date per customer, in one grouped
    query."""
    rows = (
        Order.objects.filter(shop=shop, customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(
            orders=Count("pk"),
            spent=Sum("total_gross", filter=~Q(status=OrderStatus.CANCELLED)),
            last=Max("created_at"),
            first=Min("created_at"),
        )
    )
    figures = dict.fromkeys(customer_ids, NO_ORDERS)
    for row in rows:
        figures[row["customer_id"]] = CustomerOrderFigures(
            orders=row["orders"],
            spent=row["spent"] or Decimal("0.00"),
            last_order_at=row["last"],
            first_order_at=row["first"],
        )
    return figures


def order_totals(*, order: Order) -> Totals:
    """A placed order's totals (per line, per VAT rate, overall) from its frozen lines."""
    return totals_with_shipping(
        (
            PriceLine(unit_price=line.unit_price, quantity=line.quantity, vat_rate=line.vat_rate)
            for line in order.lines.all()
        ),
        shipping_cost=order.shipping_cost,
        shipping_vat_rate=order.shipping_vat_rate,
        prices_include_vat=order.prices_include_vat,
    )


def latest_order(*, shop: Shop) -> Order | None:
    """The shop's latest order (e.g. to preview an e-mail template with real values)."""
    return Order.objects.filter(shop=shop).order_by("-created_at", "-pk").first()
