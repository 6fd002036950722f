"""Money is taken once and paid back at most once (the rules; the races with threads on
PostgreSQL are in test_concurrency.py)."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.services import credit_invoice
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.models import (
    DemoTransaction,
    Payment,
    PaymentSettings,
    PaymentState,
    RefundReservation,
)
from kantoor.payments.providers.demo import DemoProvider, choose_outcome
from kantoor.payments.services import (
    PaymentError,
    handle_webhook,
    online,
    record_bank_transfer,
    refund_payment,
    start_payment,
)

RETURN = "http://testserver/pay/x/return/"


def pay(payment):
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method="ideal")
    return handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)


# --- one open payment per invoice ---------------------------------------------------------------


def test_pay_now_while_another_pay_now_waits_for_the_provider_makes_no_second_payment(
    shop, invoice, monkeypatch
):
    """The second click comes while the first one's provider call is under way."""
    monkeypatch.setattr(online, "WAIT_FOR_START", datetime.timedelta(seconds=0.3))
    real_create = DemoProvider.create_payment
    seen = []

    def create_and_click_again(self, **kwargs):
        with pytest.raises(PaymentError, match="being started"):
            start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
        seen.append(Payment.objects.get(invoice=invoice).state)
        return real_create(self, **kwargs)

    with mock.patch.object(DemoProvider, "create_payment", create_and_click_again):
        first = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert seen == [PaymentState.STARTING]  # the place was taken before the provider was asked
    assert list(Payment.objects.filter(invoice=invoice)) == [first]
    assert first.state == PaymentState.OPEN and first.checkout_url
    assert start_payment(shop=shop, invoice=invoice, redirect_url=RETURN) == first


def test_a_provider_that_refuses_leaves_no_payment_behind(shop, invoice):
    with (
        mock.patch.object(DemoProvider, "create_payment", side_effect=ConnectionError("boom")),
        pytest.raises(ConnectionError),
    ):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert not Payment.objects.exists()
    assert start_payment(shop=shop, invoice=invoice, redirect_url=RETURN).checkout_url


