"""Payments on the order's Invoices tab: the payment link, bank transfers whole or in parts,
sending the payment link, refunds through the provider; scoping and bad input."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, PaymentState
from kantoor.invoices.selectors import order_is_paid
from kantoor.invoices.services import credit_invoice
from kantoor.messaging.models import Message
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.links import invoice_from_token
from kantoor.payments.models import Payment, Provider
from kantoor.payments.models import PaymentState as AttemptState
from kantoor.payments.providers.demo import choose_outcome
from kantoor.payments.services import handle_webhook, start_payment


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


def tab(shop, order):
    return f"{url('order', shop, number=order.number)}?tab=invoices"


@pytest.fixture
def order(shop, products, make_order):
    bell, book, _ = products
    return make_order(shop, [bell, book], quantities=[2, 1])  # 2 x 12.99 + 9.95 + shipping


@pytest.fixture
def invoice(order):
    return Invoice.objects.get(order=order)


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def paid_url(shop, order, invoice):
    return url("invoice_mark_paid", shop, number=order.number, invoice_number=invoice.number)


def link_url(shop, order, invoice):
    return url("invoice_send_link", shop, number=order.number, invoice_number=invoice.number)


def refund_url(shop, order, invoice):
    return url("invoice_refund", shop, number=order.number, invoice_number=invoice.number)


def pay_with_demo(shop, invoice):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url="https://shop.test/back")
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method="ideal")
    return handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)


def test_every_payment_url_is_404_for_another_shops_staff(
    client, shop, other_shop, order, invoice, make_staff
):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    today = timezone.localdate().isoformat()
    assert client.get(paid_url(shop, order, invoice)).status_code == 404
    assert client.post(paid_url(shop, order, invoice), {"paid_on": today}).status_code == 404
    assert client.post(link_url(shop, order, invoice)).status_code == 404
    assert client.get(refund_url(shop, order, invoice)).status_code == 404
    assert client.post(refund_url(shop, order, invoice)).status_code == 404
    # The invoice number under the stranger's own shop: not found either.
    assert client.post(link_url(other_shop, order, invoice)).status_code == 404
    assert not Payment.objects.exists()
    assert not OrderEvent.objects.filter(kind=OrderEventKind.PAYMENT_LINK_SENT).exists()


def test_the_tab_shows_the_payment_link_of_an_unpaid_invoice(staff_client, shop, order, invoice):
    html = staff_client.get(tab(shop, order)).content.decode()
    (link,) = re.findall(r'id="payment-link-\d+" value="([^"]+)"', html)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert link.startswith(settings.BASE_URL + "/pay/")
    assert invoice_from_token(token) == (shop.pk, invoice.pk)
    assert 'data-copy="payment-link-' in html
    assert 'data-action="send-link"' in html
    assert 'data-action="refund"' not in html


def test_a_partial_bank_transfer_then_the_rest_pays_the_order(staff_client, shop, order, invoice):
    target = paid_url(shop, order, invoice)
    form = staff_client.get(target)
    assert form.status_code == 200
    # The amount field starts at the amount due.
    total = invoice.total_gross
    assert form.context["form"]["amount"].value() in {f"{total}", f"{total}".replace(".", ",")}
    rest = total - Decimal("20.00")
    today = timezone.localdate().isoformat()
    response = staff_client.post(target, {"paid_on": today, "amount": "20,00", "note": "ING 14"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.UNPAID and invoice.amount_paid == Decimal("20.00")
    html = staff_client.get(response["Location"]).content.decode()
    assert "received on invoice" in html and "still to be paid" in html
    assert "data-partly-paid" in html and "Partly paid" in html
    assert f"{rest}" in html or f"{rest}".replace(".", ",") in html
    assert 'data-status="payment-paid"' in html  # the bank transfer listed under the invoice
    # The rest: the invoice is paid and so is the order.
    response = staff_client.post(target, {"paid_on": today, "amount": str(rest)})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.PAID
    order.shop = shop
    assert order_is_paid(shop=shop, order=order)
    payments = Payment.objects.filter(invoice=invoice, provider=Provider.MANUAL)
    assert sorted(p.amount for p in payments) == sorted([Decimal("20.00"), rest])
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.ORDER_PAID).count() == 1
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Invoice {invoice.number} marked paid" in html
    assert "data-payment-link" not in html and 'data-action="send-link"' not in html


def test_an_empty_amount_is_the_whole_amount_due(staff_client, shop, order, invoice):
    today = timezone.localdate().isoformat()
    staff_client.post(paid_url(shop, order, invoice), {"paid_on": today, "amount": ""})
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.PAID
    assert Payment.objects.get(invoice=invoice).amount == invoice.total_gross


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter an amount such as 12.50."),
        ("0", "Enter an amount above zero."),
        ("-5", "Enter an amount above zero."),
        ("1.234", "Enter an amount such as 12.50."),
        ("NaN", "Enter an amount such as 12.50."),
        ("1e400", "Enter an amount such as 12.50."),
        ("99999999999999", "That amount is too large."),
        ("4500.00", "more than the"),
    ],
)
def test_a_bad_amount_is_a_clear_error_and_records_nothing(
    staff_client, shop, order, invoice, amount, message
):
    today = timezone.localdate().isoformat()
    response = staff_client.post(
        paid_url(shop, order, invoice), {"paid_on": today, "amount": amount}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{amount}"' in html  # what was typed is kept
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_amounts_as_people_type_them(staff_client, shop, order, invoice):
    today = timezone.localdate().isoformat()
    for typed in ("€ 1,50", "1.50", "€1.50"):
        response = staff_client.post(
            paid_url(shop, order, invoice), {"paid_on": today, "amount": typed}
        )
        assert response.status_code == 302, typed
    assert [p.amount for p in Payment.objects.order_by("id")] == [Decimal("1.50")] * 3


def test_a_credit_invoice_is_still_marked_refunded_by_hand(staff_client, shop, order, invoice):
    staff_client.post(paid_url(shop, order, invoice), {"paid_on": timezone.localdate().isoformat()})
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.system())
    target = paid_url(shop, order, credit)
    response = staff_client.get(target)
    assert "amount" not in response.context["form"].fields
    response = staff_client.post(target, {"paid_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.state == PaymentState.REFUNDED


def test_send_payment_link(staff_client, shop, order, invoice):
    response = staff_client.post(link_url(shop, order, invoice))
    assert response.status_code == 302
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Invoice {invoice.number} with its payment link is being e-mailed to" in html
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.PAYMENT_LINK_SENT)
    assert event.data["to"] == "jan@example.test"
    assert Message.objects.filter(shop=shop).exists()
    # The History tab says so in words.
    history = staff_client.get(f"{url('order', shop, number=order.number)}?tab=history")
    assert "Payment link for invoice" in history.content.decode()
    assert "jan@example.test" in history.content.decode()


def test_send_payment_link_of_a_paid_invoice_is_refused_clearly(staff_client, shop, order, invoice):
    staff_client.post(paid_url(shop, order, invoice), {"paid_on": timezone.localdate().isoformat()})
    response = staff_client.post(link_url(shop, order, invoice), follow=True)
    assert response.status_code == 200
    assert "is already paid" in response.content.decode()
    assert not OrderEvent.objects.filter(kind=OrderEventKind.PAYMENT_LINK_SENT).exists()
    assert staff_client.get(link_url(shop, order, invoice)).status_code == 405


def test_refund_a_credit_invoice_through_the_demo_provider(staff_client, shop, order, invoice):
    pay_with_demo(shop, invoice)
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.PAID
    bell = invoice.lines.get(sku="BEL-01")
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.system(), line_ids=[bell.pk])
    html = staff_client.get(tab(shop, order)).content.decode()
    assert 'data-action="refund"' in html
    page = staff_client.get(refund_url(shop, order, credit))
    assert page.status_code == 200
    assert "Demo (test mode)" in page.content.decode()
    response = staff_client.post(refund_url(shop, order, credit))
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.state == PaymentState.REFUNDED
    payment = Payment.objects.get(invoice=invoice, provider=Provider.DEMO)
    assert payment.amount_refunded == -credit.total_gross
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Credit invoice {credit.number} refunded" in html
    history = staff_client.get(f"{url('order', shop, number=order.number)}?tab=history")
    assert "Refunded" in history.content.decode()
    # Refunding again: sent back to the tab, nothing refunded twice.
    staff_client.post(refund_url(shop, order, credit))
    payment.refresh_from_db()
    assert payment.amount_refunded == -credit.total_gross


def test_refund_without_an_online_payment_says_what_to_do(staff_client, shop, order, invoice):
    staff_client.post(paid_url(shop, order, invoice), {"paid_on": timezone.localdate().isoformat()})
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.system())
    assert 'data-action="refund"' not in staff_client.get(tab(shop, order)).content.decode()
    response = staff_client.post(refund_url(shop, order, credit))
    assert response.status_code == 200
    assert "no online payment" in response.content.decode()
    credit.refresh_from_db()
    assert credit.state == PaymentState.UNPAID
    # A debit invoice cannot be refunded: back to the tab with a message.
    response = staff_client.get(refund_url(shop, order, invoice), follow=True)
    assert "Only an unpaid credit invoice can be refunded" in response.content.decode()


def test_a_failed_online_payment_shows_on_the_tab_and_the_timeline(
    staff_client, shop, order, invoice
):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url="https://shop.test/back")
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="failed", method="ideal")
    handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    assert Payment.objects.get(pk=payment.pk).state == AttemptState.FAILED
    html = staff_client.get(tab(shop, order)).content.decode()
    assert 'data-status="payment-failed"' in html
    history = staff_client.get(f"{url('order', shop, number=order.number)}?tab=history")
    assert "not completed" in history.content.decode()


def test_the_payment_date_rules_still_hold(staff_client, shop, order, invoice):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = staff_client.post(
        paid_url(shop, order, invoice), {"paid_on": tomorrow.isoformat(), "amount": "1"}
    )
    assert "The payment date cannot be in the future." in response.content.decode()
    assert not Payment.objects.exists()


def email_url(shop, order, invoice):
    return url("invoice_email", shop, number=order.number, invoice_number=invoice.number)


def test_a_part_payment_shows_in_the_order_summary(staff_client, shop, order, invoice):
    today = timezone.localdate().isoformat()
    staff_client.post(paid_url(shop, order, invoice), {"paid_on": today, "amount": "20,00"})
    html = staff_client.get(url("order", shop, number=order.number)).content.decode()
    assert "Partly paid: €20.00 received" in html
    assert "Not paid yet" not in html


def test_email_a_credit_invoice_to_the_customer(staff_client, shop, order, invoice):
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.system())
    html = staff_client.get(tab(shop, order)).content.decode()
    assert 'data-action="email-invoice"' in html  # no payment link: e-mail it as it is
    before = Message.objects.count()

    response = staff_client.post(email_url(shop, order, credit))

    assert response.status_code == 302
    assert Message.objects.count() == before + 1
    message = Message.objects.latest("pk")
    assert message.kind == "invoice" and message.data["invoice_id"] == credit.pk
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.INVOICE_SENT)
    assert event.data["number"] == credit.number
    assert (
        f"Invoice {credit.number} is being e-mailed"
        in staff_client.get(response["Location"]).content.decode()
    )


def test_emailing_an_invoice_is_404_for_another_shops_staff(
    client, shop, other_shop, order, invoice, make_staff
):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    before = Message.objects.count()
    assert client.post(email_url(shop, order, invoice)).status_code == 404
    assert client.post(email_url(other_shop, order, invoice)).status_code == 404
    assert Message.objects.count() == before
    assert client.get(email_url(shop, order, invoice)).status_code in (404, 405)
