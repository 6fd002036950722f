"""The e-mails about payments and what messaging needs to render them.

``queue_payment_received_message`` writes "we received your payment" to the outbox in the
caller's transaction. ``register`` (``PaymentsConfig.ready``) adds the payment link to every
message about an invoice that still has something to pay.
"""

from __future__ import annotations

import datetime

from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.notifications import invoice_for_message
from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import queue_message
from kantoor.payments.links import payment_link_url


def queue_payment_received_message(*, payment, at: datetime.datetime | None = None) -> Message:
    """ "We received your payment": the amount and the invoice it was booked on."""
    invoice = payment.invoice
    return queue_message(
        shop_id=payment.shop_id,
        kind=MessageKind.PAYMENT_RECEIVED,
        to=invoice.customer_email,
        language=invoice.language,
        order=payment.order,
        customer_id=payment.order.customer_id,
        data={
            "invoice_id": invoice.pk,
            "document_number": invoice.number,
            "payment_amount": str(payment.amount),
        },
        at=at,
    )


def has_payment_link(invoice: Invoice) -> bool:
    """Whether an e-mail about ``invoice`` offers its payment link: an unpaid debit invoice with
    something still to pay."""
    return (
        invoice.kind == InvoiceKind.DEBIT
        and invoice.state == PaymentState.UNPAID
        and invoice.total_gross > invoice.amount_paid
    )


def _add_payment_link(message: Message, context: dict) -> None:
    if message.order is None:
        return
    invoice = invoice_for_message(message)
    if invoice is None:
        return
    context["payment_link"] = (
        payment_link_url(shop_id=invoice.shop_id, invoice_id=invoice.pk)
        if has_payment_link(invoice)
        else ""
    )


def register() -> None:
    registry.register_context(_add_payment_link)
