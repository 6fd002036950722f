"""Concurrent webhooks for one payment book it once (PostgreSQL, real row locks, threads)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kantoor.invoices.models import Invoice
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.models import DemoTransaction, Payment, PaymentState
from kantoor.payments.providers.demo import DemoProvider
from kantoor.payments.services import (
    PaymentError,
    handle_webhook,
    refund_payment,
    start_payment,
)
from tests.payments.test_money_once import pay, two_credits  # noqa: F401 (a fixture)

RETURN = "http://testserver/pay/t/return/"


def run_at_once(calls, *, allowed=()):
    """Run the calls in threads released at once; an exception of the ``allowed`` types is a
    refusal the test expects (returned), any other fails the test."""
    start = threading.Barrier(len(calls))
    errors, refused = [], []

    def worker(call):
        try:
            start.wait()
            call()
        except allowed as error:
            refused.append(error)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return refused


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency under row locks is a PostgreSQL test; SQLite serialises writers")


def counts(order, kind):
    return OrderEvent.objects.filter(order=order, kind=kind).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_webhooks_book_a_payment_once(shop, order, invoice):
    needs_postgres()
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(status="paid")
    pid = payment.provider_payment_id
    run_at_once([lambda: handle_webhook(provider_name="demo", provider_payment_id=pid)] * 8)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.applied_at is not None
    assert invoice.state == InvoiceState.PAID
    assert invoice.amount_paid == payment.amount
    assert counts(order, OrderEventKind.PAYMENT_RECEIVED) == 1
    assert counts(order, OrderEventKind.INVOICE_PAID) == 1
    assert counts(order, OrderEventKind.ORDER_PAID) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_invoice_paid_at_once_mark_it_paid_once(shop, order, invoice):
    needs_postgres()
    # Two payments of one invoice (start_payment no longer makes them: e.g. one a provider
    # would not cancel); both paid, the invoice is paid once, the other payment is flagged.
    first = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    remote = DemoProvider(shop=shop).create_payment(
        amount=first.amount,
        currency="EUR",
        description="second",
        redirect_url=RETURN,
        webhook_url="",
        metadata={},
    )
    now = timezone.now()
    second = Payment.objects.create(
        shop=shop,
        invoice=invoice,
        order_id=invoice.order_id,
        provider="demo",
        provider_payment_id=remote.id,
        amount=first.amount,
        created_at=now,
        updated_at=now,
    )
    ids = [first.provider_payment_id, second.provider_payment_id]
    DemoTransaction.objects.filter(pk__in=ids).update(status="paid")
    run_at_once(
        [
            lambda pid=pid: handle_webhook(provider_name="demo", provider_payment_id=pid)
            for pid in ids
            for _ in range(3)
        ]
    )
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.state == InvoiceState.PAID
    assert invoice.amount_paid == invoice.total_gross
    booked = sorted(
        e.data["booked"]
        for e in OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_RECEIVED)
    )
    assert booked == ["invoice_already_settled", "paid"]
    assert counts(order, OrderEventKind.INVOICE_PAID) == 1
    assert counts(order, OrderEventKind.ORDER_PAID) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_concurrent_pay_now_clicks_make_one_payment(shop, order, invoice):
    needs_postgres()
    started = []
    run_at_once(
        [lambda: started.append(start_payment(shop=shop, invoice=invoice, redirect_url=RETURN))] * 4
    )
    payment = Payment.objects.get(invoice=invoice)
    assert [p.pk for p in started] == [payment.pk] * 4
    assert {p.checkout_url for p in started} == {payment.checkout_url}
    assert DemoTransaction.objects.filter(shop=shop).count() == 1
    pay(payment)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and invoice.amount_paid == payment.amount


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refunds_never_pay_back_more_than_was_paid(
    shop,
    order,
    staff_actor,
    two_credits,  # noqa: F811 (the fixture imported above)
):
    needs_postgres()
    payment, credits = two_credits
    refused = run_at_once(
        [
            lambda credit=credit: refund_payment(
                shop=shop, credit_invoice=credit, actor=staff_actor
            )
            for credit in credits
            for _ in range(2)
        ],
        allowed=(PaymentError,),
    )
    payment.refresh_from_db()
    refunded = OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_REFUNDED)
    assert refunded.count() == 1 and len(refused) == 3
    assert payment.amount_refunded == Decimal(refunded.get().data["refunded"])
    assert payment.amount_refunded <= payment.amount
    states = sorted(
        Invoice.objects.filter(pk__in=[c.pk for c in credits]).values_list("state", flat=True)
    )
    assert states == sorted([InvoiceState.REFUNDED, InvoiceState.UNPAID])
