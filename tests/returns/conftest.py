import pytest

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnAction, ReturnReason


@pytest.fixture
def reasons(shop):
    return [
        ReturnReason.objects.create(shop=shop, label_nl="Kapot", label_en="Damaged", position=0),
        ReturnReason.objects.create(shop=shop, label_nl="Past niet", label_en="Does not fit"),
    ]


@pytest.fixture
def actions(shop):
    return [
        ReturnAction.objects.create(shop=shop, label_nl="Geld terug", label_en="Refund"),
        ReturnAction.objects.create(shop=shop, label_nl="Ruilen", label_en="Exchange"),
    ]


@pytest.fixture
def delivered_order(shop, products, make_order, owner):
    """Two bells and a book, delivered today."""
    bell, book, _voucher = products
    order = make_order(shop, [bell, book], quantities=[2, 1])
    staff = Actor.staff(owner)
    change_order_status(shop=shop, order=order, status=OrderStatus.SHIPPED, actor=staff)
    change_order_status(shop=shop, order=order, status=OrderStatus.DELIVERED, actor=staff)
    order.refresh_from_db()
    return order