def test_a_starting_payment_whose_request_died_is_given_up(shop, invoice):
    with (
        mock.patch.object(DemoProvider, "create_payment", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert not Payment.objects.exists()  # the place is freed even then
    now = timezone.now()
    Payment.objects.create(
        shop=shop,
        invoice=invoice,
        order_id=invoice.order_id,
        provider="demo",
        provider_payment_id="starting_dead",
        amount=invoice.total_gross,
        state=PaymentState.STARTING,
        created_at=now - datetime.timedelta(minutes=5),
        updated_at=now,
    )
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert list(Payment.objects.filter(invoice=invoice)) == [payment]


def test_a_stale_open_payment_is_cancelled_before_a_new_one_is_made(shop, invoice, staff_actor):
    old = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    # the amount due changed (a part payment came in by bank)
    record_bank_transfer(
        shop=shop,
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=Decimal("5.00"),
        actor=staff_actor,
    )
    new = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    old.refresh_from_db()
    assert new.pk != old.pk and new.amount == invoice.total_gross - Decimal("5.00")
    assert old.state == PaymentState.CANCELED
    assert DemoTransaction.objects.get(pk=old.provider_payment_id).status == "canceled"
    live = Payment.objects.filter(invoice=invoice, state__in=["starting", "open", "pending"])
    assert list(live) == [new]


def test_a_pending_payment_is_not_joined_by_a_second_one(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    Payment.objects.filter(pk=payment.pk).update(state=PaymentState.PENDING)
    with pytest.raises(PaymentError, match="being processed"):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert Payment.objects.count() == 1


# --- only the live provider settles; demo payments expire --------------------------------------


def switch_to_mollie(shop):
    PaymentSettings.objects.create(shop=shop, provider="mollie", updated_at=timezone.now())


def test_a_demo_payment_paid_after_the_shop_switched_provider_settles_nothing(shop, order, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    switch_to_mollie(shop)
    pay(payment)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID and invoice.amount_paid == 0
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.PAYMENT_RECEIVED)
    assert event.data["booked"] == "provider_not_live"
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.ORDER_PAID).exists()


def test_an_old_demo_page_cannot_be_paid_after_the_switch(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    switch_to_mollie(shop)
    client = Client()
    page = client.get(payment.checkout_url)
    html = page.content.decode()
    assert "can no longer be paid" in html and 'value="paid"' not in html
    client.post(payment.checkout_url, {"outcome": "paid", "method": "ideal"})
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID
    assert payment.state == PaymentState.CANCELED
    assert DemoTransaction.objects.get(pk=payment.provider_payment_id).status == "canceled"


def test_a_demo_transaction_expires_after_an_hour(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(
        created_at=timezone.now() - datetime.timedelta(hours=1, minutes=1)
    )
    client = Client()
    html = client.get(payment.checkout_url).content.decode()
    assert "This test payment has expired" in html and 'value="paid"' not in html
    client.post(payment.checkout_url, {"outcome": "paid", "method": "ideal"})
    # and straight through the provider, without the page
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method="ideal")
    handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    assert invoice.state == InvoiceState.UNPAID
    assert DemoTransaction.objects.get(pk=payment.provider_payment_id).status == "expired"
    # the payer can start again
    again = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert again.pk != payment.pk and again.state == PaymentState.OPEN


def test_a_fresh_demo_page_still_pays(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    Client().post(payment.checkout_url, {"outcome": "paid", "method": "ideal"})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert reverse("payments:demo_checkout", kwargs={"transaction_id": "x"})


# --- refunds ------------------------------------------------------------------------------------


@pytest.fixture
def two_credits(shop, order, invoice, staff_actor):
    """Paid 10.00 by bank and the rest (19.89) online; two credit invoices for one line each
    (12.99 and 9.95): each fits in the online payment, both together do not."""
    record_bank_transfer(
        shop=shop,
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=Decimal("10.00"),
        actor=staff_actor,
    )
    online_payment = pay(start_payment(shop=shop, invoice=invoice, redirect_url=RETURN))
    assert online_payment.amount == Decimal("19.89")
    lines = list(invoice.lines.order_by("position"))
    credits = [
        credit_invoice(shop=shop, invoice=invoice, actor=staff_actor, line_ids=[line.pk])
        for line in lines[:2]
    ]
    assert [-c.total_gross for c in credits] == [Decimal("12.99"), Decimal("9.95")]
    return online_payment, credits


def test_a_refund_while_another_is_at_the_provider_cannot_pay_back_more_than_was_paid(
    shop, staff_actor, two_credits
):
    payment, (first, second) = two_credits
    real_refund = DemoProvider.create_refund
    during = []

    def refund_and_start_another(self, **kwargs):
        assert RefundReservation.objects.get(credit_invoice=first).amount == Decimal("12.99")
        with pytest.raises(PaymentError, match="no online payment to refund"):
            refund_payment(shop=shop, credit_invoice=second, actor=staff_actor)
        with pytest.raises(PaymentError, match="being refunded already"):
            refund_payment(shop=shop, credit_invoice=first, actor=staff_actor)
        during.append(True)
        return real_refund(self, **kwargs)

    with mock.patch.object(DemoProvider, "create_refund", refund_and_start_another):
        refund_payment(shop=shop, credit_invoice=first, actor=staff_actor)
    assert during == [True]
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("12.99") <= payment.amount
    assert not RefundReservation.objects.exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (InvoiceState.REFUNDED, InvoiceState.UNPAID)


def test_a_refund_the_provider_refuses_gives_the_amount_back(shop, staff_actor, two_credits):
    payment, (first, second) = two_credits
    with (
        mock.patch.object(
            DemoProvider, "create_refund", side_effect=online.ProviderError("no money")
        ),
        pytest.raises(PaymentError, match="did not accept the refund"),
    ):
        refund_payment(shop=shop, credit_invoice=first, actor=staff_actor)
    payment.refresh_from_db()
    assert payment.amount_refunded == 0 and not RefundReservation.objects.exists()
    refund_payment(shop=shop, credit_invoice=second, actor=staff_actor)
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("9.95")


def test_a_refund_left_half_done_by_a_crash_is_finished_once_on_retry(
    shop, staff_actor, two_credits
):
    payment, (first, _second) = two_credits
    with (
        mock.patch.object(DemoProvider, "create_refund", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        refund_payment(shop=shop, credit_invoice=first, actor=staff_actor)
    RefundReservation.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    refund_payment(shop=shop, credit_invoice=first, actor=staff_actor)
    payment.refresh_from_db()
    first.refresh_from_db()
    assert payment.amount_refunded == Decimal("12.99")  # reserved once, not twice
    assert first.state == InvoiceState.REFUNDED
