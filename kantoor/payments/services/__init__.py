"""Payments: what a shop owner and a payer do with them (docs/payments.md).

- ``configure_payment_provider``: choose the demo provider or Mollie, save the keys (encrypted).
- ``start_payment``: the payer clicks "Pay now" on an invoice: a payment at the shop's provider.
- ``handle_webhook``: a provider says "payment X changed": ask the provider, follow its state,
  and book a paid payment on its invoice exactly once.
- ``record_bank_transfer``: staff record money received by bank transfer (whole or part).
- ``refund_payment``: pay a credit invoice back through the provider the order was paid with.
- ``send_payment_link``: e-mail the invoice with its payment link.

A provider is never called inside a database transaction or while a row is locked: the call comes
first, then one short transaction writes what it answered. Locks are taken in one order: the
order, then the payment, then the invoice.

Split by job and re-exported here: ``online`` (start, webhook, payment link), ``manual``
(bank transfers), ``refunds``, ``provider_settings``, and ``booking`` (what they share).
"""

from kantoor.payments.errors import PaymentError
from kantoor.payments.services.booking import MAX_NOTE, amount_to_pay, provider_actor
from kantoor.payments.services.manual import (
    PaidByHand,
    record_bank_transfer,
    record_payment_by_hand,
)
from kantoor.payments.services.online import (
    handle_webhook,
    send_payment_link,
    start_payment,
    webhook_url,
)
from kantoor.payments.services.provider_settings import (
    SETTINGS_LOG_SECTION,
    configure_payment_provider,
    provider_settings,
)
from kantoor.payments.services.refunds import refund_payment

__all__ = [
    "MAX_NOTE",
    "SETTINGS_LOG_SECTION",
    "PaidByHand",
    "PaymentError",
    "amount_to_pay",
    "configure_payment_provider",
    "handle_webhook",
    "provider_actor",
    "provider_settings",
    "record_bank_transfer",
    "record_payment_by_hand",
    "refund_payment",
    "send_payment_link",
    "start_payment",
    "webhook_url",
]
