"""The order list's "Paid" column and its paid / not paid filter: the same answer as
kantoor.invoices.selectors.order_is_paid, without a query per row."""

import datetime
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.order_list import OrderFilters, count_orders, order_list
from kantoor.invoices.selectors import order_is_paid
from kantoor.invoices.services import credit_invoice, mark_invoice_paid
from kantoor.orders.models import Order
from tests.backoffice.test_order_list import make_many

STATES = [state.value for state in PaymentState]


def list_url(shop, query=""):
    return reverse("backoffice:orders", kwargs={"shop_slug": shop.slug}) + query


def paid_marks(response) -> dict[str, str]:
    return dict(re.findall(r'<tr data-order="([^"]+)".*?data-paid="(yes|no)"', response.text, re.S))


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def pay(shop, order):
    invoice = Invoice.objects.get(order=order, kind=InvoiceKind.DEBIT)
    mark_invoice_paid(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), note="", actor=Actor.system()
    )


def test_every_combination_of_invoice_states_agrees_with_order_is_paid(shop, products):
    """A debit and a credit invoice in each of the 16 combinations of states, with the order's
    total covered by them or not (its total as placed, or nothing): the list's column and both
    filters say what order_is_paid says (payment columns may change in the database)."""
    order = make_many(shop, products, 1)[0]
    order.shop = shop
    debit = Invoice.objects.get(order=order)
    credit = credit_invoice(shop=shop, invoice=debit, actor=Actor.system())
    seen = set()
    placed_total = order.total_gross
    for debit_state, credit_state, total in itertools.product(
        STATES, STATES, [placed_total, Decimal("0.00")]
    ):
        Invoice.objects.filter(pk=debit.pk).update(state=debit_state)
        Invoice.objects.filter(pk=credit.pk).update(state=credit_state)
        Order.objects.filter(pk=order.pk).update(total_gross=total)
        order.total_gross = total
        expected = order_is_paid(shop=shop, order=order)
        seen.add(expected)
        (row,) = order_list(shop=shop, filters=OrderFilters()).orders
        assert row.is_paid is expected, (debit_state, credit_state, total)
        paid = order_list(shop=shop, filters=OrderFilters(paid=True)).orders
        unpaid = order_list(shop=shop, filters=OrderFilters(paid=False)).orders
        assert [o.pk for o in paid] == ([order.pk] if expected else [])
        assert [o.pk for o in unpaid] == ([] if expected else [order.pk])
        assert count_orders(shop=shop, filters=OrderFilters(paid=expected)).value == 1
    assert seen == {True, False}


def test_the_column_shows_paid_and_not_paid(staff_client, shop, products):
    orders = make_many(shop, products, 3)
    pay(shop, orders[1])
    marks = paid_marks(staff_client.get(list_url(shop)))
    assert marks == {orders[0].number: "no", orders[1].number: "yes", orders[2].number: "no"}


def test_the_filter_and_the_not_paid_tab(staff_client, shop, products):
    orders = make_many(shop, products, 4)
    pay(shop, orders[0])
    pay(shop, orders[2])
    response = staff_client.get(list_url(shop, "?paid=yes"))
    assert set(paid_marks(response)) == {orders[0].number, orders[2].number}
    assert "Payment: paid" in response.text  # the chip that removes it
    assert "2 orders" in response.text
    response = staff_client.get(list_url(shop, "?paid=no"))
    assert set(paid_marks(response)) == {orders[1].number, orders[3].number}
    assert f'class="kt-tab active" href="{list_url(shop)}?paid=no" data-view="unpaid"' in (
        response.text
    )
    # Another tab leaves the paid filter; a status filter keeps it.
    assert f'href="{list_url(shop)}?status=1" data-view="new"' in response.text
    both = staff_client.get(list_url(shop, "?paid=no&status=1"))
    assert set(paid_marks(both)) == {orders[1].number, orders[3].number}


def test_a_bad_paid_value_is_reported_and_left_out(staff_client, shop, products):
    make_many(shop, products, 2)
    response = staff_client.get(list_url(shop, "?paid=maybe"))
    assert response.status_code == 200
    assert "Choose paid or not paid." in response.text
    assert len(paid_marks(response)) == 2


def test_no_match_for_the_filter_says_so(staff_client, shop, products):
    make_many(shop, products, 2)
    response = staff_client.get(list_url(shop, "?paid=yes"))
    assert 'id="orders-no-match"' in response.text


def test_the_paid_column_costs_no_query_per_row(staff_client, shop, products):
    orders = make_many(shop, products, 5)
    pay(shop, orders[0])
    staff_client.get(list_url(shop))  # warm caches (session, settings)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(list_url(shop, "?paid=no"))
    more = make_many(shop, products, 30, start=orders[-1].created_at + datetime.timedelta(hours=1))
    for order in more[::3]:
        pay(shop, order)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(list_url(shop, "?paid=no"))
    assert len(paid_marks(response)) == 4 + 20
    assert len(many.captured_queries) == len(few.captured_queries)
