"""Booking issued invoices in the shop's package (kantoor.accounting.services.syncing): the row
is written with the invoice, pushed once (looked up before created, claimed by one worker),
retried with backoff, paused by the rate limit, stopped by a revoked authorisation, and every
push uses its own shop's credentials. The connector here is ``LedgerStandIn``: a stand-in
package for the tests, which keeps its bookings in memory and fails when told to."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from kantoor.accounting.connectors import CONNECTORS
from kantoor.accounting.connectors.base import AccountingConnector, ConnectionTest
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
from kantoor.accounting.services import push_booking, push_due_bookings, retry_booking
from kantoor.accounting.services.syncing import BACKOFF, _claim
from kantoor.core.actors import Actor
from kantoor.core.crypto import encrypt_credentials
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.services import credit_invoice
from kantoor.invoices.services.settling import mark_invoice_paid


class LedgerStandIn(AccountingConnector):
    """A stand-in package for these tests: bookings in memory, per set of credentials."""

    name = "acumulus"
    supports_payments = True
    ledgers: dict[str, dict[str, dict]] = {}
    failures: list[Exception] = []  # raised by the next pushes, in order
    book_then_fail: bool = False  # books, then times out (the answer never arrives)

    def _ledger(self) -> dict[str, dict]:
        return self.ledgers.setdefault(self.store.load()["account"], {})

    def test_connection(self) -> ConnectionTest:
        return ConnectionTest(True, "ok")

    def find_invoice(self, number):
        entry = self._ledger().get(number)
        return entry["id"] if entry else None

    def check_mapping(self, booking, mapping):
        for line in booking.lines:
            if not mapping.account_for(line):
                raise InvalidMapping(f"No account for {line.vat_rate} %")

    def push_invoice(self, booking, mapping):
        self.check_mapping(booking, mapping)
        if self.failures:
            raise self.failures.pop(0)
        entry = {"id": f"E{len(self._ledger()) + 1}", "booking": booking, "payments": []}
        self._ledger()[booking.number] = entry
        if type(self).book_then_fail:
            type(self).book_then_fail = False
            raise ConnectorError("timed out", retryable=True)
        return entry["id"]

    def push_payment(self, booking, external_id, paid_on):
        self._ledger()[booking.number]["payments"].append(paid_on)


MAPPING = {"revenue_accounts": {"21": "8000", "9": "8010", "0": "8020"}, "journal": "VK"}


@pytest.fixture(autouse=True)
def stand_in(monkeypatch):
    LedgerStandIn.ledgers = {}
    LedgerStandIn.failures = []
    LedgerStandIn.book_then_fail = False
    monkeypatch.setitem(CONNECTORS, "acumulus", LedgerStandIn)
    return LedgerStandIn


def connect(shop, **mapping):
    return AccountingConnection.objects.create(
        shop=shop,
        package="acumulus",
        state=ConnectionState.CONNECTED,
        credentials_encrypted=encrypt_credentials({"account": shop.slug}),
        mapping={**MAPPING, **mapping},
    )


@pytest.fixture
def connected(shop):
    return connect(shop)


@pytest.fixture
def order_now(shop, products, make_order, django_capture_on_commit_callbacks):
    def place(**kw):
        with django_capture_on_commit_callbacks(execute=True):
            return make_order(shop, products[:2], [1, 2], **kw)

    return place


def ledger(shop) -> dict:
    return LedgerStandIn.ledgers.get(shop.slug, {})


def test_an_issued_invoice_is_booked_after_commit(shop, connected, order_now):
    order = order_now()
    invoice = Invoice.objects.get(order=order)
    sync = InvoiceSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.SYNCED and sync.external_id == "E1"
    booked = ledger(shop)[invoice.number]["booking"]
    assert booked.kind == "debit" and booked.total_gross == invoice.total_gross
    assert {line.vat_rate for line in booked.lines} >= {21, 9}


def test_without_an_accounting_link_no_booking_is_written(shop, order_now):
    order_now()
    assert not InvoiceSync.objects.exists()


def test_a_booking_row_never_outlives_a_rolled_back_invoice(shop, connected, products, make_order):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_order(shop, products[:1], [1])
        assert InvoiceSync.objects.count() == 1  # written with the invoice
        raise RuntimeError("the order's transaction fails")
    assert not InvoiceSync.objects.exists()


def test_a_credit_invoice_books_as_a_credit(
    shop, owner, connected, order_now, django_capture_on_commit_callbacks
):
    order = order_now()
    with django_capture_on_commit_callbacks(execute=True):
        credit = credit_invoice(
            shop=shop, invoice=Invoice.objects.get(order=order), actor=Actor.staff(owner)
        )
    booked = ledger(shop)[credit.number]["booking"]
    assert booked.is_credit and booked.total_gross < 0 and booked.corrects_number
    assert InvoiceSync.objects.get(invoice=credit).state == SyncState.SYNCED


def test_a_retry_after_a_timeout_that_did_book_books_once(shop, connected, order_now, stand_in):
    stand_in.book_then_fail = True
    order = order_now()
    sync = InvoiceSync.objects.get(invoice__order=order)
    assert sync.state == SyncState.PENDING and sync.attempts == 1
    assert sync.next_attempt_at - timezone.now() <= BACKOFF[0]
    assert push_booking(sync.pk, now=sync.next_attempt_at) == SyncState.SYNCED
    assert len(ledger(shop)) == 1  # found by our number, not booked again
    sync.refresh_from_db()
    assert sync.external_id == "E1"


def test_a_booking_claimed_by_one_worker_is_not_pushed_by_another(
    shop, connected, products, make_order
):
    make_order(shop, products[:1], [1])  # no commit here: nothing pushed yet
    sync = InvoiceSync.objects.get()
    assert _claim(sync.pk, timezone.now())  # worker 1 took it
    assert push_booking(sync.pk) == "skipped"  # worker 2
    assert ledger(shop) == {}
    later = timezone.now() + datetime.timedelta(minutes=6)  # worker 1 died: the claim lapses
    assert push_booking(sync.pk, now=later) == SyncState.SYNCED


def test_a_refusal_fails_the_booking_with_the_reason_and_a_retry_books_it(
    shop, connected, order_now, stand_in, django_capture_on_commit_callbacks
):
    stand_in.failures = [ConnectorError("Customer blocked in the package")]
    order = order_now()
    sync = InvoiceSync.objects.get(invoice__order=order)
    assert sync.state == SyncState.FAILED and sync.last_error == "Customer blocked in the package"
    with django_capture_on_commit_callbacks(execute=True):
        retry_booking(shop=shop, invoice_id=sync.invoice_id)
    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED and sync.last_error == ""


def test_a_bad_mapping_fails_with_a_clear_reason(shop, order_now):
    connect(shop, revenue_accounts={"21": "8000"})  # no account for 9 %
    order = order_now()
    sync = InvoiceSync.objects.get(invoice__order=order)
    assert sync.state == SyncState.FAILED and "9" in sync.last_error


def test_the_rate_limit_pauses_the_shops_pushes(shop, connected, order_now, stand_in):
    stand_in.failures = [RateLimited("slow down", retry_after=30)]
    order = order_now()
    connected.refresh_from_db()
    sync = InvoiceSync.objects.get(invoice__order=order)
    assert sync.state == SyncState.PENDING and sync.attempts == 0
    assert connected.paused_until == sync.next_attempt_at
    assert push_due_bookings(now=timezone.now()) == {}  # paused: nothing pushed
    assert push_due_bookings(now=connected.paused_until) == {SyncState.SYNCED: 1}


def test_a_revoked_authorisation_stops_the_pushes(shop, connected, order_now, stand_in):
    stand_in.failures = [NeedsReconnection("The refresh token was revoked")]
    first = order_now()
    connected.refresh_from_db()
    assert connected.state == ConnectionState.NEEDS_RECONNECTION
    second = order_now()
    syncs = InvoiceSync.objects.filter(invoice__order__in=[first, second])
    assert {sync.state for sync in syncs} == {SyncState.PENDING}
    assert push_due_bookings(now=timezone.now() + datetime.timedelta(hours=1)) == {}
    assert ledger(shop) == {}


def test_each_shop_pushes_with_its_own_credentials(
    shop,
    other_shop,
    connected,
    make_product,
    make_order,
    products,
    django_capture_on_commit_callbacks,
):
    connect(other_shop)
    with django_capture_on_commit_callbacks(execute=True):
        mine = make_order(shop, products[:1], [1])
        theirs = make_order(other_shop, [make_product(other_shop)], [1])
    assert set(ledger(shop)) == {Invoice.objects.get(order=mine).number}
    assert set(ledger(other_shop)) == {Invoice.objects.get(order=theirs).number}


def test_daily_bookings_wait_for_the_nights_batch(shop, order_now):
    connect(shop, push="daily")
    order = order_now()
    sync = InvoiceSync.objects.get(invoice__order=order)
    assert sync.state == SyncState.PENDING and timezone.localtime(sync.next_attempt_at).hour == 2
    assert push_due_bookings(now=timezone.now()) == {}
    assert push_due_bookings(now=sync.next_attempt_at) == {SyncState.SYNCED: 1}


def test_a_payment_recorded_later_is_pushed(
    shop, owner, connected, order_now, django_capture_on_commit_callbacks
):
    order = order_now()
    invoice = Invoice.objects.get(order=order, kind=InvoiceKind.DEBIT)
    with django_capture_on_commit_callbacks(execute=True):
        mark_invoice_paid(
            shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=Actor.staff(owner)
        )
    assert ledger(shop)[invoice.number]["payments"] == [timezone.localdate()]
    assert InvoiceSync.objects.get(invoice=invoice).payment_pushed_at is not None
