"""The Exact Online connector against a stand-in of Exact Online's API (no network)."""

from __future__ import annotations

import datetime
import json
import re
import socket
import threading
import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    NATIONAL,
    Booking,
    BookingCustomer,
    BookingLine,
    Mapping,
)
from kantoor.accounting.connectors.exact_online import ExactOnlineConnector, RateLimits
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)
from tests.accounting.standin import MemoryStore, Recorded, StandIn, StandInHandler, json_answer

DIVISION = 123456
GL_REVENUE_HIGH = "8c3b6f0e-1111-4a2b-9c3d-000000008000"
GL_REVENUE_LOW = "8c3b6f0e-2222-4a2b-9c3d-000000008010"
GL_SHIPPING = "8c3b6f0e-3333-4a2b-9c3d-000000008200"
FILTER = re.compile(r"^(\w+) eq '((?:[^']|'')*)'$")


def _body(message: str) -> dict:
    """Exact's REST error body: {"error": {"code": "", "message": {"lang": "", "value": …}}}."""
    return {"error": {"code": "", "message": {"lang": "", "value": message}}}


def _error(status: int, message: str, **headers) -> tuple[int, dict, bytes]:
    return json_answer(status, _body(message), **headers)


class ExactOnlineStandIn(StandInHandler):
    """A stand-in for Exact Online, for the tests only: the OAuth token endpoint (authorisation
    codes and refresh tokens are single-use; a spent or unknown one is ``400 invalid_grant``),
    ``current/Me``, ``crm/Accounts`` (filter, create), ``financial/GLAccounts`` (filter),
    ``salesentry/SalesEntries`` (filter, create), the minutely and daily rate-limit headers on
    every API answer, a 429 when the minute's calls are used up, and a 500 during an ``outage``.

    ``state.data`` holds: client_id/client_secret, codes, refresh_tokens, access_tokens
    (token -> expiry), accounts, gl_accounts, entries, vat_codes, journals, minutely_remaining,
    daily_remaining, token_calls, token_delay, outage, unique_your_ref.
    """

    def handle_request(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        if recorded.method == "POST" and recorded.path == "/api/oauth2/token":
            return self._token(recorded)
        if not recorded.path.startswith("/api/v1/"):
            return _error(404, "Not found")
        data = self.state.data
        token = recorded.headers.get("authorization", "").removeprefix("Bearer ")
        with self.state.lock:
            if data["access_tokens"].get(token, 0) <= time.time():
                return 401, {"Content-Type": "text/plain"}, b"Unauthorized"
            if data.get("outage"):
                return _error(500, "An unexpected error occurred.")
            limited = data["minutely_remaining"] <= 0
            if not limited:
                data["minutely_remaining"] -= 1
                data["daily_remaining"] -= 1
            headers = self._limits()
        if limited:
            return _error(429, "API rate limit exceeded.", **headers)
        status, body = self._route(recorded)
        return json_answer(status, body, **headers)

    # --- OAuth ---------------------------------------------------------------------------------

    def _token(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        data = self.state.data
        form = {key: values[0] for key, values in parse_qs(recorded.body.decode()).items()}
        time.sleep(data.get("token_delay", 0))
        with self.state.lock:
            data["token_calls"] = data.get("token_calls", 0) + 1
            if (form.get("client_id"), form.get("client_secret")) != (
                data["client_id"],
                data["client_secret"],
            ):
                return json_answer(401, {"error": "invalid_client"})
            grant = form.get("grant_type")
            if grant == "authorization_code":
                valid = form.get("code") in data["codes"]
                data["codes"].discard(form.get("code"))
            elif grant == "refresh_token":
                valid = form.get("refresh_token") in data["refresh_tokens"]
                data["refresh_tokens"].discard(form.get("refresh_token"))  # single use
            else:
                return json_answer(400, {"error": "unsupported_grant_type"})
            if not valid:
                return json_answer(400, {"error": "invalid_grant"})
            number = data["token_calls"]
            access, refresh = f"access-{number}", f"refresh-{number}"
            data["access_tokens"][access] = time.time() + 600
            data["refresh_tokens"].add(refresh)
        answer = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": "600",
            "refresh_token": refresh,
        }
        return json_answer(200, answer)

    # --- REST ----------------------------------------------------------------------------------

    def _limits(self) -> dict:
        data = self.state.data
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(data["daily_remaining"]),
            "X-RateLimit-Reset": str(int((time.time() + 3600) * 1000)),
            "X-RateLimit-Minutely-Limit": "60",
            "X-RateLimit-Minutely-Remaining": str(data["minutely_remaining"]),
            "X-RateLimit-Minutely-Reset": str(int(data["minute_resets_at"] * 1000)),
        }

    def _route(self, recorded: Recorded) -> tuple[int, dict]:
        rest = recorded.path.removeprefix("/api/v1/")
        if rest == "current/Me":
            me = {"CurrentDivision": DIVISION, "FullName": "Anna de Vries", "UserName": "anna"}
            return 200, {"d": {"results": [me]}}
        division, _, resource = rest.partition("/")
        if division != str(DIVISION):
            return 403, _body("Forbidden")
        collections = {
            "crm/Accounts": "accounts",
            "financial/GLAccounts": "gl_accounts",
            "salesentry/SalesEntries": "entries",
        }
        if resource not in collections:
            return 404, _body(f"Resource not found: {resource}")
        rows = self.state.data[collections[resource]]
        if recorded.method == "GET":
            return 200, {"d": {"results": self._query(rows, recorded.query)}}
        body = json.loads(recorded.body or b"{}")
        if resource == "crm/Accounts":
            return self._create_account(body)
        if resource == "salesentry/SalesEntries":
            return self._create_entry(body)
        return 405, _body("Method not allowed")

    @staticmethod
    def _query(rows: list[dict], query: dict) -> list[dict]:
        found = rows
        if "$filter" in query:
            match = FILTER.match(query["$filter"][0])
            if not match:
                return []
            field, value = match.group(1), match.group(2).replace("''", "'")
            found = [row for row in rows if str(row.get(field, "")) == value]
        if "$select" in query:
            fields = query["$select"][0].split(",")
            found = [{key: row.get(key) for key in fields} for row in found]
        return found

    def _create_account(self, body: dict) -> tuple[int, dict]:
        if not body.get("Name"):
            return 400, _body("Mandatory: Name")
        account = {**body, "ID": str(uuid.uuid4())}
        self.state.data["accounts"].append(account)
        return 201, {"d": account}

    def _create_entry(self, body: dict) -> tuple[int, dict]:
        data = self.state.data
        account_ids = {account["ID"] for account in data["accounts"]}
        gl_ids = {account["ID"] for account in data["gl_accounts"]}
        if body.get("Journal") not in data["journals"]:
            return 400, _body(f"Journal does not exist: {body.get('Journal')}")
        if body.get("Customer") not in account_ids:
            return 400, _body("Customer: not found")
        if body.get("Type") not in (20, 21):
            return 400, _body("Type: invalid value")
        lines = body.get("SalesEntryLines") or []
        if not lines:
            return 400, _body("Mandatory: SalesEntryLines")
        for line in lines:
            if line.get("GLAccount") not in gl_ids:
                return 400, _body("GLAccount: not found")
            if line.get("VATCode") not in data["vat_codes"]:
                return 400, _body(f"VAT code does not exist: {line.get('VATCode')}")
        if data.get("unique_your_ref") and any(
            entry["YourRef"] == body.get("YourRef") for entry in data["entries"]
        ):
            return 400, _body("Your ref already exists in this journal")
        entry = {
            **body,
            "EntryID": str(uuid.uuid4()),
            "EntryNumber": 24700000 + len(data["entries"]) + 1,
            "AmountFC": sum(line["AmountFC"] + line.get("VATAmountFC", 0) for line in lines),
        }
        data["entries"].append(entry)
        return 201, {"d": entry}


