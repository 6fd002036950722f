"""What the apps above invoices want to hear about invoices, inside the transaction that
changed them: only what they register here (like kantoor/messaging/registry.py).

- ``register_issued(receiver)``: ``receiver(shop, invoices)`` after invoices were issued
  (``issue_invoice``, and the bulk path ``write_order_invoices``);
- ``register_paid(receiver)``: ``receiver(shop, invoice)`` after an invoice was recorded as
  paid (``mark_invoice_paid``).

The accounting links register in their ``AppConfig.ready``: a booking row is written in the
same transaction as the invoice, so an invoice never exists without it (or the other way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

IssuedReceiver = Callable[[object, Sequence[object]], None]
PaidReceiver = Callable[[object, object], None]

_issued: list[IssuedReceiver] = []
_paid: list[PaidReceiver] = []


def register_issued(receiver: IssuedReceiver) -> None:
    if receiver not in _issued:  # ready() may run twice (tests, autoreload)
        _issued.append(receiver)


def register_paid(receiver: PaidReceiver) -> None:
    if receiver not in _paid:
        _paid.append(receiver)


def invoices_issued(*, shop, invoices: Sequence[object]) -> None:
    for receiver in _issued:
        receiver(shop, invoices)


def invoice_paid(*, shop, invoice) -> None:
    for receiver in _paid:
        receiver(shop, invoice)
