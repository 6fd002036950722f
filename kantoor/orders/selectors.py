from django.db.models import QuerySet
from django.http import Http404

from kantoor.customers.models import Customer
from kantoor.orders.models import Order
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