# --- Helpers ---------------------------------------------------------------------------------


def exact_data(**extra) -> dict:
    data = {
        "client_id": "client-1",
        "client_secret": "secret-1",
        "codes": {"code-1"},
        "refresh_tokens": {"refresh-0"},
        "access_tokens": {"access-0": time.time() + 600},
        "accounts": [
            {
                "ID": "a0c1b2d3-0000-4000-8000-000000000001",
                "Name": "Bakkerij Jansen BV",
                "VATNumber": "NL001234567B01",
                "Email": "boekhouding@jansen.example",
                "Status": "C",
            },
        ],
        "gl_accounts": [
            {"ID": GL_REVENUE_HIGH, "Code": "8000", "Description": "Omzet hoog"},
            {"ID": GL_REVENUE_LOW, "Code": "8010", "Description": "Omzet laag"},
            {"ID": GL_SHIPPING, "Code": "8200", "Description": "Verzendkosten"},
        ],
        "entries": [],
        "vat_codes": {"2", "1", "5"},
        "journals": {"70"},
        "minutely_remaining": 60,
        "daily_remaining": 5000,
        "minute_resets_at": time.time() + 45,
        "token_calls": 0,
    }
    data.update(extra)
    return data


def credentials(**extra) -> dict:
    values = {
        "country": "nl",
        "client_id": "client-1",
        "client_secret": "secret-1",
        "access_token": "access-0",
        "refresh_token": "refresh-0",
        "expires_at": int(time.time()) + 600,
        "division": DIVISION,
    }
    values.update(extra)
    return values


