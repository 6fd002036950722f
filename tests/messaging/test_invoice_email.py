"""The invoice e-mail: the invoice's PDF attached, its payment link while it is unpaid."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.invoices.services import credit_invoice, email_invoice, mark_invoice_paid
from kantoor.messaging.models import Message, MessageKind, MessageState
from kantoor.messaging.services import MessagingError, send_due_messages
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.links import invoice_from_token


def _pdf(email) -> tuple[str, bytes]:
    [(name, content, content_type)] = email.attachments
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF-")
    return name, content


def _link_token(body: str) -> str:
    [line] = [line for line in body.splitlines() if "/pay/" in line]
    return line.strip().rstrip("/").rsplit("/", 1)[1]


def test_the_order_confirmation_carries_the_invoice_and_its_payment_link(
    shop, products, make_order, settings
):
    settings.BASE_URL = "https://kantoor.example"
    order = make_order(shop, products)
    invoice = Invoice.objects.get(order=order)

    assert send_due_messages().sent == 1

    [email] = mail.outbox
    assert _pdf(email)[0] == f"{invoice.number}.pdf"
    assert invoice.number in email.body
    assert "https://kantoor.example/pay/" in email.body
    # The link opens exactly this invoice.
    assert invoice_from_token(_link_token(email.body)) == (shop.pk, invoice.pk)


def test_an_invoice_email_has_the_pdf_and_no_link_once_paid(shop, products, make_order):
    order = make_order(shop, products)
    invoice = Invoice.objects.get(order=order)
    Message.objects.update(state=MessageState.SENT)  # the confirmation is not what we test
    mark_invoice_paid(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), note="", actor=Actor.system()
    )

    queue_invoice_message(invoice=Invoice.objects.get(pk=invoice.pk))
    assert send_due_messages().sent == 1

    [email] = mail.outbox
    assert email.subject.startswith(f"Factuur {invoice.number}")  # the customer's language
    _pdf(email)
    assert "/pay/" not in email.body


def test_a_credit_invoice_email_has_its_pdf_and_no_payment_link(shop, products, make_order):
    order = make_order(shop, products)
    Message.objects.update(state=MessageState.SENT)
    credit = credit_invoice(shop=shop, invoice=order.invoices.get(), actor=Actor.system())
    assert credit.kind == InvoiceKind.CREDIT

    queue_invoice_message(invoice=credit)
    send_due_messages()

    [email] = mail.outbox
    assert _pdf(email)[0] == f"{credit.number}.pdf"
    assert "/pay/" not in email.body


def test_staff_email_an_invoice_and_the_timeline_says_so(shop, owner, products, make_order):
    order = make_order(shop, products)
    invoice = order.invoices.get()

    message = email_invoice(shop=shop, invoice_id=invoice.pk, actor=Actor.staff(owner))

    assert message.kind == MessageKind.INVOICE
    assert message.to == invoice.customer_email
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.INVOICE_SENT)
    assert event.data == {"number": invoice.number, "to": invoice.customer_email}
    assert event.actor == owner


def test_another_shops_invoice_cannot_be_emailed(shop, other_shop, owner, products, make_order):
    invoice = make_order(shop, products).invoices.get()
    before = Message.objects.count()

    with pytest.raises(MessagingError):
        email_invoice(shop=other_shop, invoice_id=invoice.pk, actor=Actor.staff(owner))

    assert Message.objects.count() == before
    assert not OrderEvent.objects.filter(kind=OrderEventKind.INVOICE_SENT).exists()


def test_an_invoice_email_waits_when_its_pdf_cannot_be_made(
    shop, products, make_order, monkeypatch
):
    order = make_order(shop, products)
    Message.objects.update(state=MessageState.SENT)
    message = queue_invoice_message(invoice=order.invoices.get())

    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr("kantoor.invoices.documents.pdf.invoice_pdf", broken)
    assert send_due_messages().retrying == 1
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert "no fonts" in message.last_error
    assert mail.outbox == []

    monkeypatch.undo()
    later = timezone.now() + datetime.timedelta(hours=1)
    assert send_due_messages(now=later).sent == 1
    _pdf(mail.outbox[0])


def test_an_order_confirmation_goes_without_the_pdf_when_it_cannot_be_made(
    shop, products, make_order, monkeypatch
):
    make_order(shop, products)

    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr("kantoor.invoices.documents.pdf.invoice_pdf", broken)
    assert send_due_messages().sent == 1
    assert mail.outbox[0].attachments == []


def test_a_payment_received_email_names_the_amount_and_the_rest_still_due(
    shop, owner, products, make_order
):
    from decimal import Decimal

    from kantoor.payments.services import record_bank_transfer

    order = make_order(shop, products)
    invoice = order.invoices.get()
    Message.objects.update(state=MessageState.SENT)
    today = timezone.localdate()

    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=today, amount=Decimal("1.00"), actor=Actor.staff(owner)
    )
    send_due_messages()
    [part] = mail.outbox
    assert "€\xa01,00" in part.body and invoice.number in part.body
    assert "/pay/" in part.body  # the rest is still open
    assert part.attachments == []

    record_bank_transfer(shop=shop, invoice=invoice, paid_on=today, actor=Actor.staff(owner))
    send_due_messages()
    rest = mail.outbox[1]
    assert Message.objects.filter(kind=MessageKind.PAYMENT_RECEIVED).count() == 2
    assert "/pay/" not in rest.body
