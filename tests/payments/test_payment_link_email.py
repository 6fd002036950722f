"""send_payment_link: the invoice e-mail with its payment link, noted on the order's timeline."""

import pytest
from django.utils import timezone

from kantoor.invoices.services import credit_invoice
from kantoor.messaging.models import Message
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.services import PaymentError, record_bank_transfer, send_payment_link


def test_the_payment_link_is_e_mailed_and_noted(shop, order, invoice, staff_actor):
    before = Message.objects.count()
    message = send_payment_link(shop=shop, invoice=invoice, actor=staff_actor)
    assert Message.objects.count() == before + 1
    assert message.to == invoice.customer_email
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.PAYMENT_LINK_SENT)
    assert event.actor_label == staff_actor.label
    assert event.data["to"] == invoice.customer_email
    assert event.data["invoice"] == invoice.number


def test_no_payment_link_for_a_paid_or_credit_invoice(shop, order, invoice, staff_actor):
    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=staff_actor
    )
    before = Message.objects.count()
    with pytest.raises(PaymentError, match="already paid"):
        send_payment_link(shop=shop, invoice=invoice, actor=staff_actor)
    credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
    with pytest.raises(PaymentError, match="credit invoice"):
        send_payment_link(shop=shop, invoice=credit, actor=staff_actor)
    assert Message.objects.count() == before
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_LINK_SENT)
