"""Payments as the shop owner and the payer live them: start, webhook, part payments, refunds."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.backoffice.payments.labels import invoice_paid_note
from kantoor.core.actors import Actor
from kantoor.core.crypto import decrypt_credentials
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.selectors import order_is_paid
from kantoor.invoices.services import credit_invoice
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.services import change_order_status
from kantoor.payments.models import DemoTransaction, Payment, PaymentSettings, PaymentState
from kantoor.payments.providers import provider_for
from kantoor.payments.providers.demo import DemoProvider, choose_outcome
from kantoor.payments.providers.mollie import MollieProvider
from kantoor.payments.services import (
    PaymentError,
    amount_to_pay,
    configure_payment_provider,
    handle_webhook,
    provider_settings,
    record_bank_transfer,
    refund_payment,
    start_payment,
)
from kantoor.shops.models import WorkflowSettings
from tests.payments.conftest import MOLLIE_KEY

RETURN = "http://testserver/pay/x/return/"


def events(order, kind):
    return OrderEvent.objects.filter(order=order, kind=kind).count()


def pay_with_demo(shop, invoice, outcome="paid", method="ideal"):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    choose_outcome(transaction_id=payment.provider_payment_id, outcome=outcome, method=method)
    return handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)


# --- start_payment ------------------------------------------------------------------------------


def test_start_payment_asks_the_demo_provider_for_the_amount_due(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert payment.amount == invoice.total_gross
    assert payment.state == PaymentState.OPEN
    assert payment.provider == "demo"
    assert payment.checkout_url == f"/payments/demo/{payment.provider_payment_id}/"
    demo = DemoTransaction.objects.get(pk=payment.provider_payment_id)
    assert demo.amount == invoice.total_gross
    assert demo.redirect_url == RETURN
    assert demo.webhook_url.endswith("/payments/webhook/demo/")
    assert invoice.number in demo.description


def test_start_payment_offers_the_same_open_payment_again(shop, invoice):
    first = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    again = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert again.pk == first.pk
    assert Payment.objects.count() == 1


def test_an_old_or_failed_payment_is_not_reused(shop, invoice):
    first = pay_with_demo(shop, invoice, outcome="failed")
    second = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert second.pk != first.pk
    Payment.objects.filter(pk=second.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    third = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert third.pk not in (first.pk, second.pk)


def test_start_payment_refuses_a_paid_invoice(shop, invoice):
    pay_with_demo(shop, invoice)
    with pytest.raises(PaymentError, match="already paid"):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)


def test_start_payment_refuses_credit_invoices_and_credited_ones(shop, invoice, staff_actor):
    credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.CREDITED
    with pytest.raises(PaymentError, match="credit invoice"):
        start_payment(shop=shop, invoice=credit, redirect_url=RETURN)
    with pytest.raises(PaymentError, match="credited"):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert Payment.objects.count() == 0


def test_start_payment_with_mollie_but_no_usable_key_is_refused_clearly(shop, invoice):
    PaymentSettings.objects.create(shop=shop, provider="mollie", updated_at=timezone.now())
    with pytest.raises(PaymentError, match="not possible right now"):
        start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)


# --- handle_webhook -----------------------------------------------------------------------------


def test_a_paid_payment_marks_the_invoice_and_the_order_paid_once(shop, order, invoice):
    payment = pay_with_demo(shop, invoice)
    invoice.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.applied_at is not None
    assert payment.method == "ideal"
    assert invoice.state == InvoiceState.PAID
    assert invoice.amount_paid == payment.amount
    assert (
        invoice_paid_note(invoice) == f"Paid via Demo (test mode) ({payment.provider_payment_id})"
    )
    assert order_is_paid(shop=shop, order=order)
    assert events(order, OrderEventKind.PAYMENT_RECEIVED) == 1
    assert events(order, OrderEventKind.INVOICE_PAID) == 1
    assert events(order, OrderEventKind.ORDER_PAID) == 1
    received = OrderEvent.objects.get(order=order, kind=OrderEventKind.PAYMENT_RECEIVED)
    assert received.actor_label == "Demo (test mode)"
    assert received.data["booked"] == "paid"

    # Replays change nothing.
    for _ in range(3):
        handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    invoice.refresh_from_db()
    assert invoice.amount_paid == payment.amount
    assert events(order, OrderEventKind.PAYMENT_RECEIVED) == 1
    assert events(order, OrderEventKind.INVOICE_PAID) == 1
    assert events(order, OrderEventKind.ORDER_PAID) == 1


def test_a_webhook_for_a_payment_the_provider_says_is_open_changes_nothing(shop, order, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    before = OrderEvent.objects.filter(order=order).count()
    result = handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    assert result.pk == payment.pk
    assert result.state == PaymentState.OPEN
    assert result.applied_at is None
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID
    assert OrderEvent.objects.filter(order=order).count() == before


def test_unknown_ids_and_ids_of_another_provider_change_nothing(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(status="paid")
    assert handle_webhook(provider_name="demo", provider_payment_id="demo_nope") is None
    assert (
        handle_webhook(provider_name="mollie", provider_payment_id=payment.provider_payment_id)
        is None
    )
    assert handle_webhook(provider_name="manual", provider_payment_id="x") is None
    assert handle_webhook(provider_name="demo", provider_payment_id="x" * 500) is None
    assert handle_webhook(provider_name="demo", provider_payment_id="") is None
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN


@pytest.mark.parametrize("outcome,state", [("failed", "failed"), ("canceled", "canceled")])
def test_a_failed_or_cancelled_payment_is_noted_and_the_invoice_stays_unpaid(
    shop, order, invoice, outcome, state
):
    payment = pay_with_demo(shop, invoice, outcome=outcome)
    assert payment.state == state
    assert payment.applied_at is None
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID
    assert events(order, OrderEventKind.PAYMENT_FAILED) == 1
    handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    assert events(order, OrderEventKind.PAYMENT_FAILED) == 1


def test_a_final_state_is_never_left(shop, invoice):
    payment = pay_with_demo(shop, invoice, outcome="failed")
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(status="paid")
    payment = handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    assert payment.state == PaymentState.FAILED
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID


def test_a_provider_amount_that_differs_is_not_booked(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(
        status="paid", amount=Decimal("0.01")
    )
    handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.applied_at is None
    assert invoice.state == InvoiceState.UNPAID


def test_a_paid_order_awaiting_payment_moves_to_the_configured_status(
    shop, order, invoice, staff_actor
):
    WorkflowSettings.objects.update_or_create(
        shop=shop, defaults={"status_when_paid": OrderStatus.IN_PROCESS}
    )
    shop.refresh_from_db()
    change_order_status(
        shop=shop, order=order, status=OrderStatus.AWAITING_PAYMENT, actor=staff_actor
    )
    pay_with_demo(shop, invoice)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROCESS
    moved = OrderEvent.objects.filter(order=order, kind=OrderEventKind.STATUS_CHANGED).last()
    assert moved.data == {"before": 4, "after": 2}


def test_without_a_status_when_paid_the_status_stays(shop, order, invoice, staff_actor):
    change_order_status(
        shop=shop, order=order, status=OrderStatus.AWAITING_PAYMENT, actor=staff_actor
    )
    pay_with_demo(shop, invoice)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert events(order, OrderEventKind.ORDER_PAID) == 1


def test_a_paid_order_in_another_status_is_not_moved(shop, order, invoice):
    WorkflowSettings.objects.update_or_create(
        shop=shop, defaults={"status_when_paid": OrderStatus.SHIPPED}
    )
    pay_with_demo(shop, invoice)
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_an_invoice_paid_by_hand_meanwhile_is_not_booked_twice(shop, order, invoice, staff_actor):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=staff_actor
    )
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method="ideal")
    payment = handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    invoice.refresh_from_db()
    assert invoice.amount_paid == invoice.total_gross
    received = OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_RECEIVED)
    assert [e.data["booked"] for e in received.order_by("id")] == [
        "paid",
        "invoice_already_settled",
    ]
    assert events(order, OrderEventKind.ORDER_PAID) == 1


# --- Part payments and bank transfers -----------------------------------------------------------


def test_part_payments_add_up_to_paid(shop, order, invoice, staff_actor):
    total = invoice.total_gross
    first = record_bank_transfer(
        shop=shop,
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=Decimal("10.00"),
        note="first part",
        actor=staff_actor,
    )
    assert first.provider == "manual" and first.method == "banktransfer"
    assert first.state == PaymentState.PAID and first.applied_at is not None
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID
    assert invoice.amount_paid == Decimal("10.00")
    assert amount_to_pay(shop=shop, invoice=invoice) == total - Decimal("10.00")
    assert not order_is_paid(shop=shop, order=order)
    assert events(order, OrderEventKind.ORDER_PAID) == 0

    # The payment link now asks for the rest, and paying it settles the invoice.
    online = pay_with_demo(shop, invoice)
    assert online.amount == total - Decimal("10.00")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert invoice.amount_paid == total
    assert events(order, OrderEventKind.ORDER_PAID) == 1


def test_two_bank_transfers_make_the_invoice_paid(shop, order, invoice, staff_actor):
    half = (invoice.total_gross / 2).quantize(Decimal("0.01"))
    today = timezone.localdate()
    record_bank_transfer(shop=shop, invoice=invoice, paid_on=today, amount=half, actor=staff_actor)
    record_bank_transfer(shop=shop, invoice=invoice, paid_on=today, actor=staff_actor)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert Payment.objects.filter(invoice=invoice, provider="manual").count() == 2
    assert sum(p.amount for p in Payment.objects.filter(invoice=invoice)) == invoice.total_gross


@pytest.mark.parametrize(
    "amount,message",
    [
        (Decimal("0"), "above zero"),
        (Decimal("-1"), "above zero"),
        (Decimal("1.001"), "cents"),
        (Decimal("100000"), "more than"),
    ],
)
def test_bank_transfer_amounts_are_checked(shop, invoice, staff_actor, amount, message):
    with pytest.raises(PaymentError, match=message):
        record_bank_transfer(
            shop=shop,
            invoice=invoice,
            paid_on=timezone.localdate(),
            amount=amount,
            actor=staff_actor,
        )
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_bank_transfer_dates_and_other_shops_are_refused(shop, other_shop, invoice, staff_actor):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(PaymentError, match="future"):
        record_bank_transfer(shop=shop, invoice=invoice, paid_on=tomorrow, actor=staff_actor)
    with pytest.raises(PaymentError, match="before the invoice date"):
        record_bank_transfer(
            shop=shop,
            invoice=invoice,
            paid_on=invoice.issued_on - datetime.timedelta(days=1),
            actor=staff_actor,
        )
    with pytest.raises(PaymentError, match="this shop"):
        record_bank_transfer(
            shop=other_shop, invoice=invoice, paid_on=timezone.localdate(), actor=staff_actor
        )
    assert Payment.objects.count() == 0


def test_bank_transfer_on_a_paid_or_credit_invoice_is_refused(shop, invoice, staff_actor):
    today = timezone.localdate()
    record_bank_transfer(shop=shop, invoice=invoice, paid_on=today, actor=staff_actor)
    with pytest.raises(PaymentError, match="already paid"):
        record_bank_transfer(shop=shop, invoice=invoice, paid_on=today, actor=staff_actor)
    credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
    with pytest.raises(PaymentError, match="credit invoice"):
        record_bank_transfer(shop=shop, invoice=credit, paid_on=today, actor=staff_actor)


# --- Refunds ------------------------------------------------------------------------------------


def test_a_credit_invoice_is_refunded_through_the_provider_it_was_paid_with(
    shop, order, invoice, staff_actor
):
    paid = pay_with_demo(shop, invoice)
    credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
    assert credit.state == InvoiceState.UNPAID
    source = refund_payment(shop=shop, credit_invoice=credit, actor=staff_actor)
    assert source.pk == paid.pk
    assert source.amount_refunded == -credit.total_gross
    credit.refresh_from_db()
    assert credit.state == InvoiceState.REFUNDED
    assert invoice_paid_note(credit).startswith("Refunded via Demo (test mode) (demo_re_")
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.PAYMENT_REFUNDED)
    assert event.data["credit_invoice"] == credit.number
    with pytest.raises(PaymentError, match="already refunded"):
        refund_payment(shop=shop, credit_invoice=credit, actor=staff_actor)


def test_refund_without_an_online_payment_is_refused_clearly(shop, invoice, staff_actor):
    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=staff_actor
    )
    credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
    with pytest.raises(PaymentError, match="no online payment"):
        refund_payment(shop=shop, credit_invoice=credit, actor=staff_actor)
    with pytest.raises(PaymentError, match="Only a credit invoice"):
        refund_payment(shop=shop, credit_invoice=invoice, actor=staff_actor)
    credit.refresh_from_db()
    assert credit.state == InvoiceState.UNPAID


# --- Provider settings --------------------------------------------------------------------------


def test_nothing_saved_means_the_demo_provider(shop):
    assert isinstance(provider_for(shop), DemoProvider)
    assert provider_settings(shop=shop)["provider"] == "demo"


@pytest.mark.parametrize(
    "key",
    ["", "abc", "test_short", "prod_" + "a" * 30, "live_" + "a" * 31, "test_" + "a" * 29 + "!"],
)
def test_a_mollie_key_must_look_like_one(shop, staff_actor, key):
    with pytest.raises(PaymentError):
        configure_payment_provider(
            shop=shop, provider="mollie", credentials={"api_key": key}, actor=staff_actor
        )
    assert not PaymentSettings.objects.exists()


def test_a_mollie_key_is_saved_encrypted_and_shown_masked(shop, staff_actor):
    saved = configure_payment_provider(
        shop=shop, provider="mollie", credentials={"api_key": MOLLIE_KEY}, actor=staff_actor
    )
    assert MOLLIE_KEY not in saved.credentials_encrypted
    assert decrypt_credentials(saved.credentials_encrypted) == {"mollie": {"api_key": MOLLIE_KEY}}
    assert isinstance(provider_for(shop), MollieProvider)
    shown = provider_settings(shop=shop)
    assert shown == {"provider": "mollie", "mollie_api_key": "test_…aaaa", "keys_readable": True}
    # An empty key keeps the saved one; switching to demo keeps it for later.
    configure_payment_provider(shop=shop, provider="mollie", credentials={}, actor=staff_actor)
    configure_payment_provider(shop=shop, provider="demo", credentials={}, actor=staff_actor)
    assert isinstance(provider_for(shop), DemoProvider)
    assert provider_settings(shop=shop)["mollie_api_key"] == "test_…aaaa"


def test_unreadable_keys_are_reported_not_crashed(shop, staff_actor, settings):
    configure_payment_provider(
        shop=shop, provider="mollie", credentials={"api_key": MOLLIE_KEY}, actor=staff_actor
    )
    settings.SECRET_KEY = "rotated-secret"
    assert provider_settings(shop=shop)["keys_readable"] is False
    with pytest.raises(PaymentError):
        configure_payment_provider(shop=shop, provider="mollie", credentials={}, actor=staff_actor)
    configure_payment_provider(
        shop=shop, provider="mollie", credentials={"api_key": MOLLIE_KEY}, actor=staff_actor
    )
    assert provider_settings(shop=shop)["keys_readable"] is True


def test_an_unknown_provider_is_refused(shop, staff_actor):
    with pytest.raises(PaymentError):
        configure_payment_provider(shop=shop, provider="manual", credentials={}, actor=staff_actor)


# --- Tenancy ------------------------------------------------------------------------------------


def test_start_payment_for_another_shops_invoice_is_not_found(other_shop, invoice):
    with pytest.raises(Invoice.DoesNotExist):
        start_payment(shop=other_shop, invoice=invoice, redirect_url=RETURN)


def test_the_demo_provider_only_knows_its_shops_payments(shop, other_shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)
    assert DemoProvider(shop=other_shop).fetch_payment(payment.provider_payment_id) is None
    assert DemoProvider(shop=shop).fetch_payment(payment.provider_payment_id).status == "open"


def test_invoice_kind_fixture_is_a_debit(invoice):
    assert invoice.kind == InvoiceKind.DEBIT
    assert Actor.system().label == "Kantoor"


def test_the_timeline_reads_payment_then_invoice_paid_then_order_paid(shop, order, invoice):
    pay_with_demo(shop, invoice)

    newest_first = list(
        OrderEvent.objects.filter(order=order)
        .order_by("-created_at", "-pk")
        .values_list("kind", flat=True)[:3]
    )
    assert newest_first == [
        OrderEventKind.ORDER_PAID,
        OrderEventKind.INVOICE_PAID,
        OrderEventKind.PAYMENT_RECEIVED,
    ]
