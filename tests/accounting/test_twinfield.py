"""The Twinfield connector against ``TwinfieldStandIn``: the log-in endpoints (token with
single-use refresh tokens, access-token validation with the cluster) and the cluster's SOAP web
services (ProcessXml: transaction, browse 100, dimension, offices list; Finder: DIM search)."""

from __future__ import annotations

import base64
import datetime
import threading
import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    NATIONAL,
    Booking,
    BookingCustomer,
    BookingLine,
    Mapping,
)
from kantoor.accounting.connectors.twinfield import TwinfieldConnector
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)
from tests.accounting.standin import MemoryStore, Recorded, StandIn, StandInHandler, json_answer

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TWF = "http://www.twinfield.com/"
CLIENT = ("kantoor-app", "app-secret")


def _soap(body: etree._Element, status: int = 200) -> tuple[int, dict, bytes]:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    etree.SubElement(envelope, f"{{{SOAP}}}Body").append(body)
    return (
        status,
        {"Content-Type": "text/xml; charset=utf-8"},
        etree.tostring(envelope, xml_declaration=True, encoding="utf-8"),
    )


def _fault(text: str) -> tuple[int, dict, bytes]:
    fault = etree.Element(f"{{{SOAP}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Server"
    etree.SubElement(fault, "faultstring").text = text
    return _soap(fault, status=500)


def _result(answer: etree._Element) -> tuple[int, dict, bytes]:
    response = etree.Element(f"{{{TWF}}}ProcessXmlStringResponse", nsmap={None: TWF})
    etree.SubElement(response, f"{{{TWF}}}ProcessXmlStringResult").text = etree.tostring(
        answer, encoding="unicode"
    )
    return _soap(response)


def _error(element: etree._Element, message: str) -> None:
    element.set("msgtype", "error")
    element.set("msg", message)
    element.set("result", "0")


class TwinfieldStandIn(StandInHandler):
    """A stand-in for Twinfield, for the tests only: login.twinfield.com's token and
    access-token validation endpoints, and one cluster's processxml.asmx and finder.asmx as
    Twinfield documents them (SOAP 1.1, ``Header`` with ``AccessToken`` and ``CompanyCode``).
    Refresh tokens are single use; the office's G/L accounts, VAT codes, debtors and sales
    transactions live in ``state.data``."""

    def handle_request(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        if recorded.path == "/auth/authentication/connect/token":
            return self.token(recorded)
        if recorded.path == "/auth/authentication/connect/accesstokenvalidation":
            return self.validation(recorded)
        if recorded.path in ("/webservices/processxml.asmx", "/webservices/finder.asmx"):
            envelope = etree.fromstring(recorded.body)
            token = envelope.findtext(f".//{{{TWF}}}Header/{{{TWF}}}AccessToken")
            if token not in self.state.data["access_tokens"] or self.state.data.get("reject_all"):
                return _fault("Access denied. Token invalid.")
            body = envelope.find(f"{{{SOAP}}}Body")[0]
            if recorded.path.endswith("finder.asmx"):
                return self.finder(body)
            company = envelope.findtext(f".//{{{TWF}}}Header/{{{TWF}}}CompanyCode")
            request = etree.fromstring(body.findtext(f"{{{TWF}}}xmlRequest").encode())
            return _result(self.process(request, company))
        return json_answer(404, {"Message": "not found"})

    # --- login.twinfield.com -------------------------------------------------------------------

    def _client_ok(self, recorded: Recorded) -> bool:
        expected = base64.b64encode(":".join(CLIENT).encode()).decode()
        return recorded.headers.get("authorization") == f"Basic {expected}"

    def _issue(self) -> dict:
        data = self.state.data
        data["issued"] = data.get("issued", 0) + 1
        access, refresh = f"at-{data['issued']}", f"rt-{data['issued']}"
        data["access_tokens"].add(access)
        data["refresh_tokens"].add(refresh)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": 3600,
            "token_type": "Bearer",
        }

    def token(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        if not self._client_ok(recorded):
            return json_answer(400, {"error": "invalid_client"})
        form = {key: values[0] for key, values in parse_qs(recorded.body.decode()).items()}
        data = self.state.data
        if form.get("grant_type") == "authorization_code":
            if form.get("code") != data.get("code") or not form.get("redirect_uri"):
                return json_answer(400, {"error": "invalid_grant"})
            data["code"] = None  # an authorisation code is used once
            return json_answer(200, self._issue())
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in data["refresh_tokens"]:
                return json_answer(400, {"error": "invalid_grant"})
            data["refresh_tokens"].discard(form["refresh_token"])  # single use
            data["refreshes"] = data.get("refreshes", 0) + 1
            return json_answer(200, self._issue())
        return json_answer(400, {"error": "unsupported_grant_type"})

    def validation(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        token = (recorded.query.get("token") or [""])[0]
        if not self._client_ok(recorded) or token not in self.state.data["access_tokens"]:
            return json_answer(400, {"Message": "The access token is not valid."})
        return json_answer(
            200,
            {
                "aud": "https://login.twinfield.com/auth/authentication/resources",
                "client_id": CLIENT[0],
                "exp": str(int(time.time()) + 3600),
                "twf.organisationCode": "KANTOOR",
                "twf.clusterUrl": self.state.data["cluster"],
            },
        )

    # --- ProcessXml ------------------------------------------------------------------------------

    def process(self, request: etree._Element, company: str | None) -> etree._Element:
        data = self.state.data
        if request.tag == "list" and request.findtext("type") == "offices":
            offices = etree.Element("offices")
            for code, name in data["offices"].items():
                etree.SubElement(offices, "office", name=name, shortname=name[:10]).text = code
            return offices
        if company not in data["offices"]:
            request.set("result", "0")
            request.set("msgtype", "error")
            request.set("msg", "Company code is not valid.")
            return request
        if request.tag == "transaction":
            return self.transaction(request)
        if request.tag == "columns" and request.get("code") == "100":
            return self.browse(request)
        if request.tag == "dimension" and request.findtext("type") == "DEB":
            return self.dimension(request)
        request.set("result", "0")
        request.set("msg", "Unknown request.")
        return request

    def transaction(self, request: etree._Element) -> etree._Element:
        data = self.state.data
        header = request.find("header")
        ok = True
        if header.findtext("code") != "VRK":
            _error(header.find("code"), f"Transaction type {header.findtext('code')} not found.")
            ok = False
        number = header.findtext("invoicenumber")
        if any(t["invoicenumber"] == number for t in data["transactions"]):
            # Twinfield's answer to an invoice number already used (raisewarning="true").
            _error(header.find("invoicenumber"), f"Invoice number {number} is already in use.")
            ok = False
        balance = Decimal(0)
        for line in request.iter("line"):
            value = Decimal(line.findtext("value"))
            vat = Decimal(line.findtext("vatvalue") or "0")
            sign = 1 if line.findtext("debitcredit") == "debit" else -1
            balance += sign * (value + vat)
            dim1 = line.findtext("dim1")
            if line.get("type") == "total":
                if dim1 != data["debtors_account"]:
                    _error(line.find("dim1"), f"Dimension {dim1} is not a debtors account.")
                    ok = False
                if line.findtext("dim2") not in data["debtors"]:
                    _error(line.find("dim2"), f"Dimension {line.findtext('dim2')} not found.")
                    ok = False
            else:
                if dim1 not in data["accounts"]:
                    _error(line.find("dim1"), f"Dimension {dim1} not found.")
                    ok = False
                code = line.findtext("vatcode")
                if code not in data["vatcodes"]:
                    _error(line.find("vatcode"), f"VAT {code} does not exist.")
                    ok = False
        if balance:
            request.set("msgtype", "error")
            request.set("msg", f"The transaction is not balanced ({balance}).")
            ok = False
        request.set("result", "1" if ok else "0")
        if ok:
            year = header.findtext("period")[:4]
            booked = f"{year}{len(data['transactions']) + 1:05d}"
            data["transactions"].append(
                {"code": "VRK", "number": booked, "invoicenumber": number, "xml": request}
            )
            etree.SubElement(header, "number").text = booked
            request.set("location", request.get("destiny"))
            del request.attrib["destiny"]
        return request

    def browse(self, request: etree._Element) -> etree._Element:
        filters = {
            column.findtext("field"): column.findtext("from")
            for column in request.iter("column")
            if column.findtext("operator") == "equal"
        }
        office = filters.get("fin.trs.head.office")
        number = filters.get("fin.trs.line.invnumber")
        browse = etree.Element("browse", office=office or "", code="100")
        rows = [t for t in self.state.data["transactions"] if t["invoicenumber"] == number]
        browse.set("first", "1")
        browse.set("last", str(len(rows)))
        browse.set("total", str(len(rows)))
        th = etree.SubElement(browse, "th")
        for column in request.iter("column"):
            etree.SubElement(
                th, "td", label="", hideforuser="false", type="String"
            ).text = column.findtext("field")
        for row in rows:
            tr = etree.SubElement(browse, "tr")
            key = etree.SubElement(tr, "key")
            for tag, value in (
                ("office", office),
                ("code", row["code"]),
                ("number", row["number"]),
            ):
                etree.SubElement(key, tag).text = value
            etree.SubElement(key, "line").text = "1"
            etree.SubElement(tr, "td", field="fin.trs.line.invnumber").text = number
        return browse

    def dimension(self, request: etree._Element) -> etree._Element:
        debtors = self.state.data["debtors"]
        code = str(1000 + len(debtors) + 1)
        address = request.find("addresses/address")
        debtors[code] = {
            "name": request.findtext("name"),
            "email": address.findtext("email") or "",
            "vat_number": address.findtext("field4") or "",
        }
        etree.SubElement(request, "code").text = code
        request.set("result", "1")
        request.set("status", "active")
        return request

    # --- Finder ----------------------------------------------------------------------------------

    def finder(self, search: etree._Element) -> tuple[int, dict, bytes]:
        options = {
            item[0].text: item[1].text
            for item in search.iterfind(f"{{{TWF}}}options/{{{TWF}}}ArrayOfString")
        }
        pattern = search.findtext(f"{{{TWF}}}pattern")
        field = search.findtext(f"{{{TWF}}}field")
        matches = []
        if search.findtext(f"{{{TWF}}}type") == "DIM" and options.get("dimtype") == "DEB":
            for code, debtor in self.state.data["debtors"].items():
                searched = [debtor["email"], debtor["vat_number"]] if field == "4" else []
                if pattern in searched:
                    matches.append((code, debtor["name"]))
        response = etree.Element(f"{{{TWF}}}SearchResponse", nsmap={None: TWF})
        etree.SubElement(response, f"{{{TWF}}}SearchResult")
        found = etree.SubElement(response, f"{{{TWF}}}data")
        etree.SubElement(found, f"{{{TWF}}}TotalRows").text = str(len(matches))
        columns = etree.SubElement(found, f"{{{TWF}}}Columns")
        for label in ("Code", "Naam"):
            etree.SubElement(columns, f"{{{TWF}}}string").text = label
        items = etree.SubElement(found, f"{{{TWF}}}Items")
        for code, name in matches:
            item = etree.SubElement(items, f"{{{TWF}}}ArrayOfString")
            etree.SubElement(item, f"{{{TWF}}}string").text = code
            etree.SubElement(item, f"{{{TWF}}}string").text = name
        return _soap(response)


# --- Fixtures and helpers ------------------------------------------------------------------------


def _data() -> dict:
    return {
        "access_tokens": {"at-0"},
        "refresh_tokens": {"rt-0"},
        "code": "auth-code",
        "offices": {"NLA001234": "Webwinkel BV"},
        "accounts": {"8000", "8010", "8020", "8100"},
        "vatcodes": {"VH", "VL", "IH"},
        "debtors_account": "1300",
        "debtors": {"1001": {"name": "Bakker BV", "email": "", "vat_number": "NL123456789B01"}},
        "transactions": [],
    }


@pytest.fixture
def standin():
    with StandIn(TwinfieldStandIn, _data()) as running:
        running.state.data["cluster"] = running.url
        yield running


def _credentials(**changes) -> dict:
    return {
        "client_id": CLIENT[0],
        "client_secret": CLIENT[1],
        "access_token": "at-0",
        "refresh_token": "rt-0",
        "expires_at": int(time.time()) + 3000,
        "cluster": "",
        "office": "NLA001234",
        **changes,
    }


def _connector(standin, **changes) -> tuple[TwinfieldConnector, MemoryStore]:
    store = MemoryStore(_credentials(**changes))
    return TwinfieldConnector(store=store, base_url=standin.url), store


MAPPING = Mapping(
    journal="VRK",
    revenue_accounts={"21": "8000", "9": "8010", "eu_reverse_charge": "8020"},
    vat_codes={"21": "VH", "9": "VL", "eu_reverse_charge": "IH"},
    shipping_account="8100",
    debtors_account="1300",
    destiny="final",
)

CUSTOMER = BookingCustomer(
    name="Anna de Vries",
    company="",
    email="anna@example.nl",
    vat_number="",
    street="Dorpsstraat 1",
    postcode="1234 AB",
    city="Utrecht",
    country="NL",
)


def _booking(number="F2025-0007", *, credit=False, customer=CUSTOMER, lines=None) -> Booking:
    sign = -1 if credit else 1
    lines = lines or (
        BookingLine("Teapot", sign * 2, Decimal("40.00") * sign, Decimal("8.40") * sign,
                    Decimal("21"), NATIONAL),
        BookingLine("Tea", sign * 3, Decimal("15.00") * sign, Decimal("1.35") * sign,
                    Decimal("9"), NATIONAL),
        BookingLine("Shipping", sign, Decimal("5.00") * sign, Decimal("1.05") * sign,
                    Decimal("21"), NATIONAL, is_shipping=True),
    )  # fmt: skip
    net = sum((line.amount_net for line in lines), Decimal(0))
    vat = sum((line.vat_amount for line in lines), Decimal(0))
    return Booking(
        number=number,
        kind="credit" if credit else "debit",
        issued_on=datetime.date(2025, 3, 14),
        due_on=datetime.date(2025, 3, 28),
        currency="EUR",
        order_number="ORD2025-0003",
        corrects_number="F2025-0001" if credit else "",
        customer=customer,
        lines=tuple(lines),
        total_net=net,
        total_vat=vat,
        total_gross=net + vat,
        treatment=NATIONAL,
    )


def _posted_transactions(standin) -> list[etree._Element]:
    posted = []
    for recorded in standin.requests:
        if recorded.path != "/webservices/processxml.asmx":
            continue
        envelope = etree.fromstring(recorded.body)
        text = envelope.findtext(f".//{{{TWF}}}xmlRequest")
        request = etree.fromstring(text.encode())
        if request.tag == "transaction":
            posted.append(request)
    return posted


def _lines(transaction: etree._Element) -> list[tuple]:
    return [
        (
            line.get("type"),
            line.findtext("dim1"),
            line.findtext("dim2"),
            line.findtext("value"),
            line.findtext("debitcredit"),
            line.findtext("vatcode"),
            line.findtext("vatvalue"),
        )
        for line in transaction.iter("line")
    ]


# --- Connecting ----------------------------------------------------------------------------------


def test_authorisation_url_asks_for_the_documented_scopes(standin):
    connector, _store = _connector(standin)
    url = connector.authorisation_url(state="st4te", redirect_uri="https://shop.example/cb")
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert parts.path == "/auth/authentication/connect/authorize"
    assert query["client_id"] == CLIENT[0]
    assert query["response_type"] == "code"
    assert query["state"] == "st4te"
    assert query["nonce"]
    assert set(query["scope"].split()) == {
        "openid",
        "twf.user",
        "twf.organisation",
        "twf.organisationUser",
        "offline_access",
    }
    assert (
        TwinfieldConnector(store=MemoryStore({"client_id": "x"}))
        .authorisation_url(state="s", redirect_uri="https://shop.example/cb")
        .startswith("https://login.twinfield.com/auth/authentication/connect/authorize?")
    )


def test_finish_authorisation_gets_tokens_cluster_and_office(standin):
    connector, _store = _connector(
        standin, access_token="", refresh_token="", expires_at=0, office=""
    )
    credentials = connector.finish_authorisation(
        code="auth-code", redirect_uri="https://shop.example/cb"
    )
    assert credentials["access_token"] == "at-1"
    assert credentials["refresh_token"] == "rt-1"
    assert credentials["expires_at"] > time.time() + 3000
    assert credentials["cluster"] == standin.url
    assert credentials["office"] == "NLA001234"
    assert credentials["client_secret"] == CLIENT[1]


def test_connection(standin):
    connector, store = _connector(standin)
    result = connector.test_connection()
    assert result.ok
    assert "NLA001234" in result.message and "Webwinkel BV" in result.message
    assert store.load()["cluster"] == standin.url  # from twf.clusterUrl, saved once
    soap = [r for r in standin.requests if r.path == "/webservices/processxml.asmx"]
    assert soap[0].headers["soapaction"] == '"http://www.twinfield.com/ProcessXmlString"'

    other, _store = _connector(standin, office="NLA999999")
    assert not other.test_connection().ok


# --- Booking -------------------------------------------------------------------------------------


def test_find_invoice_returns_none_when_absent(standin):
    connector, _store = _connector(standin)
    assert connector.find_invoice("F2025-0007") is None
    browse = [
        etree.fromstring(etree.fromstring(r.body).findtext(f".//{{{TWF}}}xmlRequest").encode())
        for r in standin.requests
        if r.path == "/webservices/processxml.asmx"
    ][0]
    assert browse.tag == "columns" and browse.get("code") == "100"


def test_push_debit_invoice_books_a_sales_transaction(standin):
    connector, _store = _connector(standin)
    booked = connector.push_invoice(_booking(), MAPPING)
    assert booked == "VRK:202500001"

    (transaction,) = _posted_transactions(standin)
    assert transaction.get("destiny") == "final"
    header = transaction.find("header")
    assert header.findtext("office") == "NLA001234"
    assert header.findtext("code") == "VRK"
    assert header.findtext("period") == "2025/03"
    assert header.findtext("date") == "20250314"
    assert header.findtext("duedate") == "20250328"
    assert header.findtext("invoicenumber") == "F2025-0007"
    # A new debtor (nobody had anna@example.nl) with Twinfield's next code.
    assert standin.state.data["debtors"]["1002"]["email"] == "anna@example.nl"
    assert _lines(transaction) == [
        ("total", "1300", "1002", "70.80", "debit", None, None),
        ("detail", "8000", None, "40.00", "credit", "VH", "8.40"),
        ("detail", "8010", None, "15.00", "credit", "VL", "1.35"),
        ("detail", "8100", None, "5.00", "credit", "VH", "1.05"),
    ]


def test_push_credit_invoice_books_the_other_way_round(standin):
    connector, _store = _connector(standin)
    booking = _booking("C2025-0002", credit=True)
    assert connector.push_invoice(booking, MAPPING) == "VRK:202500001"
    (transaction,) = _posted_transactions(standin)
    assert _lines(transaction) == [
        ("total", "1300", "1002", "70.80", "credit", None, None),
        ("detail", "8000", None, "40.00", "debit", "VH", "8.40"),
        ("detail", "8010", None, "15.00", "debit", "VL", "1.35"),
        ("detail", "8100", None, "5.00", "debit", "VH", "1.05"),
    ]


def test_existing_debtor_found_by_vat_number(standin):
    connector, _store = _connector(standin)
    company = BookingCustomer(
        name="Piet Bakker",
        company="Bakker BV",
        email="inkoop@bakker.example",
        vat_number="NL123456789B01",
        street="Markt 2",
        postcode="5611 AA",
        city="Eindhoven",
        country="NL",
    )
    connector.push_invoice(_booking(customer=company), MAPPING)
    (transaction,) = _posted_transactions(standin)
    assert _lines(transaction)[0][2] == "1001"
    assert len(standin.state.data["debtors"]) == 1  # no new debtor
    finder = [r for r in standin.requests if r.path == "/webservices/finder.asmx"]
    assert finder[0].headers["soapaction"] == '"http://www.twinfield.com/Search"'


def test_vat_of_a_rate_follows_the_rounding_of_the_invoice(standin):
    """Three lines of 1.01 at 21 %: each line says 0.21 (0.63 together), but the invoice's VAT
    of the rate is 21 % of 3.03 = 0.64 (EN 16931); the cent goes to the last line."""
    connector, _store = _connector(standin)
    lines = tuple(
        BookingLine("Card", 1, Decimal("1.01"), Decimal("0.21"), Decimal("21"), NATIONAL)
        for _ in range(3)
    )
    booking = _booking(lines=lines)
    booking = Booking(**{**booking.__dict__, "total_vat": Decimal("0.64"),
                         "total_gross": Decimal("3.67")})  # fmt: skip
    connector.push_invoice(booking, MAPPING)
    (transaction,) = _posted_transactions(standin)
    assert [line[6] for line in _lines(transaction)[1:]] == ["0.21", "0.21", "0.22"]
    assert _lines(transaction)[0][3] == "3.67"


def test_reverse_charge_line_uses_its_treatment(standin):
    connector, _store = _connector(standin)
    lines = (
        BookingLine("Teapot", 1, Decimal("50.00"), Decimal("0"), Decimal("0"), EU_REVERSE_CHARGE),
    )
    connector.push_invoice(_booking(lines=lines), MAPPING)
    (transaction,) = _posted_transactions(standin)
    assert _lines(transaction)[1] == ("detail", "8020", None, "50.00", "credit", "IH", "0.00")


def test_find_invoice_after_a_push_finds_it(standin):
    connector, _store = _connector(standin)
    booked = connector.push_invoice(_booking(), MAPPING)
    assert connector.find_invoice("F2025-0007") == booked
    assert connector.find_invoice("F2025-0008") is None


def test_duplicate_invoice_number_is_a_clear_error(standin):
    connector, _store = _connector(standin)
    connector.push_invoice(_booking(), MAPPING)
    with pytest.raises(ConnectorError) as refused:
        connector.push_invoice(_booking(), MAPPING)
    assert refused.value.code == "accounting_duplicate"
    assert "F2025-0007" in refused.value.message
    assert "already in use" in refused.value.message
    assert not refused.value.retryable
    assert len(standin.state.data["transactions"]) == 1


def test_refusal_carries_twinfields_message(standin):
    connector, _store = _connector(standin)
    mapping = Mapping(**{**MAPPING.__dict__, "vat_codes": {**MAPPING.vat_codes, "9": "VX"}})
    with pytest.raises(ConnectorError) as refused:
        connector.push_invoice(_booking(), mapping)
    assert "VAT VX does not exist." in refused.value.message
    assert not refused.value.retryable


def test_missing_account_for_a_rate_is_refused_before_any_request(standin):
    connector, _store = _connector(standin)
    mapping = Mapping(**{**MAPPING.__dict__, "revenue_accounts": {"21": "8000"}})
    with pytest.raises(InvalidMapping) as refused:
        connector.push_invoice(_booking(), mapping)
    assert "9 %" in refused.value.message
    assert "G/L account" in refused.value.message
    assert standin.requests == []

    no_code = Mapping(**{**MAPPING.__dict__, "vat_codes": {"21": "VH"}})
    with pytest.raises(InvalidMapping, match="VAT code for VAT rate 9 %"):
        connector.push_invoice(_booking(), no_code)
    assert standin.requests == []


# --- Failures ------------------------------------------------------------------------------------


def test_rate_limit_gives_the_seconds_to_wait(standin):
    connector, _store = _connector(standin, cluster=standin.url)
    standin.state.fail_next.append(
        (429, {"Retry-After": "17", "Content-Type": "text/plain"}, b"Too many requests")
    )
    with pytest.raises(RateLimited) as limited:
        connector.find_invoice("F2025-0007")
    assert limited.value.retry_after == 17
    assert limited.value.retryable

    standin.state.fail_next.append((429, {"X-RateLimit-Reset": "42"}, b""))
    with pytest.raises(RateLimited) as limited:
        connector.push_invoice(_booking(), MAPPING)
    assert limited.value.retry_after == 42


def test_server_error_is_retryable(standin):
    connector, _store = _connector(standin, cluster=standin.url)
    standin.state.fail_next.append((500, {"Content-Type": "text/html"}, b"<h1>oops</h1>"))
    with pytest.raises(ConnectorError) as failed:
        connector.push_invoice(_booking(), MAPPING)
    assert failed.value.retryable
    assert not isinstance(failed.value, NeedsReconnection)
    assert standin.state.data["transactions"] == []


def test_unreachable_twinfield_is_retryable():
    store = MemoryStore(_credentials(cluster="http://127.0.0.1:9"))
    connector = TwinfieldConnector(store=store, base_url="http://127.0.0.1:9")
    with pytest.raises(ConnectorError) as failed:
        connector.find_invoice("F2025-0007")
    assert failed.value.retryable


def test_expired_token_is_refreshed_once_and_the_new_refresh_token_kept(standin):
    connector, store = _connector(standin, expires_at=int(time.time()) - 10)
    assert connector.find_invoice("F2025-0007") is None
    saved = store.load()
    assert saved["access_token"] == "at-1"
    assert saved["refresh_token"] == "rt-1"  # the old one is spent
    assert "rt-0" not in standin.state.data["refresh_tokens"]
    connector.find_invoice("F2025-0007")
    assert standin.state.data["refreshes"] == 1


def test_refresh_is_skipped_when_another_worker_already_refreshed(standin):
    """The token in hand has expired, but the saved one (refreshed by another worker between
    our load and our locked update) has not: the refresh token is not spent again."""
    connector, store = _connector(standin, expires_at=int(time.time()) - 10)

    class RefreshedMeanwhile(MemoryStore):
        def update(self, change):
            with self.lock:
                self.credentials.update(
                    access_token="at-0", refresh_token="rt-9", expires_at=int(time.time()) + 3000
                )
            return super().update(change)

    raced = RefreshedMeanwhile(store.load())
    connector = TwinfieldConnector(store=raced, base_url=standin.url)
    assert connector.find_invoice("F2025-0007") is None
    assert standin.state.data.get("refreshes", 0) == 0
    assert raced.load()["refresh_token"] == "rt-9"


def test_concurrent_refreshes_spend_the_refresh_token_once(standin):
    store = MemoryStore(_credentials(expires_at=int(time.time()) - 10, cluster=standin.url))
    errors = []

    def work():
        try:
            TwinfieldConnector(store=store, base_url=standin.url).find_invoice("F2025-0007")
        except Exception as error:  # noqa: BLE001 (collected for the assertion)
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert standin.state.data["refreshes"] == 1


def test_token_turned_down_is_refreshed_and_the_call_repeated(standin):
    connector, store = _connector(standin)
    store.update(lambda c: {**c, "cluster": standin.url})
    standin.state.data["access_tokens"].discard("at-0")  # turned down before its expiry
    assert connector.find_invoice("F2025-0007") is None
    assert store.load()["access_token"] == "at-1"


def test_revoked_refresh_token_needs_reconnection(standin):
    connector, store = _connector(standin, expires_at=int(time.time()) - 10)
    standin.state.data["refresh_tokens"].clear()  # the shop owner revoked Kantoor's access
    with pytest.raises(NeedsReconnection):
        connector.push_invoice(_booking(), MAPPING)
    assert store.load()["refresh_token"] == "rt-0"  # nothing overwritten
    assert standin.state.data["transactions"] == []


def test_token_refused_twice_needs_reconnection(standin):
    connector, _store = _connector(standin, cluster=standin.url)
    standin.state.data["reject_all"] = True  # no token is accepted, not even a fresh one
    with pytest.raises(NeedsReconnection):
        connector.find_invoice("F2025-0007")
    assert standin.state.data["refreshes"] == 1
