"""The accounting-connector interface (shaped like kantoor/payments/providers/base.py).

A connector speaks one package's documented API. It is made per shop with that shop's
credentials (``CredentialStore``: decrypted on load, encrypted on save, a refresh under a row
lock) and its ``Mapping`` (journal, G/L accounts, VAT codes). It books a ``Booking``: an invoice
or credit invoice in neutral terms (``kantoor.accounting.bookings.booking_for`` makes it from our
invoice), and can look an invoice up by our number first, so that a retried push never books
twice.

Every failure is a ``ConnectorError`` (``kantoor.accounting.errors``): ``NeedsReconnection``
when the authorisation is gone, ``RateLimited`` with the seconds to wait, ``retryable`` for a
timeout or a 5xx. A connector never catches those to carry on: the sync service decides.
"""

from __future__ import annotations

import datetime
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Protocol

# The VAT treatments of a booking (from kantoor.invoices.documents.document.vat_category).
NATIONAL = "national"  # VAT charged at a Dutch rate (21 %, 9 %) or 0 % in the Netherlands/EU
EU_REVERSE_CHARGE = "eu_reverse_charge"  # intra-community supply to a business: 0 %, reverse charge
EXPORT = "export"  # outside the EU
TREATMENTS = (NATIONAL, EU_REVERSE_CHARGE, EXPORT)


DEFAULT_RETRY_AFTER = 60.0  # seconds, when a 429 says nothing about the wait


def retry_after_seconds(headers) -> float:
    """The wait a 429 asks for: ``Retry-After`` (seconds or an HTTP date), else
    ``X-RateLimit-Reset`` (seconds, or a Unix time when it is that large); 60 s without either."""
    value = (headers.get("Retry-After") or "").strip()
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            try:
                return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
            except (TypeError, ValueError):
                pass
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    if reset:
        try:
            seconds = float(reset)
        except ValueError:
            return DEFAULT_RETRY_AFTER
        if seconds > 1_000_000_000:  # a moment, not a duration
            seconds -= time.time()
        return max(seconds, 0.0)
    return DEFAULT_RETRY_AFTER


@dataclass(frozen=True)
class Mapping:
    """The shop's choices for booking in its package (Settings > Accounting).

    ``revenue_accounts`` and ``vat_codes`` are keyed by VAT rate as text without trailing zeros
    (``"21"``, ``"9"``, ``"0"``) and, for 0 % lines that are not national, by the treatment
    (``"eu_reverse_charge"``, ``"export"``); ``account_for``/``vat_code_for`` read them."""

    journal: str = ""
    revenue_accounts: dict[str, str] = field(default_factory=dict)
    vat_codes: dict[str, str] = field(default_factory=dict)
    shipping_account: str = ""  # empty: shipping books on the revenue account of its rate
    rounding_account: str = ""
    debtors_account: str = ""  # Twinfield: the debtors (receivables) G/L account
    destiny: str = "final"  # Twinfield: "final" or "temporary"
    push: str = "on_issue"  # "on_issue" or "daily"

    @staticmethod
    def key(rate: Decimal, treatment: str) -> str:
        if not rate and treatment != NATIONAL:
            return treatment
        return format(Decimal(rate).normalize(), "f")

    def account_for(self, line: BookingLine) -> str:
        if line.is_shipping and self.shipping_account:
            return self.shipping_account
        return self.revenue_accounts.get(self.key(line.vat_rate, line.treatment), "")

    def vat_code_for(self, line: BookingLine) -> str:
        return self.vat_codes.get(self.key(line.vat_rate, line.treatment), "")


@dataclass(frozen=True)
class BookingCustomer:
    name: str
    company: str
    email: str
    vat_number: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class BookingLine:
    description: str
    quantity: int  # negative on a credit invoice
    amount_net: Decimal  # excl. VAT, negative on a credit invoice
    vat_amount: Decimal
    vat_rate: Decimal
    treatment: str
    is_shipping: bool = False


@dataclass(frozen=True)
class Booking:
    """An invoice (``kind`` "debit") or credit invoice ("credit") to book. Amounts of a credit
    invoice are negative, as on the document."""

    number: str
    kind: str
    issued_on: datetime.date
    due_on: datetime.date
    currency: str
    order_number: str
    corrects_number: str  # the invoice a credit invoice corrects, or ""
    customer: BookingCustomer
    lines: tuple[BookingLine, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    treatment: str
    paid_on: datetime.date | None = None

    @property
    def is_credit(self) -> bool:
        return self.kind == "credit"


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str  # what the package said, for the settings page


class CredentialStore(Protocol):
    """A shop's credentials for its connector. ``update`` runs ``change`` on the freshest saved
    credentials under a row lock and saves what it returns in the same transaction (a single-use
    refresh token is spent and its successor stored at once, never by two workers)."""

    def load(self) -> dict: ...

    def update(self, change: Callable[[dict], dict]) -> dict: ...


class AccountingConnector(ABC):
    name: str = ""
    uses_oauth: bool = False
    supports_payments: bool = False
    calls_per_minute: int | None = None  # the package's documented limit, if any
    # What the shop owner types to connect (the Settings > Accounting form): credential keys.
    credential_fields: tuple[str, ...] = ()

    def __init__(self, *, store: CredentialStore, base_url: str = ""):
        self.store = store
        self.base_url = base_url

    # --- Connecting (OAuth packages) --------------------------------------------------------

    def authorisation_url(self, *, state: str, redirect_uri: str) -> str:
        """Where the shop owner logs in to the package and allows Kantoor (OAuth only)."""
        raise NotImplementedError(f"{self.name} has no authorisation step")

    def finish_authorisation(self, *, code: str, redirect_uri: str) -> dict:
        """The credentials (tokens, and what the package tells about the account) for the
        authorisation code of the callback (OAuth only)."""
        raise NotImplementedError(f"{self.name} has no authorisation step")

    # --- Booking -------------------------------------------------------------------------------

    @abstractmethod
    def test_connection(self) -> ConnectionTest:
        """Ask the package something harmless (the company, the administration)."""

    @abstractmethod
    def find_invoice(self, number: str) -> str | None:
        """The package's id of the booking with our invoice number as its reference, or None."""

    @abstractmethod
    def check_mapping(self, booking: Booking, mapping: Mapping) -> None:
        """Raise ``InvalidMapping`` (a message naming what is missing) when ``mapping`` cannot
        book ``booking``; no request. ``push_invoice`` checks the same before it calls, and the
        settings page checks a sample booking with a line per VAT rate when a mapping is saved."""

    @abstractmethod
    def push_invoice(self, booking: Booking, mapping: Mapping) -> str:
        """Book the invoice or credit invoice; the package's id of the booking."""

    def push_payment(self, booking: Booking, external_id: str, paid_on: datetime.date) -> None:
        """Tell the package the invoice is paid (only where ``supports_payments``)."""
        raise NotImplementedError(f"{self.name} does not take payments")
