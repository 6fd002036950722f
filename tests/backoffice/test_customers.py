"""The customers area: list with search, a customer's page with their orders."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.models import Customer
from kantoor.orders.models import Order
from kantoor.orders.services import change_order_status


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


@pytest.fixture
def customers(shop, products, make_order):
    bell, book, _ = products
    first = make_order(shop, [bell], email="jan@example.test")
    make_order(shop, [book], email="jan@example.test")
    make_order(shop, [book], email="piet@example.test")
    Customer.objects.filter(email="piet@example.test").update(
        first_name="Piet", last_name="Pietersen", company="Fietsenmakerij Zuid"
    )
    change_order_status(shop=shop, order=first, status=OrderStatus.CANCELLED, actor=Actor.system())
    return {c.email: c for c in Customer.objects.filter(shop=shop)}


def test_customer_urls_are_404_for_another_shops_staff(
    client, shop, other_shop, customers, make_staff
):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    jan = customers["jan@example.test"]
    assert client.get(url("customers", shop)).status_code == 404
    assert client.get(url("customer", shop, customer_id=jan.pk)).status_code == 404
    # This shop's customer id under the stranger's own shop.
    assert client.get(url("customer", other_shop, customer_id=jan.pk)).status_code == 404
    assert client.get(url("order_new", shop)).status_code == 404
    assert client.get(url("order_new", other_shop), {"customer": jan.pk}).status_code == 404


def test_the_list_shows_each_customer_with_orders_spent_and_last_order(
    staff_client, shop, customers
):
    response = staff_client.get(url("customers", shop))
    assert response.status_code == 200
    rows = {row["customer"].email: row["figures"] for row in response.context["rows"]}
    assert rows["jan@example.test"].orders == 2
    jan_orders = customers["jan@example.test"].orders.all()
    # the cancelled order does not count as spent
    expected = sum(o.total_gross for o in jan_orders if o.status != OrderStatus.CANCELLED)
    assert rows["jan@example.test"].spent == expected
    assert "Fietsenmakerij Zuid" in response.text
    assert url("customer", shop, customer_id=customers["piet@example.test"].pk) in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("piet", ["piet@example.test"]),
        ("PIETERSEN", ["piet@example.test"]),
        ("zuid", ["piet@example.test"]),
        ("jan@example", ["jan@example.test"]),
        ("example.test", ["jan@example.test", "piet@example.test"]),
        ("piet zuid", ["piet@example.test"]),
        ("nobody", []),
    ],
)
def test_search_by_name_email_or_company(staff_client, shop, customers, query, found):
    response = staff_client.get(url("customers", shop), {"q": query})
    assert sorted(row["customer"].email for row in response.context["rows"]) == found
    if not found:
        assert "No customers match" in response.text


def test_htmx_search_returns_only_the_results(staff_client, shop, customers):
    response = staff_client.get(
        url("customers", shop), {"q": "piet"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "piet@example.test" in response.text


def test_the_list_is_paginated_and_its_query_count_does_not_grow(staff_client, shop):
    Customer.objects.bulk_create(
        [
            Customer(shop=shop, email=f"c{n:03d}@example.test", last_name=f"K{n:03d}")
            for n in range(120)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        page_one = staff_client.get(url("customers", shop))
    assert len(page_one.context["rows"]) == 50
    assert "1–50 of 120" in page_one.text
    with CaptureQueriesContext(connection) as queries_last:
        page_three = staff_client.get(url("customers", shop), {"page": 3})
    assert len(page_three.context["rows"]) == 20
    assert len(queries) == len(queries_last) <= 10


def test_another_shops_customers_are_not_listed(staff_client, shop, other_shop, customers):
    Customer.objects.create(shop=other_shop, email="vreemd@example.test", first_name="Vreemd")
    response = staff_client.get(url("customers", shop), {"q": "vreemd"})
    assert response.context["rows"] == []


def test_the_customer_page_shows_their_data_and_orders_newest_first(staff_client, shop, customers):
    jan = customers["jan@example.test"]
    response = staff_client.get(url("customer", shop, customer_id=jan.pk))
    assert response.status_code == 200
    orders = response.context["orders"]
    assert [o.created_at for o in orders] == sorted((o.created_at for o in orders), reverse=True)
    for order in orders:
        assert url("order", shop, number=order.number) in response.text
    assert "Cancelled" in response.text  # the status badge
    assert "jan@example.test" in response.text
    assert response.context["figures"].orders == 2


def test_a_customer_without_orders_gets_an_honest_empty_state(staff_client, shop):
    lonely = Customer.objects.create(shop=shop, email="solo@example.test", first_name="Solo")
    response = staff_client.get(url("customer", shop, customer_id=lonely.pk))
    assert "No orders yet" in response.text


def test_the_menu_has_customers_under_my_orders(staff_client, shop):
    page = staff_client.get(url("customers", shop)).text
    assert 'data-menu-key="customers"' in page
    assert 'aria-current="page"' in page


def test_customer_since_is_their_first_order_when_that_is_earlier_than_the_record(
    staff_client, shop, customers
):
    jan = customers["jan@example.test"]
    first = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    Order.objects.filter(shop=shop, customer=jan).update(created_at=first)
    page = staff_client.get(url("customer", shop, customer_id=jan.pk)).text
    assert "Customer since 2 March 2026" in page
    # A record older than the first order (an account made before ordering) counts from then.
    Customer.objects.filter(pk=jan.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 12, 24, 9, 0))
    )
    page = staff_client.get(url("customer", shop, customer_id=jan.pk)).text
    assert "Customer since 24 December 2025" in page
