"""The database half of "an issued invoice never changes" (the service layer is the other half).

Triggers (migration 0002) reject every UPDATE of an invoice that touches anything but its payment
state, every UPDATE of an invoice line, and every DELETE of either. On PostgreSQL they are
PL/pgSQL functions; on SQLite the triggers call ``kantoor_invoices_frozen()``, a function this
module registers on every SQLite connection Django opens (a tool that opens the file without it
gets "no such function", which rejects the change too).

Emptying a whole database (``manage.py flush``, which tests run between transactional tests) is
not a change to an invoice: on PostgreSQL it is a TRUNCATE, which row triggers do not see; on
SQLite it is ``DELETE FROM`` every table, so for the duration of a flush the function lets it
through.
"""

from __future__ import annotations

import threading

# The columns that may change after issue: the payment state. Everything else is frozen.
PAYMENT_COLUMNS = (
    "state",
    "paid_on",
    "paid_note",
    "paid_note_code",
    "paid_note_values",
    "amount_paid",
)

_flushing = threading.local()


def _frozen() -> int:
    return 0 if getattr(_flushing, "active", False) else 1


def install_sqlite_guard(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("kantoor_invoices_frozen", 0, _frozen)
    ops = connection.ops
    if getattr(ops, "_invoices_flush_wrapped", False):
        return
    original = ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        _flushing.active = True
        try:
            return original(sql_list)
        finally:
            _flushing.active = False

    ops.execute_sql_flush = execute_sql_flush
    ops._invoices_flush_wrapped = True
