"""Mollie through the official client, against a mocked HTTP API (``responses``, no network)."""

import json
from decimal import Decimal

import pytest
import responses
from django.test import Client
from django.urls import reverse

from kantoor.backoffice.payments.labels import invoice_paid_note
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.services import credit_invoice
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.models import Payment, PaymentState
from kantoor.payments.services import (
    PaymentError,
    configure_payment_provider,
    refund_payment,
    start_payment,
)
from tests.payments.conftest import MOLLIE_KEY

API = "https://api.mollie.com/v2"
RETURN = "https://shop.example.com/pay/t/return/"


def mollie_payment(pid="tr_WDqYK6vllg", status="open", amount="10.00", method=None):
    data = {
        "resource": "payment",
        "id": pid,
        "mode": "test",
        "amount": {"value": amount, "currency": "EUR"},
        "description": "Invoice",
        "method": method,
        "metadata": {},
        "status": status,
        "redirectUrl": RETURN,
        "_links": {"self": {"href": f"{API}/payments/{pid}", "type": "application/hal+json"}},
    }
    if status == "open":
        data["_links"]["checkout"] = {
            "href": f"https://www.mollie.com/checkout/select-method/{pid[3:]}",
            "type": "text/html",
        }
    if status == "paid":
        data["paidAt"] = "2026-11-26T12:00:00+00:00"
    return data


@pytest.fixture
def mollie_shop(shop, staff_actor):
    configure_payment_provider(
        shop=shop, provider="mollie", credentials={"api_key": MOLLIE_KEY}, actor=staff_actor
    )
    return shop


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def started(mocked, shop, invoice, pid="tr_WDqYK6vllg"):
    amount = f"{invoice.total_gross:.2f}"
    mocked.post(f"{API}/payments", json=mollie_payment(pid, amount=amount), status=201)
    return start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)


def webhook(pid):
    return Client().post(reverse("payments:webhook", kwargs={"provider": "mollie"}), {"id": pid})


def test_start_payment_creates_a_mollie_payment(mocked, mollie_shop, invoice, settings):
    settings.BASE_URL = "https://shop.example.com"
    payment = started(mocked, mollie_shop, invoice)
    assert payment.provider == "mollie"
    assert payment.provider_payment_id == "tr_WDqYK6vllg"
    assert payment.checkout_url == "https://www.mollie.com/checkout/select-method/WDqYK6vllg"
    request = mocked.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {MOLLIE_KEY}"
    body = json.loads(request.body)
    assert body["amount"] == {"currency": "EUR", "value": f"{invoice.total_gross:.2f}"}
    assert body["redirectUrl"] == RETURN
    assert body["webhookUrl"] == "https://shop.example.com/payments/webhook/mollie/"
    assert body["metadata"]["invoice_number"] == invoice.number


def test_a_local_base_url_is_not_sent_as_webhook(mocked, mollie_shop, invoice, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    started(mocked, mollie_shop, invoice)
    assert "webhookUrl" not in json.loads(mocked.calls[0].request.body)


def test_mollie_refusing_the_payment_is_a_clear_error(mocked, mollie_shop, invoice):
    mocked.post(
        f"{API}/payments",
        json={"status": 422, "title": "Unprocessable Entity", "detail": "The amount is too low"},
        status=422,
    )
    with pytest.raises(PaymentError, match="could not be started"):
        start_payment(shop=mollie_shop, invoice=invoice, redirect_url=RETURN)
    assert Payment.objects.count() == 0


def test_the_webhook_fetches_the_payment_from_mollie_before_believing_it(
    mocked, mollie_shop, order, invoice
):
    payment = started(mocked, mollie_shop, invoice)
    amount = f"{invoice.total_gross:.2f}"
    mocked.get(f"{API}/payments/tr_WDqYK6vllg", json=mollie_payment(amount=amount))
    response = webhook("tr_WDqYK6vllg")
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN  # Mollie says open: nothing happens

    mocked.replace(
        responses.GET,
        f"{API}/payments/tr_WDqYK6vllg",
        json=mollie_payment(status="paid", amount=amount, method="ideal"),
    )
    for _ in range(2):
        assert webhook("tr_WDqYK6vllg").status_code == 200
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.method == "ideal"
    assert invoice.state == InvoiceState.PAID
    assert invoice_paid_note(invoice) == "Paid via Mollie (tr_WDqYK6vllg)"
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_RECEIVED).count() == 1
    fetches = [c for c in mocked.calls if c.request.method == "GET"]
    assert len(fetches) == 3
    assert fetches[0].request.headers["Authorization"] == f"Bearer {MOLLIE_KEY}"