def mapping(**extra) -> Mapping:
    values = {
        "journal": "70",
        "revenue_accounts": {"21": "8000", "9": "8010", EU_REVERSE_CHARGE: GL_REVENUE_HIGH},
        "vat_codes": {"21": "2", "9": "1", EU_REVERSE_CHARGE: "5"},
        "shipping_account": "8200",
    }
    values.update(extra)
    return Mapping(**values)


CUSTOMER = BookingCustomer(
    name="Piet Pieters",
    company="",
    email="piet@example.org",
    vat_number="",
    street="Dorpsstraat 1",
    postcode="1234 AB",
    city="Utrecht",
    country="nl",
)
BUSINESS = BookingCustomer(
    name="Jan Jansen",
    company="Bakkerij Jansen BV",
    email="jan@jansen.example",
    vat_number="NL001234567B01",
    street="Bakkerstraat 4",
    postcode="3511 AA",
    city="Utrecht",
    country="NL",
)


def line(net: str, vat: str, rate: str, *, description="Koffiebonen 1 kg", quantity=1, **extra):
    return BookingLine(
        description=description,
        quantity=quantity,
        amount_net=Decimal(net),
        vat_amount=Decimal(vat),
        vat_rate=Decimal(rate),
        treatment=extra.pop("treatment", NATIONAL),
        **extra,
    )


def booking(number="F2026-0001", *, lines=None, kind="debit", customer=CUSTOMER, **extra):
    lines = tuple(
        lines
        or (
            line("100.00", "21.00", "21", quantity=2),
            line("10.00", "0.90", "9", description="Thee"),
            line("4.13", "0.87", "21", description="Verzending", is_shipping=True),
        )
    )
    total_net = sum((item.amount_net for item in lines), Decimal("0.00"))
    total_vat = extra.pop("total_vat", sum((item.vat_amount for item in lines), Decimal("0.00")))
    values = {
        "number": number,
        "kind": kind,
        "issued_on": datetime.date(2026, 3, 2),
        "due_on": datetime.date(2026, 3, 16),
        "currency": "EUR",
        "order_number": "ORD2026-0042",
        "corrects_number": "",
        "customer": customer,
        "lines": lines,
        "total_net": total_net,
        "total_vat": total_vat,
        "total_gross": total_net + total_vat,
        "treatment": NATIONAL,
    }
    values.update(extra)
    return Booking(**values)


@pytest.fixture
def standin():
    with StandIn(ExactOnlineStandIn, data=exact_data()) as running:
        yield running


def connector_for(standin, store=None) -> ExactOnlineConnector:
    return ExactOnlineConnector(store=store or MemoryStore(credentials()), base_url=standin.url)


def api_requests(standin, resource: str, method: str | None = None) -> list[Recorded]:
    return [
        request
        for request in standin.requests
        if request.path.endswith(resource) and (method is None or request.method == method)
    ]


