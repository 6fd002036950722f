"""The e-mails about invoices and what messaging needs to render them.

``queue_invoice_message`` writes the invoice e-mail to the outbox in the caller's transaction.
``register`` (``InvoicesConfig.ready``) gives messaging the invoice's template values and its
PDF as the attachment of the order confirmation and the invoice e-mail.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import translation

from kantoor.core.money import format_money
from kantoor.invoices.list_selectors import PDF, invoice_file
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import queue_message

logger = logging.getLogger(__name__)

# Messages that carry the invoice they are about as a PDF.
ATTACH_INVOICE_TO = frozenset({MessageKind.ORDER_CONFIRMATION, MessageKind.INVOICE})


def queue_invoice_message(*, invoice: Invoice, at: datetime.datetime | None = None) -> Message:
    """The invoice e-mail: the invoice as a PDF attachment and, while it is unpaid, its payment
    link (both added when the message is sent). In the customer's language."""
    return queue_message(
        shop_id=invoice.shop_id,
        kind=MessageKind.INVOICE,
        to=invoice.customer_email,
        language=invoice.language,
        order=invoice.order,
        customer_id=invoice.order.customer_id,
        data={"invoice_id": invoice.pk, "document_number": invoice.number},
        at=at,
    )


def invoice_for_message(message: Message) -> Invoice | None:
    """The invoice a message is about: the one it names (invoice e-mails), or for an order
    confirmation the order's first invoice (issued with the order). None for other messages.
    Read once per message."""
    if hasattr(message, "_invoice"):
        return message._invoice
    invoice = None
    invoice_id = message.data.get("invoice_id") if isinstance(message.data, dict) else None
    if invoice_id is not None:
        invoice = Invoice.objects.filter(shop_id=message.shop_id, pk=invoice_id).first()
    elif message.kind == MessageKind.ORDER_CONFIRMATION and message.order_id is not None:
        invoice = (
            Invoice.objects.filter(
                shop_id=message.shop_id, order_id=message.order_id, kind=InvoiceKind.DEBIT
            )
            .order_by("pk")
            .first()
        )
    message._invoice = invoice
    return invoice


def _add_invoice_values(message: Message, context: dict) -> None:
    if message.order is None:
        return
    invoice = invoice_for_message(message)
    if invoice is None:
        return
    with translation.override(message.language):
        context.update(
            {
                "invoice_number": invoice.number,
                "invoice_total": format_money(invoice.total_gross, invoice.currency),
                "document_number": invoice.number,
            }
        )


def _invoice_attachments(message: Message) -> list[registry.Attachment]:
    """The invoice's PDF (rendered once, then from the file cache). An invoice e-mail without
    its PDF is not sent (the error is recorded and the send retried); an order confirmation
    goes without it when the PDF cannot be made (it also gives the account page and link)."""
    if message.kind not in ATTACH_INVOICE_TO:
        return []
    invoice = invoice_for_message(message)
    if invoice is None:
        return []
    try:
        file = invoice_file(invoice=invoice, fmt=PDF)
    except Exception:
        if message.kind == MessageKind.INVOICE:
            raise
        logger.exception("Order confirmation %s goes without its invoice PDF", message.pk)
        return []
    return [registry.Attachment(file.filename, file.content, file.content_type)]


def register() -> None:
    registry.register_context(_add_invoice_values)
    registry.register_attachments(_invoice_attachments)
