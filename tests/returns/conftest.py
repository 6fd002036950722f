import pytest
from django.test import Client

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import sign_up_customer
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnAction, ReturnReason
from tests.conftest import PASSWORD
from tests.storefront.conftest import url


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


@pytest.fixture
def customer(shop):
    return sign_up_customer(
        shop=shop,
        email="jan@example.test",
        password=PASSWORD,
        first_name="Jan",
        last_name="Jansen",
        language="en",
    )


@pytest.fixture
def account_order(shop, products, make_order, customer, owner):
    bell, book, _voucher = products
    order = make_order(shop, [bell, book], quantities=[2, 1], account=customer)
    staff = Actor.staff(owner)
    change_order_status(shop=shop, order=order, status=OrderStatus.SHIPPED, actor=staff)
    order.refresh_from_db()
    return order


@pytest.fixture
def customer_client(shop, customer):
    client = Client()
    assert (
        client.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD}).status_code
        == 302
    )
    return client
