"""Booking each issued invoice in the shop's package, at most once.

``queue_bookings`` writes a pending ``InvoiceSync`` per invoice in the transaction that issued
it (kantoor.invoices.hooks), when the shop has an accounting link, and pushes it after commit
(``push`` "on_issue") or leaves it for the night's batch ("daily"). ``push_booking`` claims the
row (one worker at a time: a conditional update, so two workers never push the same invoice at
once), asks the package whether it already has our number (a retry after a timeout that did
book finds it) and only then books it, and stores the package's id. A failure the package may
get over (a timeout, a 5xx) is tried again with backoff; the package's rate limit pauses the
shop's pushes until its reset; a revoked authorisation marks the link as needing to be
connected again and stops the pushes; a refusal (a bad mapping, a number the package refuses)
fails the booking with the package's reason, for the invoice list and the daily e-mail.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.accounting.bookings import booking_for
from kantoor.accounting.connectors import CONNECTORS, connector_for
from kantoor.accounting.connectors.base import Mapping
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)
from kantoor.accounting.models import (
    AccountingConnection,
    ConnectionState,
    InvoiceSync,
    SyncState,
)
from kantoor.celery import app as celery_app
from kantoor.invoices.models import Invoice
from kantoor.messaging import embedded

logger = logging.getLogger(__name__)

PUSH_TASK = "kantoor.accounting.push_booking"  # kantoor/accounting/tasks.py
CLAIM = datetime.timedelta(minutes=5)  # how long a worker may take for one push
BACKOFF = (  # after the 1st, 2nd … failed try that may work later
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
DAILY_BATCH_HOUR = 2  # "daily": pushed from 02:00 (the site's time zone) on


def mapping_of(connection: AccountingConnection) -> Mapping:
    known = {key: value for key, value in (connection.mapping or {}).items() if key in MAPPING_KEYS}
    return Mapping(**known)


MAPPING_KEYS = frozenset(asdict(Mapping()))


def _next_batch(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    batch = local.replace(hour=DAILY_BATCH_HOUR, minute=0, second=0, microsecond=0)
    return batch if batch > local else batch + datetime.timedelta(days=1)


def queue_bookings(shop, invoices: Sequence[Invoice]) -> list[InvoiceSync]:
    """A pending booking per invoice when the shop has an accounting link (kantoor.invoices
    hooks call it in the transaction that issued them); pushed after commit or in the batch."""
    if not invoices:
        return []
    connection = (
        AccountingConnection.objects.filter(shop_id=shop.pk)
        .exclude(state=ConnectionState.DISCONNECTED)
        .only("pk", "package", "mapping", "state")
        .first()
    )
    if connection is None:
        return []
    now = timezone.now()
    daily = (connection.mapping or {}).get("push") == "daily"
    due = _next_batch(now) if daily else now
    rows = InvoiceSync.objects.bulk_create(
        [
            InvoiceSync(
                shop_id=shop.pk,
                invoice=invoice,
                package=connection.package,
                next_attempt_at=due,
                created_at=now,
            )
            for invoice in invoices
        ]
    )
    if not daily and connection.state == ConnectionState.CONNECTED:
        for row in rows:
            transaction.on_commit(partial(dispatch_booking, row.pk))
    return rows


def dispatch_booking(sync_id: int) -> None:
    """Push a committed booking: on a worker (with a broker), from the embedded sweeper's
    thread (the web server), or right here (a script, a test). Never raises: a booking whose
    push is lost stays pending for the sweep."""
    try:
        if settings.CELERY_BROKER_URL:
            celery_app.send_task(PUSH_TASK, args=[sync_id])
        elif embedded.is_running():  # the web server: a thread, so the request is not held up
            threading.Thread(target=_push_in_thread, args=(sync_id,), daemon=True).start()
        else:
            push_booking(sync_id)
    except Exception:
        logger.exception("Booking %s stays pending for the sweep", sync_id)


def _push_in_thread(sync_id: int) -> None:
    try:
        push_booking(sync_id)
    except Exception:
        logger.exception("Booking %s stays pending for the sweep", sync_id)
    finally:
        close_old_connections()


def _claim(sync_id: int, now: datetime.datetime) -> bool:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(
        InvoiceSync.objects.filter(free, pk=sync_id, state=SyncState.PENDING).update(
            claimed_until=now + CLAIM
        )
    )


def _finish(sync_id: int, **values) -> None:
    InvoiceSync.objects.filter(pk=sync_id).update(claimed_until=None, **values)


def push_booking(sync_id: int, *, now: datetime.datetime | None = None) -> str:
    """Push one pending booking; its state afterwards (``SyncState``, or "skipped" when it was
    not this worker's to push: booked already, claimed by another worker, the link paused)."""
    now = now or timezone.now()
    if not _claim(sync_id, now):
        return "skipped"
    sync = InvoiceSync.objects.select_related("invoice", "invoice__corrects").get(pk=sync_id)
    connection = AccountingConnection.objects.filter(shop_id=sync.shop_id).first()
    if connection is None or connection.state != ConnectionState.CONNECTED:
        _finish(sync_id, last_error=_("The accounting link is not connected."))
        return "skipped"
    if connection.paused_until and connection.paused_until > now:
        _finish(sync_id, next_attempt_at=connection.paused_until)
        return "skipped"
    try:
        connector = connector_for(connection)
        booking = booking_for(sync.invoice)
        external_id = connector.find_invoice(booking.number)
        if external_id is None:
            external_id = connector.push_invoice(booking, mapping_of(connection))
    except RateLimited as error:
        until = now + datetime.timedelta(seconds=max(1.0, error.retry_after))
        AccountingConnection.objects.filter(pk=connection.pk).update(paused_until=until)
        _finish(sync_id, next_attempt_at=until, last_error=error.message)
        return SyncState.PENDING
    except NeedsReconnection as error:
        AccountingConnection.objects.filter(pk=connection.pk).update(
            state=ConnectionState.NEEDS_RECONNECTION,
            last_test_ok=False,
            last_test_message=error.message,
        )
        _finish(sync_id, last_error=error.message)
        return SyncState.PENDING
    except (ConnectorError, InvalidMapping) as error:
        return _failed(sync, error, now)
    # A package that takes payments got the payment state with the invoice (if paid by now).
    paid_along = now if booking.paid_on and connector.supports_payments else None
    _finish(
        sync_id,
        state=SyncState.SYNCED,
        external_id=external_id[:100],
        synced_at=now,
        last_error="",
        attempts=sync.attempts + 1,
        payment_pushed_at=paid_along,
    )
    return SyncState.SYNCED


def _failed(sync: InvoiceSync, error, now: datetime.datetime) -> str:
    attempts = sync.attempts + 1
    retryable = getattr(error, "retryable", False)
    if retryable and attempts < MAX_ATTEMPTS:
        _finish(
            sync.pk,
            attempts=attempts,
            next_attempt_at=now + BACKOFF[attempts - 1],
            last_error=error.message,
        )
        return SyncState.PENDING
    _finish(sync.pk, attempts=attempts, state=SyncState.FAILED, last_error=error.message)
    return SyncState.FAILED


def push_due_bookings(*, now: datetime.datetime | None = None, limit: int = 500) -> dict:
    """The sweep: push the bookings that are due, of the connected shops that are not paused,
    oldest first; a shop's package limit (``calls_per_minute``) is kept by pushing at most a
    third of it per shop per round (a push takes up to three calls) when the sweep runs every
    minute. Returns the count per outcome."""
    now = now or timezone.now()
    outcomes: dict[str, int] = {}
    connections = AccountingConnection.objects.filter(state=ConnectionState.CONNECTED).filter(
        Q(paused_until__isnull=True) | Q(paused_until__lte=now)
    )
    for connection in connections:
        per_round = per_round_limit(connection, limit)
        due = (
            InvoiceSync.objects.filter(
                shop_id=connection.shop_id, state=SyncState.PENDING, next_attempt_at__lte=now
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:per_round]
        )
        for sync_id in list(due):
            outcome = push_booking(sync_id, now=now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == SyncState.PENDING and _paused(connection.pk, now):
                break
        if CONNECTORS[connection.package].supports_payments:
            paid = InvoiceSync.objects.filter(
                shop_id=connection.shop_id,
                state=SyncState.SYNCED,
                payment_pushed_at__isnull=True,
                invoice__paid_on__isnull=False,
            ).values_list("invoice_id", flat=True)[:per_round]
            for invoice_id in list(paid):
                told = push_payment(invoice_id)
                outcomes["payment"] = outcomes.get("payment", 0) + int(told)
    return outcomes


def per_round_limit(connection: AccountingConnection, limit: int) -> int:
    per_minute = CONNECTORS[connection.package].calls_per_minute
    if per_minute is None:
        return limit
    rounds_per_minute = max(1.0, 60 / settings.ACCOUNTING_SWEEP_SECONDS)
    return max(1, min(limit, int(per_minute / 3 / rounds_per_minute)))


def _paused(connection_id: int, now: datetime.datetime) -> bool:
    until = (
        AccountingConnection.objects.filter(pk=connection_id)
        .values_list("paused_until", flat=True)
        .first()
    )
    return until is not None and until > now


def retry_booking(*, shop, invoice_id: int) -> InvoiceSync:
    """Try a failed booking again now (the invoice list's retry)."""
    with transaction.atomic():
        sync = (
            InvoiceSync.objects.select_for_update().filter(shop=shop, invoice_id=invoice_id).first()
        )
        if sync is None:
            raise ConnectorError(_("This invoice is not waiting to be booked."))
        if sync.state == SyncState.SYNCED:
            raise ConnectorError(_("This invoice is booked already."))
        sync.state = SyncState.PENDING
        sync.attempts = 0
        sync.next_attempt_at = timezone.now()
        sync.claimed_until = None
        sync.save(update_fields=["state", "attempts", "next_attempt_at", "claimed_until"])
        transaction.on_commit(partial(dispatch_booking, sync.pk))
    return sync


def queue_payment(shop, invoice: Invoice) -> None:
    """An invoice recorded as paid: push the payment where the package takes payments, after
    commit (the booking itself must be in the package first)."""
    if InvoiceSync.objects.filter(invoice_id=invoice.pk).exists():
        transaction.on_commit(partial(_push_payment_safely, invoice.pk))


def _push_payment_safely(invoice_id: int) -> None:
    try:
        push_payment(invoice_id)
    except Exception:
        logger.exception("The payment of invoice %s is pushed by the sweep", invoice_id)


def push_payment(invoice_id: int) -> bool:
    """Tell the package a booked invoice is paid; True when told (or nothing to tell)."""
    sync = InvoiceSync.objects.select_related("invoice").filter(invoice_id=invoice_id).first()
    if sync is None or sync.payment_pushed_at is not None or sync.invoice.paid_on is None:
        return True
    connection = AccountingConnection.objects.filter(shop_id=sync.shop_id).first()
    if connection is None or connection.state != ConnectionState.CONNECTED:
        return False
    connector = connector_for(connection)
    if not connector.supports_payments:
        return True
    if sync.state != SyncState.SYNCED:
        return False  # booked first; the sweep comes back to it
    try:
        connector.push_payment(booking_for(sync.invoice), sync.external_id, sync.invoice.paid_on)
    except ConnectorError as error:
        InvoiceSync.objects.filter(pk=sync.pk).update(last_error=error.message)
        return False
    InvoiceSync.objects.filter(pk=sync.pk).update(payment_pushed_at=timezone.now())
    return True
