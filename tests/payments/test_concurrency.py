"""Concurrent webhooks for one payment book it once (PostgreSQL, real row locks, threads)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from kantoor.invoices.models import Invoice
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.models import DemoTransaction, Payment, PaymentState
from kantoor.payments.services import handle_webhook, start_payment

RETURN = "http://testserver/pay/t/return/"


def run_at_once(calls):
    start = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            start.wait()
            call()
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
    first = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    Payment.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    second = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert second.pk != first.pk
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