# --- Connecting ------------------------------------------------------------------------------


def test_authorisation_url_is_on_the_country_site():
    store = MemoryStore({"country": "be", "client_id": "client-1", "client_secret": "s"})
    url = ExactOnlineConnector(store=store).authorisation_url(
        state="state-1", redirect_uri="https://kantoor.example/cb"
    )
    split = urlsplit(url)
    assert f"{split.scheme}://{split.netloc}{split.path}" == (
        "https://start.exactonline.be/api/oauth2/auth"
    )
    assert parse_qs(split.query) == {
        "client_id": ["client-1"],
        "redirect_uri": ["https://kantoor.example/cb"],
        "response_type": ["code"],
        "state": ["state-1"],
    }
    default = ExactOnlineConnector(store=MemoryStore({"client_id": "c"}))
    assert default.authorisation_url(state="s", redirect_uri="r").startswith(
        "https://start.exactonline.nl/api/oauth2/auth?"
    )


def test_an_unknown_country_is_refused():
    connector = ExactOnlineConnector(store=MemoryStore({"country": "xx", "client_id": "c"}))
    with pytest.raises(ConnectorError, match="xx"):
        connector.authorisation_url(state="s", redirect_uri="r")


def test_finish_authorisation_stores_the_tokens_and_the_division(standin):
    store = MemoryStore({"country": "nl", "client_id": "client-1", "client_secret": "secret-1"})
    connector = ExactOnlineConnector(store=store, base_url=standin.url)
    result = connector.finish_authorisation(
        code="code-1", redirect_uri="https://kantoor.example/cb"
    )

    assert result["access_token"] == "access-1"
    assert result["refresh_token"] == "refresh-1"
    assert result["expires_at"] == pytest.approx(time.time() + 600, abs=5)
    assert result["division"] == DIVISION
    assert result["client_id"] == "client-1"
    token_request = standin.requests[0]
    form = parse_qs(token_request.body.decode())
    assert form["grant_type"] == ["authorization_code"]
    assert form["code"] == ["code-1"]
    assert form["redirect_uri"] == ["https://kantoor.example/cb"]
    me = standin.requests[1]
    assert me.path == "/api/v1/current/Me"
    assert me.query["$select"] == ["CurrentDivision,FullName"]
    assert me.headers["authorization"] == "Bearer access-1"

    with pytest.raises(NeedsReconnection):  # an authorisation code is single-use
        connector.finish_authorisation(code="code-1", redirect_uri="https://kantoor.example/cb")


def test_connection(standin):
    result = connector_for(standin).test_connection()
    assert result.ok
    assert "Anna de Vries" in result.message and str(DIVISION) in result.message
    assert standin.requests[-1].path == "/api/v1/current/Me"


def test_connection_tells_a_revoked_authorisation(standin):
    store = MemoryStore(credentials(access_token="gone", refresh_token="spent"))
    result = connector_for(standin, store).test_connection()
    assert not result.ok
    assert "connect to Exact Online again" in result.message


# --- Finding ---------------------------------------------------------------------------------


def test_find_invoice_by_our_number(standin):
    standin.state.data["entries"].append({"EntryID": "e-1", "YourRef": "F2026-0007"})
    connector = connector_for(standin)
    assert connector.find_invoice("F2026-0007") == "e-1"
    assert connector.find_invoice("F2026-0008") is None
    request = api_requests(standin, "/salesentry/SalesEntries")[0]
    assert request.path == f"/api/v1/{DIVISION}/salesentry/SalesEntries"
    assert request.query == {"$filter": ["YourRef eq 'F2026-0007'"], "$select": ["EntryID"]}


def test_find_invoice_quotes_the_number(standin):
    standin.state.data["entries"].append({"EntryID": "e-2", "YourRef": "F'1"})
    assert connector_for(standin).find_invoice("F'1") == "e-2"
    assert standin.requests[-1].query["$filter"] == ["YourRef eq 'F''1'"]


# --- Booking ---------------------------------------------------------------------------------


