"""The refusal of an invoice service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class InvoiceError(KantoorError):
    """A request about invoices the shop cannot honour; the message is for the shop owner."""

    code = "invoice_refused"