def test_statuses_map_to_ours(mocked, mollie_shop, invoice):
    payment = started(mocked, mollie_shop, invoice)
    amount = f"{invoice.total_gross:.2f}"
    mocked.get(
        f"{API}/payments/tr_WDqYK6vllg", json=mollie_payment(status="expired", amount=amount)
    )
    webhook("tr_WDqYK6vllg")
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED


def test_a_payment_mollie_does_not_know_changes_nothing(mocked, mollie_shop, invoice):
    payment = started(mocked, mollie_shop, invoice)
    mocked.get(
        f"{API}/payments/tr_WDqYK6vllg",
        json={"status": 404, "title": "Not Found", "detail": "No payment exists with token"},
        status=404,
    )
    assert webhook("tr_WDqYK6vllg").status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN


def test_mollie_down_answers_503_so_mollie_tries_again(mocked, mollie_shop, invoice):
    payment = started(mocked, mollie_shop, invoice)
    mocked.get(
        f"{API}/payments/tr_WDqYK6vllg",
        json={"status": 500, "title": "Internal Server Error", "detail": "down"},
        status=500,
    )
    response = webhook("tr_WDqYK6vllg")
    assert response.status_code == 503
    assert "error" in response.json()
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN


def test_unknown_mollie_ids_are_not_even_asked(mocked, mollie_shop):
    response = webhook("tr_unknown")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown payment"}
    assert len(mocked.calls) == 0


def test_a_refund_goes_to_mollie_with_an_idempotency_key(
    mocked, mollie_shop, order, invoice, staff_actor
):
    started(mocked, mollie_shop, invoice)
    amount = f"{invoice.total_gross:.2f}"
    mocked.get(
        f"{API}/payments/tr_WDqYK6vllg",
        json=mollie_payment(status="paid", amount=amount, method="ideal"),
    )
    webhook("tr_WDqYK6vllg")
    credit = credit_invoice(shop=mollie_shop, invoice=invoice, actor=staff_actor)
    mocked.post(
        f"{API}/payments/tr_WDqYK6vllg/refunds",
        json={
            "resource": "refund",
            "id": "re_4qqhO89gsT",
            "amount": {"currency": "EUR", "value": amount},
            "status": "pending",
            "paymentId": "tr_WDqYK6vllg",
        },
        status=201,
    )
    source = refund_payment(shop=mollie_shop, credit_invoice=credit, actor=staff_actor)
    assert source.amount_refunded == invoice.total_gross
    request = mocked.calls[-1].request
    assert json.loads(request.body)["amount"] == {"currency": "EUR", "value": amount}
    assert request.headers["Idempotency-Key"] == f"kantoor-refund-{mollie_shop.pk}-{credit.pk}"
    credit.refresh_from_db()
    assert credit.state == InvoiceState.REFUNDED
    assert credit.paid_note_values == {"provider": "mollie", "reference": "re_4qqhO89gsT"}


def test_a_refused_refund_leaves_the_credit_invoice_open(mocked, mollie_shop, invoice, staff_actor):
    started(mocked, mollie_shop, invoice)
    amount = f"{invoice.total_gross:.2f}"
    mocked.get(f"{API}/payments/tr_WDqYK6vllg", json=mollie_payment(status="paid", amount=amount))
    webhook("tr_WDqYK6vllg")
    credit = credit_invoice(shop=mollie_shop, invoice=invoice, actor=staff_actor)
    mocked.post(
        f"{API}/payments/tr_WDqYK6vllg/refunds",
        json={"status": 422, "title": "Unprocessable Entity", "detail": "Insufficient balance"},
        status=422,
    )
    with pytest.raises(PaymentError, match="did not accept the refund"):
        refund_payment(shop=mollie_shop, credit_invoice=credit, actor=staff_actor)
    credit.refresh_from_db()
    assert credit.state == InvoiceState.UNPAID
    assert Payment.objects.get().amount_refunded == Decimal("0.00")
