"""The Payments page's reads: filters, search, keyset pages, shop scoping."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kantoor.core.keyset import InvalidCursor
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.payments.models import Payment
from kantoor.payments.selectors import (
    PaymentFilters,
    count_payments,
    payment_for_shop,
    payment_list,
    payments_for_invoice,
)
from kantoor.payments.services import record_bank_transfer, start_payment

RETURN = "http://testserver/r/"


@pytest.fixture
def payments(shop, products, make_order, staff_actor):
    made = []
    for index in range(5):
        order = make_order(shop, products[:1], email=f"c{index}@example.test")
        invoice = order.invoices.get()
        if index % 2:
            made.append(
                record_bank_transfer(
                    shop=shop,
                    invoice=invoice,
                    paid_on=timezone.localdate(),
                    amount=Decimal("1.00"),
                    actor=staff_actor,
                )
            )
        else:
            made.append(start_payment(shop=shop, invoice=invoice, redirect_url=RETURN))
    return made


def test_newest_first_in_keyset_pages(shop, payments):
    first = payment_list(shop=shop, filters=PaymentFilters(), page_size=2)
    assert [p.pk for p in first.payments] == [payments[4].pk, payments[3].pk]
    assert first.is_first and not first.is_last
    second = payment_list(shop=shop, filters=PaymentFilters(), after=first.next_cursor, page_size=2)
    assert [p.pk for p in second.payments] == [payments[2].pk, payments[1].pk]
    last = payment_list(shop=shop, filters=PaymentFilters(), last=True, page_size=2)
    assert [p.pk for p in last.payments] == [payments[1].pk, payments[0].pk]
    back = payment_list(
        shop=shop, filters=PaymentFilters(), before=second.previous_cursor, page_size=2
    )
    assert [p.pk for p in back.payments] == [payments[4].pk, payments[3].pk]


def test_filters_and_search(shop, payments):
    manual = payment_list(shop=shop, filters=PaymentFilters(providers=("manual",)))
    assert {p.provider for p in manual.payments} == {"manual"}
    assert len(manual.payments) == 2
    open_ = payment_list(shop=shop, filters=PaymentFilters(states=("open",)))
    assert len(open_.payments) == 3
    number = payments[2].invoice.number
    found = payment_list(shop=shop, filters=PaymentFilters(query=number))
    assert [p.pk for p in found.payments] == [payments[2].pk]
    by_order = payment_list(shop=shop, filters=PaymentFilters(query=payments[1].order.number))
    assert [p.pk for p in by_order.payments] == [payments[1].pk]
    today = timezone.localdate()
    assert count_payments(shop=shop, filters=PaymentFilters(date_from=today, date_to=today)) == (
        5,
        True,
    )
    tomorrow = today + datetime.timedelta(days=1)
    assert count_payments(shop=shop, filters=PaymentFilters(date_from=tomorrow)) == (0, True)
    assert count_payments(shop=shop, filters=PaymentFilters(), cap=3) == (3, False)


def test_another_shops_payments_are_not_there(shop, other_shop, payments):
    assert payment_list(shop=other_shop, filters=PaymentFilters()).payments == []
    with pytest.raises(Http404):
        payment_for_shop(shop=other_shop, payment_id=payments[0].pk)
    assert payment_for_shop(shop=shop, payment_id=payments[0].pk) == payments[0]
    assert list(payments_for_invoice(shop=other_shop, invoice=payments[0].invoice)) == []


@pytest.mark.parametrize(
    "cursor", ["x", "2026-01-01~1", "nonsense~abc", "2026-13-01T00:00:00+00:00~1"]
)
def test_bad_cursors_are_invalid(shop, db, cursor):
    with pytest.raises(InvalidCursor):
        payment_list(shop=shop, filters=PaymentFilters(), after=cursor)


# --- Part payments add up (property) ------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=5))
def test_part_payments_mark_the_invoice_paid_exactly_when_they_reach_the_amount_due(
    shop, products, make_order, staff_actor, parts
):
    invoice = make_order(shop, products[2:3]).invoices.get()  # no stock to run out of
    due = invoice.total_gross
    paid = Decimal("0.00")
    for cents in parts:
        amount = min(Decimal(cents) / 100, due - paid)
        record_bank_transfer(
            shop=shop,
            invoice=invoice,
            paid_on=timezone.localdate(),
            amount=amount,
            actor=staff_actor,
        )
        paid += amount
        invoice.refresh_from_db()
        assert invoice.amount_paid == paid
        assert (invoice.state == InvoiceState.PAID) == (paid == due)
        if paid == due:
            break
    assert sum(p.amount for p in Payment.objects.filter(invoice=invoice)) == paid
