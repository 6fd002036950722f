"""E-mailing an invoice to the customer again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.messaging.models import Message
from kantoor.messaging.services import MessagingError
from kantoor.orders import events
from kantoor.shops.models import Shop


def email_invoice(*, shop: Shop, invoice_id: int, actor: Actor) -> Message:
    """E-mail an invoice (PDF attached; the payment link while unpaid) to the customer again,
    recorded on the order's timeline ("Invoice e-mailed")."""
    with transaction.atomic():
        invoice = Invoice.objects.select_related("order").filter(shop=shop, pk=invoice_id).first()
        if invoice is None:
            raise MessagingError(_("Choose one of this shop's invoices."))
        message = queue_invoice_message(invoice=invoice)
        events.record(
            events.invoice_sent(
                shop_id=shop.pk,
                order_id=invoice.order_id,
                number=invoice.number,
                to=message.to,
                actor=actor,
                at=message.created_at,
            )
        )
    return message
