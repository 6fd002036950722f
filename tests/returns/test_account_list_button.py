"""The Return button on the account's order list: only for an order the customer can return now
(the same rule as the order page), and found for a whole page of orders in a fixed number of
queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import sign_up_customer
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import change_order_status
from kantoor.returns.errors import ReturnError
from kantoor.returns.models import ReturnSource
from kantoor.returns.selectors import returnable_lines, returnable_order_ids
from kantoor.returns.services import RequestedLine, check_order_returnable, request_return
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for
from kantoor.shops.services import update_workflow_settings
from tests.conftest import PASSWORD
from tests.storefront.conftest import url


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
def customer_client(shop, customer):
    client = Client()
    response = client.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def order_in(shop, make_product, make_order, customer, owner):
    """An order of the customer's account (two lamps and a book), taken through ``statuses``."""
    lamp = make_product(shop, sku="LAMP-01", name="Fietslamp", stock=1000)
    book = make_product(shop, sku="BOEK-01", name="Fietsrouteboek", price="9.95", stock=1000)

    def make(*statuses):
        order = make_order(shop, [lamp, book], quantities=[2, 1], account=customer)
        for status in statuses:
            change_order_status(shop=shop, order=order, status=status, actor=Actor.staff(owner))
        order.refresh_from_db()
        return order

    return make


SHIPPED, DELIVERED = OrderStatus.SHIPPED, OrderStatus.DELIVERED


def return_link(shop, order) -> str:
    return f'href="{url(shop, "account_return", number=order.number)}"'


def account_page(client, shop) -> str:
    response = client.get(url(shop, "account"))
    assert response.status_code == 200
    return response.text


def test_a_delivered_order_within_the_period_has_a_return_button(shop, customer_client, order_in):
    delivered = order_in(SHIPPED, DELIVERED)
    new = order_in()
    page = account_page(customer_client, shop)
    assert page.count(return_link(shop, delivered)) == 1
    assert return_link(shop, new) not in page
    # The button leads to the return form of that order.
    assert customer_client.get(
        url(shop, "account_return", number=delivered.number)
    ).status_code == (200)


def test_no_button_when_self_service_or_the_module_is_off(shop, owner, customer_client, order_in):
    delivered = order_in(SHIPPED, DELIVERED)
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"returns_self_service": False}
    )
    page = account_page(customer_client, shop)
    assert delivered.number in page and return_link(shop, delivered) not in page
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"returns_self_service": True}
    )
    update_workflow_settings(
        shop=shop, user=owner, section="modules", values={"returns_enabled": False}
    )
    page = account_page(customer_client, shop)
    assert delivered.number in page and return_link(shop, delivered) not in page


def test_no_button_once_everything_is_in_a_return_or_the_period_is_over(
    shop, owner, customer_client, order_in, reasons, actions
):
    returned, late = order_in(SHIPPED, DELIVERED), order_in(SHIPPED, DELIVERED)
    request_return(
        shop=shop,
        order=returned,
        lines=[
            RequestedLine(line.pk, line.quantity, reasons[0].pk, actions[0].pk)
            for line in returned.lines.all()
        ],
        source=ReturnSource.ACCOUNT,
        actor=Actor.customer(returned.email),
    )
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"return_period_days": 14}
    )
    OrderEvent.objects.filter(order=late, kind=OrderEventKind.STATUS_CHANGED).update(
        created_at=timezone.now() - datetime.timedelta(days=15)
    )
    page = account_page(customer_client, shop)
    assert returned.number in page and late.number in page
    assert return_link(shop, returned) not in page
    assert return_link(shop, late) not in page


def test_the_list_decides_as_the_order_page_does(
    shop, other_shop, owner, customer, order_in, reasons, actions, make_product, make_order
):
    """For orders in every state, the selector agrees with check_order_returnable and
    returnable_lines, the order page's rule."""
    orders = [
        order_in(),
        order_in(OrderStatus.IN_PROCESS),
        order_in(SHIPPED),
        order_in(SHIPPED, DELIVERED),
        order_in(SHIPPED, DELIVERED, OrderStatus.COMPLETED),
        order_in(OrderStatus.CANCELLED),
    ]
    partly = order_in(SHIPPED, DELIVERED)
    line = partly.lines.first()
    request_return(
        shop=shop,
        order=partly,
        lines=[RequestedLine(line.pk, 1, reasons[0].pk, actions[0].pk)],
        source=ReturnSource.ACCOUNT,
        actor=Actor.customer(partly.email),
    )
    orders.append(partly)
    foreign = make_order(other_shop, [make_product(other_shop)])
    change_order_status(shop=other_shop, order=foreign, status=SHIPPED, actor=Actor.system())
    foreign.refresh_from_db()

    def by_the_order_page(source):
        decided = set()
        for order in orders:
            try:
                check_order_returnable(shop=shop, order=order, source=source)
            except ReturnError:
                continue
            if any(item.returnable for item in returnable_lines(order=order)):
                decided.add(order.pk)
        return decided

    for source in (ReturnSource.ACCOUNT, ReturnSource.GUEST, ReturnSource.STAFF):
        fresh = Shop.objects.get(pk=shop.pk)
        found = returnable_order_ids(shop=fresh, orders=[*orders, foreign], source=source)
        assert found == by_the_order_page(source), source
    assert returnable_order_ids(shop=shop, orders=orders) == {
        orders[2].pk,
        orders[3].pk,
        orders[4].pk,
        partly.pk,
    }
    # Tomorrow's tomorrow of the period: nothing for the customer, still everything for staff.
    later = timezone.localdate() + datetime.timedelta(days=400)
    assert returnable_order_ids(shop=shop, orders=orders, today=later) == set()
    assert returnable_order_ids(
        shop=shop, orders=orders, source=ReturnSource.STAFF, today=later
    ) == {orders[2].pk, orders[3].pk, orders[4].pk, partly.pk}


def test_the_selector_reads_a_page_of_orders_in_three_queries(
    shop, order_in, django_assert_num_queries
):
    orders = [order_in(SHIPPED, DELIVERED) for _ in range(5)] + [order_in()]
    orders = list(Order.objects.filter(pk__in=[o.pk for o in orders]))
    workflow_settings_for(shop=shop)  # read along with the shop in a request
    with django_assert_num_queries(3):
        found = returnable_order_ids(shop=shop, orders=orders)
    assert len(found) == 5
    with django_assert_num_queries(0):  # nothing left the shop: nothing to ask
        assert returnable_order_ids(shop=shop, orders=[o for o in orders if o.pk not in found]) == (
            set()
        )


def test_the_account_page_does_not_query_per_order(
    shop, customer_client, order_in, reasons, actions, django_assert_max_num_queries
):
    order_in(SHIPPED, DELIVERED)
    order_in()
    with CaptureQueriesContext(connection) as few:
        account_page(customer_client, shop)
    more = [order_in(SHIPPED, DELIVERED) for _ in range(6)] + [order_in(), order_in(SHIPPED)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = account_page(customer_client, shop)
    for order in more:
        shown = return_link(shop, order) in page
        assert shown == (order.status != OrderStatus.NEW), order.number