def test_push_a_debit_invoice(standin):
    connector = connector_for(standin)
    entry_id = connector.push_invoice(booking(), mapping())

    data = standin.state.data
    entry = data["entries"][-1]
    assert entry["EntryID"] == entry_id
    assert entry["Type"] == 20
    assert entry["Journal"] == "70"
    assert entry["YourRef"] == "F2026-0001"
    assert entry["EntryDate"] == "2026-03-02T00:00:00"
    assert entry["DueDate"] == "2026-03-16T00:00:00"
    assert entry["Currency"] == "EUR"
    assert "F2026-0001" in entry["Description"]
    assert [
        (item["GLAccount"], item["AmountFC"], item["VATCode"], item["VATAmountFC"])
        for item in entry["SalesEntryLines"]
    ] == [
        (GL_REVENUE_HIGH, 100.0, "2", 21.0),
        (GL_REVENUE_LOW, 10.0, "1", 0.9),
        (GL_SHIPPING, 4.13, "2", 0.87),
    ]
    assert entry["SalesEntryLines"][0]["Quantity"] == 2
    assert entry["SalesEntryLines"][1]["Description"] == "Thee"
    # A new customer: looked up by e-mail address (no VAT number), then created.
    account = data["accounts"][-1]
    assert entry["Customer"] == account["ID"]
    assert account == {
        "ID": account["ID"],
        "Name": "Piet Pieters",
        "Email": "piet@example.org",
        "AddressLine1": "Dorpsstraat 1",
        "Postcode": "1234 AB",
        "City": "Utrecht",
        "Country": "NL",
        "Status": "C",
    }
    assert [
        request.query["$filter"] for request in api_requests(standin, "/crm/Accounts", "GET")
    ] == [["Email eq 'piet@example.org'"]]
    # G/L codes are looked up once each.
    gl_filters = [request.query["$filter"][0] for request in api_requests(standin, "/GLAccounts")]
    assert gl_filters == ["Code eq '8000'", "Code eq '8010'", "Code eq '8200'"]

    # Idempotency: the entry is found by our number, and the codes are not looked up again.
    assert connector.find_invoice("F2026-0001") == entry_id
    connector.push_invoice(booking("F2026-0002"), mapping())
    assert len(api_requests(standin, "/GLAccounts")) == 3


def test_push_a_credit_invoice_books_a_credit_note(standin):
    credit = booking(
        "F2026-0003",
        kind="credit",
        corrects_number="F2026-0001",
        customer=BUSINESS,
        lines=(
            line("-100.00", "-21.00", "21", quantity=-2),
            line("-4.13", "-0.87", "21", description="Verzending", is_shipping=True),
        ),
    )
    entry_id = connector_for(standin).push_invoice(credit, mapping())

    entry = standin.state.data["entries"][-1]
    assert entry["EntryID"] == entry_id
    assert entry["Type"] == 21
    assert "F2026-0001" in entry["Description"]
    assert [(item["AmountFC"], item["VATAmountFC"]) for item in entry["SalesEntryLines"]] == [
        (-100.0, -21.0),
        (-4.13, -0.87),
    ]
    assert entry["SalesEntryLines"][0]["Quantity"] == -2
    assert entry["AmountFC"] == pytest.approx(-126.0)
    # The existing account, found by its VAT number: nothing created.
    assert entry["Customer"] == "a0c1b2d3-0000-4000-8000-000000000001"
    assert not api_requests(standin, "/crm/Accounts", "POST")
    assert api_requests(standin, "/crm/Accounts", "GET")[0].query["$filter"] == [
        "VATNumber eq 'NL001234567B01'"
    ]


def test_push_a_reverse_charge_invoice_with_a_guid_in_the_mapping(standin):
    eu = booking(
        "F2026-0004",
        customer=BUSINESS,
        lines=(line("250.00", "0.00", "0", treatment=EU_REVERSE_CHARGE),),
    )
    connector_for(standin).push_invoice(eu, mapping())
    entry = standin.state.data["entries"][-1]
    assert entry["SalesEntryLines"][0]["GLAccount"] == GL_REVENUE_HIGH
    assert entry["SalesEntryLines"][0]["VATCode"] == "5"
    assert not api_requests(standin, "/GLAccounts")  # a GUID is used as it is


