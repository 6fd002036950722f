"""Paid means the settled invoices cover the order's current total (issue 10: an order whose
total an edit raised still said "Paid" until a new invoice was made). Otherwise the order page,
the order list and the customer's account page show what is due."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice
from kantoor.invoices.order_list import OrderFilters, count_orders, filtered_orders, order_list
from kantoor.invoices.selectors import order_amount_due, order_is_paid
from kantoor.invoices.services import issue_correction, mark_invoice_paid
from kantoor.orders.services import change_order_status
from tests.invoices.helpers import edit, line_edits
from tests.storefront.conftest import url as shop_url


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def paid_order(shop, products, make_order, customer, staff):
    order = make_order(
        shop, products[:2], quantities=[2, 1], email=customer.email, account=customer
    )
    order.shop = shop
    invoice = Invoice.objects.get(order=order)
    mark_invoice_paid(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), note="", actor=staff
    )
    assert order_is_paid(shop=shop, order=order)
    return order


def raise_total(order, staff):
    """One more bell (12.99): the order's total goes up, nothing is invoiced yet."""
    edit(order, staff, lines=line_edits(order, BEL_01=(3, Decimal("12.99"))))
    order.refresh_from_db()


def listed_as_paid(shop, order) -> bool:
    (row,) = [o for o in order_list(shop=shop, filters=OrderFilters()).orders if o.pk == order.pk]
    paid = [o.pk for o in order_list(shop=shop, filters=OrderFilters(paid=True)).orders]
    unpaid = [o.pk for o in order_list(shop=shop, filters=OrderFilters(paid=False)).orders]
    assert (order.pk in paid) is row.is_paid and (order.pk in unpaid) is not row.is_paid
    assert count_orders(shop=shop, filters=OrderFilters(paid=row.is_paid)).value == 1
    return row.is_paid


def test_a_raised_total_is_not_paid_until_the_difference_is(shop, paid_order, staff):
    raise_total(paid_order, staff)
    assert not order_is_paid(shop=shop, order=paid_order)
    assert not listed_as_paid(shop, paid_order)
    assert order_amount_due(shop=shop, order=paid_order) == Decimal("12.99")
    extra = issue_correction(shop=shop, order=paid_order, actor=staff)
    assert not order_is_paid(shop=shop, order=paid_order)
    assert order_amount_due(shop=shop, order=paid_order) == Decimal("12.99")
    mark_invoice_paid(shop=shop, invoice=extra, paid_on=timezone.localdate(), note="", actor=staff)
    assert order_is_paid(shop=shop, order=paid_order)
    assert listed_as_paid(shop, paid_order)
    assert order_amount_due(shop=shop, order=paid_order) == 0


def test_a_lowered_total_stays_paid_and_a_cancelled_order_too(shop, paid_order, staff):
    edit(paid_order, staff, lines=line_edits(paid_order, BOEK_01=None))
    paid_order.refresh_from_db()
    assert order_is_paid(shop=shop, order=paid_order)
    assert listed_as_paid(shop, paid_order)
    assert order_amount_due(shop=shop, order=paid_order) < 0  # to be paid back
    change_order_status(shop=shop, order=paid_order, status=OrderStatus.CANCELLED, actor=staff)
    paid_order.refresh_from_db()
    assert order_is_paid(shop=shop, order=paid_order)
    assert listed_as_paid(shop, paid_order)


def test_the_order_page_shows_what_is_due(client, shop, make_staff, paid_order, staff):
    client.force_login(make_staff(shop))
    page = reverse("backoffice:order", kwargs={"shop_slug": shop.slug, "number": paid_order.number})
    assert 'id="order-paid"' in client.get(page).text
    assert "kt-pay-state-paid" in client.get(page).text
    raise_total(paid_order, staff)
    html = client.get(page).text
    assert "kt-pay-state-paid" not in html
    assert 'data-due="12.99"' in html


def test_the_account_page_shows_paid_or_what_is_due(customer_client, shop, paid_order, staff):
    html = customer_client.get(shop_url(shop, "account")).text
    assert 'data-paid="yes"' in html
    raise_total(paid_order, staff)
    html = customer_client.get(shop_url(shop, "account")).text
    assert 'data-paid="no"' in html and 'data-due="12.99"' in html


@pytest.mark.postgres
def test_the_not_paid_filter_still_probes_the_partial_index(shop, paid_order, staff):
    if connection.vendor != "postgresql":
        pytest.skip("the partial index and its plan are PostgreSQL's")
    query = filtered_orders(shop=shop, filters=OrderFilters(paid=False))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    assert "invoice_unsettled_order" in plan, plan
