"""Issuing invoices, correcting them, crediting them, settling them by hand, e-mailing them
(docs/invoices.md), split by job and re-exported here so callers do not care about the split.

An issued invoice never changes. What a shop owner does instead:

- ``issue_debit_invoice`` (``issuing``): the order's invoice; place_order issues it in its own
  transaction, so an order never exists without one.
- ``propose_correction`` / ``issue_corrections`` (``proposals``): after the order was edited,
  invoice the difference between the order as it is now and everything invoiced so far (one
  credit invoice per invoice whose lines it credits); ``issue_correction`` returns the first.
- ``credit_invoice`` (``crediting``): credit a whole invoice, or chosen lines of it.
- ``mark_invoice_paid`` (``settling``): record a payment by bank transfer (date and note).
- ``email_invoice`` (``sending``): e-mail an invoice to the customer again.

Every function runs in one transaction (nested in the caller's, if any: an invoice is part of
the change that causes it) and records an event on the order's timeline.
"""

from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.services.crediting import credit_invoice
from kantoor.invoices.services.issuing import (
    ProposedLine,
    build_invoice,
    debit_invoice_lines,
    invoice_event,
    issue_debit_invoice,
    write_order_invoices,
)
from kantoor.invoices.services.proposals import (
    MAX_VAT_SETTLEMENT,
    CorrectionPart,
    CorrectionProposal,
    issue_correction,
    issue_corrections,
    propose_correction,
)
from kantoor.invoices.services.sending import email_invoice
from kantoor.invoices.services.settling import MAX_PAYMENT_NOTE, mark_invoice_paid

__all__ = [
    "MAX_PAYMENT_NOTE",
    "MAX_VAT_SETTLEMENT",
    "CorrectionPart",
    "CorrectionProposal",
    "InvoiceError",
    "ProposedLine",
    "build_invoice",
    "credit_invoice",
    "debit_invoice_lines",
    "email_invoice",
    "invoice_event",
    "issue_correction",
    "issue_corrections",
    "issue_debit_invoice",
    "mark_invoice_paid",
    "propose_correction",
    "write_order_invoices",
]