def test_the_line_vat_adds_up_to_the_invoice_vat(standin):
    # Three lines of 0.07 at 21 %: 0.01 VAT each, but 21 % of 0.21 is 0.04 on the invoice.
    lines = tuple(line("0.07", "0.01", "21", description=f"Sticker {n}") for n in range(3))
    connector_for(standin).push_invoice(
        booking("F2026-0005", lines=lines, total_vat=Decimal("0.04")), mapping()
    )
    entry = standin.state.data["entries"][-1]
    amounts = [item["VATAmountFC"] for item in entry["SalesEntryLines"]]
    assert sum(Decimal(str(amount)) for amount in amounts) == Decimal("0.04")


def test_a_duplicate_number_answered_by_exact_is_recognised(standin):
    standin.state.data["unique_your_ref"] = True
    connector = connector_for(standin)
    first = connector.push_invoice(booking(), mapping())
    second = connector.push_invoice(booking(), mapping())
    assert second == first
    assert len(standin.state.data["entries"]) == 1


def test_a_refusal_carries_exacts_message(standin):
    with pytest.raises(ConnectorError) as refused:
        connector_for(standin).push_invoice(booking(), mapping(journal="99"))
    assert not refused.value.retryable
    assert "Journal does not exist: 99" in refused.value.message


def test_an_unknown_gl_code_is_an_invalid_mapping(standin):
    with pytest.raises(InvalidMapping, match="9999"):
        connector_for(standin).push_invoice(
            booking(), mapping(revenue_accounts={"21": "9999", "9": "8010"})
        )
    assert not standin.state.data["entries"]


def test_a_mapping_without_an_account_for_a_rate_is_refused_before_any_request(standin):
    with pytest.raises(InvalidMapping, match="9%"):
        connector_for(standin).push_invoice(booking(), mapping(revenue_accounts={"21": "8000"}))
    with pytest.raises(InvalidMapping, match="EU reverse charge"):
        connector_for(standin).push_invoice(
            booking(lines=(line("10.00", "0.00", "0", treatment=EU_REVERSE_CHARGE),)),
            mapping(vat_codes={"21": "2", "9": "1"}),
        )
    with pytest.raises(InvalidMapping, match="journal"):
        connector_for(standin).push_invoice(booking(), mapping(journal=""))
    assert standin.requests == []


# --- Tokens ----------------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_first(standin):
    store = MemoryStore(credentials(expires_at=int(time.time()) - 5))
    assert connector_for(standin, store).find_invoice("F1") is None
    assert standin.requests[0].path == "/api/oauth2/token"
    assert parse_qs(standin.requests[0].body.decode())["grant_type"] == ["refresh_token"]
    assert store.credentials["access_token"] == "access-1"
    assert store.credentials["refresh_token"] == "refresh-1"
    assert standin.requests[1].headers["authorization"] == "Bearer access-1"


def test_a_401_refreshes_once_and_retries(standin):
    # The store thinks its token is good for ten more minutes; Exact no longer takes it.
    store = MemoryStore(credentials(access_token="revoked-early"))
    assert connector_for(standin, store).find_invoice("F1") is None
    assert [request.path for request in standin.requests] == [
        f"/api/v1/{DIVISION}/salesentry/SalesEntries",
        "/api/oauth2/token",
        f"/api/v1/{DIVISION}/salesentry/SalesEntries",
    ]
    assert store.credentials["access_token"] == "access-1"
    assert "refresh-0" not in standin.state.data["refresh_tokens"]  # spent


def test_a_revoked_authorisation_needs_reconnection(standin):
    saved = credentials(expires_at=int(time.time()) - 5, refresh_token="revoked")
    store = MemoryStore(saved)
    with pytest.raises(NeedsReconnection):
        connector_for(standin, store).push_invoice(booking(), mapping())
    assert store.credentials == saved  # nothing stored
    assert not standin.state.data["entries"]


