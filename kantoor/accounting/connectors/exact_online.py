"""Exact Online (https://www.exact.com) through its REST API, with ``requests``.

Connecting is OAuth 2 with the authorisation-code flow on the site of the shop's country
(``start.exactonline.nl`` unless the credentials say ``"country": "be"`` …). An access token lives
about ten minutes; a refresh token is spent by its first use (Exact answers ``invalid_grant`` to a
spent one), so a refresh runs inside ``CredentialStore.update``: under the store's lock it first
looks whether another worker already stored a fresh pair, and only otherwise asks Exact, storing
the new pair in the same transaction.

An invoice books as a sales entry (``salesentry/SalesEntries``) in the mapping's sales journal:
``Type`` 20 for an invoice, 21 for a credit note, our number in ``YourRef`` (which is how
``find_invoice`` finds it again), one ``SalesEntryLines`` row per invoice line with the G/L
account, the amount excluding VAT (negative on a credit note, as on our document), the VAT code
and our VAT amount. The customer is an Exact account (``crm/Accounts``) found by VAT number, then
by e-mail address, or else created.

G/L accounts: the entry line's ``GLAccount`` is the account's ID (a GUID). A mapping may hold
that GUID or the account's code as the bookkeeper sees it ("8000"); a code is looked up once per
connector (``financial/GLAccounts?$filter=Code eq '8000'``).

Rate limits: every answer carries the minutely and daily limits (``X-RateLimit-Minutely-*``,
``X-RateLimit-*``, resets in epoch milliseconds). They are kept in ``rate_limit``; with none left
for the minute (or the day) the connector raises ``RateLimited`` until the reset instead of
calling, and a 429 raises ``RateLimited`` with the seconds until the reset.

Documentation relied on:
- REST resources: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx, in particular
  ?name=SalesEntrySalesEntries, SalesEntrySalesEntryLines, CRMAccounts, FinancialGLAccounts and
  SystemSystemUsers / current/Me (HlpRestAPIResourcesDetails.aspx)
- OAuth and the country sites: https://support.exactonline.com/community/s/knowledge-base
  (“OAuth 2.0”, “Exact Online sites”); refresh-token rules as described at
  https://forums.invantive.com/t/exact-online-error-message-old-refresh-token-used/2903
- API limits:
  https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Simulation-gen-apilimits
  (header names and resets in milliseconds as the maintained PHP client picqer/exact-php-client
  reads them)
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext as _

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    EXPORT,
    AccountingConnector,
    Booking,
    BookingCustomer,
    ConnectionTest,
    Mapping,
)
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)

# The Exact Online site of each country (the same API on each; an account lives on one).
SITES = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "uk": "https://start.exactonline.co.uk",
    "gb": "https://start.exactonline.co.uk",
    "us": "https://start.exactonline.com",
    "com": "https://start.exactonline.com",
    "fr": "https://start.exactonline.fr",
    "es": "https://start.exactonline.es",
}
TIMEOUT = (5, 20)  # connect, read (seconds)
EXPIRY_MARGIN = 30  # seconds before ``expires_at`` that an access token counts as expired
SALES_ENTRY = 20
SALES_CREDIT_NOTE = 21
DESCRIPTION_LENGTH = 60  # unverified: the length Exact keeps of a Description is assumed
GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
RECONNECT_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client"}


def _odata_text(value: str) -> str:
    """A string literal for an OData ``$filter`` (a quote is doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def _number(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _money(amount: Decimal) -> float:
    """Exact's JSON takes numbers; two places, as on our document."""
    return float(Decimal(amount).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class RateLimits:
    """The limits of the last answer: calls left this minute and today, and when each resets
    (epoch seconds). ``wait`` is how long a caller must wait before the next call."""

    minutely_limit: int | None = None
    minutely_remaining: int | None = None
    minutely_reset: float | None = None
    daily_limit: int | None = None
    daily_remaining: int | None = None
    daily_reset: float | None = None

    @classmethod
    def from_headers(cls, headers) -> RateLimits | None:
        def reset(name):
            value = _number(headers.get(name))
            return value / 1000 if value is not None else None

        limits = cls(
            minutely_limit=_number(headers.get("X-RateLimit-Minutely-Limit")),
            minutely_remaining=_number(headers.get("X-RateLimit-Minutely-Remaining")),
            minutely_reset=reset("X-RateLimit-Minutely-Reset"),
            daily_limit=_number(headers.get("X-RateLimit-Limit")),
            daily_remaining=_number(headers.get("X-RateLimit-Remaining")),
            daily_reset=reset("X-RateLimit-Reset"),
        )
        return None if limits == cls() else limits

    def wait(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        waits = [0.0]
        if self.minutely_remaining is not None and self.minutely_remaining <= 0:
            waits.append((self.minutely_reset or 0) - now)
        if self.daily_remaining is not None and self.daily_remaining <= 0:
            waits.append((self.daily_reset or 0) - now)
        return max(waits)


def _rate_limited(seconds: float) -> RateLimited:
    seconds = max(seconds, 1.0)
    return RateLimited(
        _("Exact Online's rate limit is reached: try again in %(seconds)s seconds.")
        % {"seconds": math.ceil(seconds)},
        retry_after=seconds,
    )


def _reconnect() -> NeedsReconnection:
    return NeedsReconnection(
        _("Exact Online no longer accepts Kantoor's authorisation: connect to Exact Online again.")
    )


def _message(response: requests.Response) -> str:
    """What Exact said: ``{"error": {"message": {"value": …}}}`` on the REST API,
    ``{"error": …, "error_description": …}`` on the token endpoint, or plain text."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason or str(response.status_code)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, dict):
            return str(message.get("value", ""))
        return str(message or error.get("code", ""))
    if error:
        return str(data.get("error_description") or error)
    return response.text.strip()[:300]


def _rate_label(key: str) -> str:
    if key == EU_REVERSE_CHARGE:
        return "0% (" + _("EU reverse charge") + ")"
    if key == EXPORT:
        return "0% (" + _("export outside the EU") + ")"
    return f"{key}%"


class ExactOnlineConnector(AccountingConnector):
    name = "exact_online"
    credential_fields = ("country", "client_id", "client_secret")
    uses_oauth = True
    supports_payments = False
    calls_per_minute = 60

    def __init__(self, *, store, base_url: str = ""):
        super().__init__(store=store, base_url=base_url)
        self.rate_limit: RateLimits | None = None  # the limits of the last answer
        self._gl_accounts: dict[str, str] = {}  # G/L code -> ID

    # --- Where ------------------------------------------------------------------------------

    def _site(self, credentials: dict) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        country = str(credentials.get("country") or "nl").lower()
        try:
            return SITES[country]
        except KeyError:
            raise ConnectorError(
                _("Exact Online has no site for the country %(country)s.") % {"country": country}
            ) from None

    # --- Connecting ---------------------------------------------------------------------------

    def authorisation_url(self, *, state: str, redirect_uri: str) -> str:
        credentials = self.store.load()
        query = urlencode(
            {
                "client_id": credentials.get("client_id", ""),
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "state": state,
            }
        )
        return f"{self._site(credentials)}/api/oauth2/auth?{query}"

    def finish_authorisation(self, *, code: str, redirect_uri: str) -> dict:
        """The tokens for the callback's code and the user's current division (administration),
        merged into the saved credentials (client id and secret, country)."""
        credentials = self.store.load()
        tokens = self._token(
            credentials,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )
        me = self._me(tokens["access_token"], credentials)
        return {**credentials, **tokens, "division": me.get("CurrentDivision")}

    def _token(self, credentials: dict, form: dict) -> dict:
        """``POST /api/oauth2/token``: a new access token and refresh token."""
        form = {
            **form,
            "client_id": credentials.get("client_id", ""),
            "client_secret": credentials.get("client_secret", ""),
        }
        try:
            response = requests.post(
                f"{self._site(credentials)}/api/oauth2/token",
                data=form,
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise self._unreachable(error) from error
        if response.status_code == 429:
            raise _rate_limited(_number(response.headers.get("Retry-After")) or 60)
        if response.status_code >= 500:
            raise self._server_error(response)
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code in (400, 401) and (
            response.status_code == 401 or data.get("error") in RECONNECT_ERRORS
        ):
            raise _reconnect()
        if response.status_code >= 400 or not data.get("access_token"):
            raise self._refused(response)
        lifetime = _number(data.get("expires_in")) or 600  # Exact sends it as text: "600"
        return {
            "access_token": data["access_token"],
            "refresh_token": data.get("refresh_token") or credentials.get("refresh_token", ""),
            "expires_at": int(time.time()) + lifetime,
        }

    @staticmethod
    def _usable(credentials: dict) -> bool:
        expires_at = _number(credentials.get("expires_at")) or 0
        return bool(credentials.get("access_token")) and expires_at > time.time() + EXPIRY_MARGIN

    def _credentials(self, rejected: str = "") -> dict:
        """Credentials with an access token that should work. ``rejected``: the access token
        Exact just refused (a 401), which is refreshed even if it has not expired."""
        credentials = self.store.load()
        if not rejected and self._usable(credentials):
            return credentials

        def change(current: dict) -> dict:
            # Under the store's lock, on the freshest credentials: another worker may have
            # spent the refresh token and stored its successor meanwhile.
            if self._usable(current) and current.get("access_token") != rejected:
                return current
            if not current.get("refresh_token"):
                raise _reconnect()
            tokens = self._token(
                current, {"grant_type": "refresh_token", "refresh_token": current["refresh_token"]}
            )
            return {**current, **tokens}

        return self.store.update(change)

    # --- Calling ------------------------------------------------------------------------------

    def _check_rate_limit(self) -> None:
        if self.rate_limit is not None:
            wait = self.rate_limit.wait()
            if wait > 0:
                raise _rate_limited(wait)

    def _send(self, method: str, url: str, token: str, *, params=None, body=None):
        try:
            response = requests.request(
                method,
                url,
                params=params,
                json=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                },
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise self._unreachable(error) from error
        limits = RateLimits.from_headers(response.headers)
        if limits is not None:
            self.rate_limit = limits
        return response

    def _answer(self, response: requests.Response) -> dict:
        status = response.status_code
        if status == 429:
            wait = self.rate_limit.wait() if self.rate_limit else 0
            seconds = wait or _number(response.headers.get("Retry-After")) or 60
            if not wait:  # no headers to go by: wait that long before calling again
                self.rate_limit = RateLimits(
                    minutely_remaining=0, minutely_reset=time.time() + seconds
                )
            raise _rate_limited(seconds)
        if status == 401:
            raise _reconnect()
        if status >= 500:
            raise self._server_error(response)
        if status >= 400:
            raise self._refused(response)
        if status == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError as error:
            raise ConnectorError(
                _("Exact Online answered with something Kantoor cannot read."), retryable=True
            ) from error

    def _me(self, token: str, credentials: dict) -> dict:
        self._check_rate_limit()
        response = self._send(
            "GET",
            f"{self._site(credentials)}/api/v1/current/Me",
            token,
            params={"$select": "CurrentDivision,FullName"},
        )
        records = self._records(self._answer(response))
        if not records:
            raise ConnectorError(_("Exact Online did not say which administration to use."))
        return records[0]

    def _division(self, credentials: dict) -> int:
        division = _number(credentials.get("division"))
        if division is None:
            division = _number(
                self._me(credentials["access_token"], credentials).get("CurrentDivision")
            )
            if division is None:
                raise ConnectorError(_("Exact Online did not say which administration to use."))
            self.store.update(lambda current: {**current, "division": division})
        return division

    def _authorised(self, method: str, url: str, credentials: dict, *, params=None, body=None):
        """Call with the access token; a 401 refreshes it and retries once."""
        self._check_rate_limit()
        token = credentials["access_token"]
        response = self._send(method, url, token, params=params, body=body)
        if response.status_code == 401:
            token = self._credentials(rejected=token)["access_token"]
            self._check_rate_limit()
            response = self._send(method, url, token, params=params, body=body)
        return self._answer(response)

    def _api(self, method: str, path: str, *, params=None, body=None) -> dict:
        """A call to ``/api/v1/{division}/{path}``."""
        self._check_rate_limit()
        credentials = self._credentials()
        url = f"{self._site(credentials)}/api/v1/{self._division(credentials)}/{path}"
        return self._authorised(method, url, credentials, params=params, body=body)

    @staticmethod
    def _records(data: dict) -> list[dict]:
        """The rows of an OData answer: ``{"d": {"results": […]}}``, ``{"d": […]}`` or
        ``{"d": {…}}`` (one created record)."""
        inner = data.get("d", data) if isinstance(data, dict) else data
        if isinstance(inner, dict) and isinstance(inner.get("results"), list):
            return inner["results"]
        if isinstance(inner, list):
            return inner
        return [inner] if inner else []

    def _first(self, path: str, filter_: str, select: str) -> str | None:
        rows = self._records(self._api("GET", path, params={"$filter": filter_, "$select": select}))
        for row in rows:
            if row.get(select):
                return str(row[select])
        return None

    # --- Errors -------------------------------------------------------------------------------

    @staticmethod
    def _unreachable(error: Exception) -> ConnectorError:
        return ConnectorError(
            _("Exact Online could not be reached: %(error)s") % {"error": error}, retryable=True
        )

    @staticmethod
    def _server_error(response: requests.Response) -> ConnectorError:
        return ConnectorError(
            _("Exact Online had a problem (HTTP %(status)s): %(message)s")
            % {"status": response.status_code, "message": _message(response)},
            retryable=True,
        )

    @staticmethod
    def _refused(response: requests.Response) -> ConnectorError:
        return ConnectorError(
            _("Exact Online refused the request: %(message)s") % {"message": _message(response)}
        )

    # --- Booking ------------------------------------------------------------------------------

    def test_connection(self) -> ConnectionTest:
        """``GET current/Me``: the user and the administration Kantoor books in. A refusal is
        shown on the settings page rather than raised."""
        try:
            credentials = self._credentials()
            answer = self._authorised(
                "GET",
                f"{self._site(credentials)}/api/v1/current/Me",
                credentials,
                params={"$select": "CurrentDivision,FullName"},
            )
        except ConnectorError as error:
            return ConnectionTest(ok=False, message=error.message)
        records = self._records(answer)
        me = records[0] if records else {}
        return ConnectionTest(
            ok=True,
            message=_("Connected to Exact Online as %(name)s, administration %(division)s.")
            % {"name": me.get("FullName", ""), "division": me.get("CurrentDivision", "")},
        )

    def find_invoice(self, number: str) -> str | None:
        """``GET salesentry/SalesEntries?$filter=YourRef eq '{number}'&$select=EntryID``."""
        return self._first(
            "salesentry/SalesEntries", f"YourRef eq {_odata_text(number)}", "EntryID"
        )

    def check_mapping(self, booking: Booking, mapping: Mapping) -> None:
        self._check_mapping(booking, mapping)

    def push_invoice(self, booking: Booking, mapping: Mapping) -> str:
        self._check_mapping(booking, mapping)
        lines = self._lines(booking, mapping)  # G/L codes first: an unknown one changes nothing
        customer = self._customer(booking.customer)
        if booking.is_credit:
            description = _("Credit invoice %(number)s for invoice %(corrects)s") % {
                "number": booking.number,
                "corrects": booking.corrects_number or "-",
            }
        else:
            description = _("Invoice %(number)s, order %(order)s") % {
                "number": booking.number,
                "order": booking.order_number or "-",
            }
        body = {
            "Journal": mapping.journal,
            "Customer": customer,
            "Type": SALES_CREDIT_NOTE if booking.is_credit else SALES_ENTRY,
            "EntryDate": f"{booking.issued_on.isoformat()}T00:00:00",
            "DueDate": f"{booking.due_on.isoformat()}T00:00:00",
            "Currency": booking.currency,
            "YourRef": booking.number,
            "Description": description[:DESCRIPTION_LENGTH],
            "SalesEntryLines": lines,
        }
        try:
            created = self._records(self._api("POST", "salesentry/SalesEntries", body=body))
        except ConnectorError as error:
            # A refusal (not a timeout, a 5xx, a rate limit or a lost authorisation) may be
            # Exact refusing a second entry with our number: then that entry is the booking.
            if type(error) is ConnectorError and not error.retryable:
                existing = self.find_invoice(booking.number)
                if existing:
                    return existing
            raise
        entry_id = created[0].get("EntryID") if created else None
        if not entry_id:
            raise ConnectorError(_("Exact Online did not return the booking's ID."))
        return str(entry_id)

    # --- Booking: the parts ---------------------------------------------------------------------

    @staticmethod
    def _check_mapping(booking: Booking, mapping: Mapping) -> None:
        """Everything Exact needs from the mapping, checked before any request."""
        if not mapping.journal:
            raise InvalidMapping(_("Choose the Exact Online sales journal to book invoices in."))
        for line in booking.lines:
            label = _rate_label(mapping.key(line.vat_rate, line.treatment))
            if not mapping.account_for(line):
                raise InvalidMapping(
                    _("Choose the Exact Online revenue account for VAT rate %(rate)s.")
                    % {"rate": label}
                )
            if not mapping.vat_code_for(line):
                raise InvalidMapping(
                    _("Choose the Exact Online VAT code for VAT rate %(rate)s.") % {"rate": label}
                )

    def _gl_account(self, value: str) -> str:
        """The G/L account's ID: the mapping's GUID as it is, a code looked up (once)."""
        if GUID.match(value):
            return value
        if value not in self._gl_accounts:
            found = self._first("financial/GLAccounts", f"Code eq {_odata_text(value)}", "ID")
            if not found:
                raise InvalidMapping(
                    _("Exact Online has no G/L account with the code %(code)s.") % {"code": value}
                )
            self._gl_accounts[value] = found
        return self._gl_accounts[value]

    def _lines(self, booking: Booking, mapping: Mapping) -> list[dict]:
        vat_amounts = self._vat_amounts(booking)
        lines = []
        for line, vat_amount in zip(booking.lines, vat_amounts, strict=True):
            lines.append(
                {
                    "GLAccount": self._gl_account(mapping.account_for(line)),
                    "Description": line.description[:DESCRIPTION_LENGTH],
                    "Quantity": line.quantity,
                    "AmountFC": _money(line.amount_net),
                    "VATCode": mapping.vat_code_for(line),
                    "VATAmountFC": _money(vat_amount),
                }
            )
        return lines

    @staticmethod
    def _vat_amounts(booking: Booking) -> list[Decimal]:
        """The VAT of each line, adding up to the invoice's VAT (which is rounded per rate, not
        per line): a difference of a cent or so goes on the line with the most VAT. Exact takes
        ``VATAmountFC`` on a line together with its ``VATCode``."""
        amounts = [Decimal(line.vat_amount) for line in booking.lines]
        difference = Decimal(booking.total_vat) - sum(amounts, Decimal(0))
        if difference and amounts:
            largest = max(range(len(amounts)), key=lambda index: abs(amounts[index]))
            amounts[largest] += difference
        return amounts

    def _customer(self, customer: BookingCustomer) -> str:
        """The Exact account of the customer: by VAT number, by e-mail address, or new."""
        if customer.vat_number:
            found = self._first(
                "crm/Accounts", f"VATNumber eq {_odata_text(customer.vat_number)}", "ID"
            )
            if found:
                return found
        if customer.email:
            found = self._first("crm/Accounts", f"Email eq {_odata_text(customer.email)}", "ID")
            if found:
                return found
        account = {
            "Name": customer.company or customer.name,
            "Email": customer.email,
            "VATNumber": customer.vat_number,
            "AddressLine1": customer.street,
            "Postcode": customer.postcode,
            "City": customer.city,
            "Country": customer.country.upper(),
            "Status": "C",  # customer
        }
        created = self._records(
            self._api("POST", "crm/Accounts", body={k: v for k, v in account.items() if v})
        )
        account_id = created[0].get("ID") if created else None
        if not account_id:
            raise ConnectorError(_("Exact Online did not return the customer's ID."))
        return str(account_id)
