import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kantoor.customers.models import Customer
from kantoor.orders.models import Order
from kantoor.orders.statuses import OrderStatus
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