def test_a_spent_refresh_token_needs_reconnection(standin):
    store = MemoryStore(credentials(expires_at=int(time.time()) - 5))
    connector_for(standin, store).find_invoice("F1")  # spends refresh-0
    stale = MemoryStore(credentials(expires_at=int(time.time()) - 5))  # a copy from before
    with pytest.raises(NeedsReconnection):
        connector_for(standin, stale).find_invoice("F1")


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(standin):
    standin.state.data["token_delay"] = 0.3  # the second worker waits on the store's lock
    store = MemoryStore(credentials(expires_at=int(time.time()) - 5))
    start = threading.Barrier(2)
    outcomes = []

    def work():
        connector = connector_for(standin, store)
        start.wait()
        try:
            outcomes.append(connector.find_invoice("F1"))
        except ConnectorError as error:  # pragma: no cover - the failure this test guards
            outcomes.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes == [None, None]
    assert standin.state.data["token_calls"] == 1
    assert store.credentials["access_token"] == "access-1"
    used = {request.headers["authorization"] for request in api_requests(standin, "SalesEntries")}
    assert used == {"Bearer access-1"}


def test_a_missing_division_is_asked_and_stored(standin):
    saved = credentials()
    del saved["division"]
    store = MemoryStore(saved)
    connector_for(standin, store).find_invoice("F1")
    assert store.credentials["division"] == DIVISION
    assert standin.requests[0].path == "/api/v1/current/Me"
    assert standin.requests[1].path == f"/api/v1/{DIVISION}/salesentry/SalesEntries"


# --- Limits and failures ---------------------------------------------------------------------


def test_the_rate_limits_are_kept_for_the_caller(standin):
    connector = connector_for(standin)
    connector.find_invoice("F1")
    limits = connector.rate_limit
    assert isinstance(limits, RateLimits)
    assert (limits.minutely_limit, limits.minutely_remaining) == (60, 59)
    assert (limits.daily_limit, limits.daily_remaining) == (5000, 4999)
    assert limits.minutely_reset == pytest.approx(standin.state.data["minute_resets_at"], abs=1)
    assert limits.wait() == 0


def test_no_call_is_made_when_the_minute_is_used_up(standin):
    standin.state.data["minutely_remaining"] = 1
    connector = connector_for(standin)
    connector.find_invoice("F1")  # the last call of this minute
    calls = len(standin.requests)
    with pytest.raises(RateLimited) as limited:
        connector.find_invoice("F2")
    assert len(standin.requests) == calls
    assert limited.value.retryable
    assert limited.value.retry_after == pytest.approx(45, abs=2)


def test_a_429_is_rate_limited_until_the_reset(standin):
    standin.state.data["minutely_remaining"] = 0
    standin.state.data["minute_resets_at"] = time.time() + 30
    with pytest.raises(RateLimited) as limited:
        connector_for(standin).push_invoice(booking(), mapping())
    assert limited.value.retry_after == pytest.approx(30, abs=2)
    assert "30 seconds" in limited.value.message or "29 seconds" in limited.value.message
    assert not standin.state.data["entries"]


def test_a_429_without_limit_headers_uses_retry_after(standin):
    standin.state.fail_next.append(
        (429, {"Retry-After": "20", "Content-Type": "application/json"}, b"{}")
    )
    connector = connector_for(standin)
    with pytest.raises(RateLimited) as limited:
        connector.find_invoice("F1")
    assert limited.value.retry_after == 20
    with pytest.raises(RateLimited):  # and it waits that long before calling again
        connector.find_invoice("F1")
    assert len(standin.requests) == 1


def test_a_500_is_retryable(standin):
    standin.state.data["outage"] = True
    with pytest.raises(ConnectorError) as failed:
        connector_for(standin).find_invoice("F1")
    assert failed.value.retryable
    assert not isinstance(failed.value, RateLimited | NeedsReconnection)
    assert "500" in failed.value.message and "unexpected error" in failed.value.message


def test_an_unreachable_exact_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connector = ExactOnlineConnector(
        store=MemoryStore(credentials()), base_url=f"http://127.0.0.1:{port}"
    )
    with pytest.raises(ConnectorError) as failed:
        connector.find_invoice("F1")
    assert failed.value.retryable
