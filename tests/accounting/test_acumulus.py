"""The Acumulus connector against ``AcumulusStandIn``: SIEL's XML API as documented (a POST of
the form field ``xmlstring`` with ``<myxml>``, ``<contract>`` and ``<format>json</format>``;
the basic response with ``status``, ``errors`` and ``warnings``) for invoice_add,
invoice_paymentstatus_set, entry_info, entries_list_recent and my_acumulus."""

from __future__ import annotations

import datetime
import json
import socket
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from lxml import etree

from kantoor.accounting.connectors.acumulus import AcumulusConnector
from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    EXPORT,
    NATIONAL,
    Booking,
    BookingCustomer,
    BookingLine,
    Mapping,
)
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)
from tests.accounting.standin import MemoryStore, Recorded, StandIn, StandInHandler, json_answer

CREDENTIALS = {
    "contract_code": "123456",
    "username": "kantoor_api",
    "password": "s3cret&<ok>",
    "email_on_error": "owner@example.com",
}
MAPPING = Mapping(
    journal="70582",
    revenue_accounts={"21": "48663", "9": "48663", "0": "48663", "eu_reverse_charge": "48663"},
)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _basic(status: int = 0, errors: list[dict] | None = None, warnings: list[dict] | None = None):
    """Acumulus's basic response, as its JSON shows it: one message as an object, several as
    a list, counts as text."""
    answer = {"errors": {"count_errors": str(len(errors or []))}, "status": str(status)}
    answer["warnings"] = {"count_warnings": str(len(warnings or []))}
    if errors:
        answer["errors"]["error"] = errors[0] if len(errors) == 1 else errors
    if warnings:
        answer["warnings"]["warning"] = warnings[0] if len(warnings) == 1 else warnings
    return answer


def _error(code: str, codetag: str, message: str) -> dict:
    return {"code": code, "codetag": codetag, "message": message}


def _node(element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


class AcumulusStandIn(StandInHandler):
    """A stand-in for Acumulus's API (api.sielsystems.nl/acumulus/stable/), for the tests only.
    It reads the ``xmlstring`` form field, checks the ``<contract>`` against
    ``state.data["contract"]`` (a mismatch answers 403 with code "403 Forbidden", as Acumulus
    does), and keeps the administration's entries in ``state.data["entries"]``."""

    def handle_request(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        prefix = "/acumulus/stable/"
        if recorded.method != "POST" or not recorded.path.startswith(prefix):
            return 404, {"Content-Type": "text/html"}, b"<html>Not Found</html>"
        call = recorded.path[len(prefix) :].removesuffix(".php")
        handler = {
            "general/my_acumulus": self.my_acumulus,
            "entry/entries_list_recent": self.entries_list_recent,
            "entry/entry_info": self.entry_info,
            "invoices/invoice_add": self.invoice_add,
            "invoices/invoice_paymentstatus_set": self.paymentstatus_set,
        }.get(call)
        if handler is None:
            return 404, {"Content-Type": "text/html"}, b"<html>Not Found</html>"
        xmlstring = parse_qs(recorded.body.decode()).get("xmlstring", [""])[0]
        try:
            submit = etree.fromstring(xmlstring.encode(), PARSER)  # noqa: S320 (our own test data)
        except etree.XMLSyntaxError:
            return json_answer(400, _basic(1, [_error("400", "XMLINVALID", "Invalid XML")]))
        if _node(submit, "format") != "json":
            return 400, {"Content-Type": "text/xml"}, b"<response><status>1</status></response>"
        contract = submit.find("contract")
        expected = self.state.data["contract"]
        given = {
            "contract_code": _node(contract, "contractcode") if contract is not None else "",
            "username": _node(contract, "username") if contract is not None else "",
            "password": (contract.findtext("password") or "") if contract is not None else "",
        }
        if given != expected:
            return json_answer(
                403,
                _basic(1, [_error("403 Forbidden", "AA7E1C3PA", "Incorrect username or password")]),
            )
        return handler(submit)

    def _entries(self) -> dict:
        return self.state.data.setdefault("entries", {})

    def my_acumulus(self, submit) -> tuple[int, dict, bytes]:
        mydata = {"mycontractcode": "123456", "mycompanyname": "Winkel de Vries", "myemail": {}}
        return json_answer(200, {"mydata": mydata, **_basic()})

    def entries_list_recent(self, submit) -> tuple[int, dict, bytes]:
        recent = sorted(self._entries().values(), key=lambda entry: -int(entry["entryid"]))[:10]
        listed = [
            {
                key: entry[key]
                for key in ("entryid", "entrydescription", "invoicenumber", "paymentstatus")
            }
            for entry in recent
        ]
        entries = {"entry": listed[0] if len(listed) == 1 else listed} if listed else {}
        return json_answer(200, {"entries": entries, **_basic()})

    def entry_info(self, submit) -> tuple[int, dict, bytes]:
        entry = self._entries().get(_node(submit, "entryid"))
        if entry is None:
            return json_answer(
                404,
                _basic(1, [_error("404 Not Found", "XGYBSN000", "Requested entry not found")]),
            )
        shown = {key: value for key, value in entry.items() if key != "lines"}
        return json_answer(200, {"entry": shown, **_basic()})

    def invoice_add(self, submit) -> tuple[int, dict, bytes]:
        customer = submit.find("customer")
        invoice = customer.find("invoice") if customer is not None else None
        if invoice is None:
            return json_answer(400, _basic(1, [_error("400", "INV0MISS", "Missing invoice")]))
        lines = invoice.findall("line")
        if not lines:
            return json_answer(400, _basic(1, [_error("400", "LINE0MISS", "No invoice lines")]))
        for line in lines:
            for tag in ("unitprice", "vatrate", "quantity"):
                try:
                    Decimal(_node(line, tag))
                except ArithmeticError:
                    return json_answer(
                        400, _basic(1, [_error("400", "LINEINVAL", f"Invalid {tag}")])
                    )
        entries = self._entries()
        number = _node(invoice, "number")
        taken = {entry["invoicenumber"] for entry in entries.values()}
        if number and number in taken:
            return json_answer(
                400,
                _basic(
                    1,
                    [_error("400 Bad Request", "INVNR0DUP", f"Invoice number {number} in use")],
                ),
            )
        if not number:
            number = str(max([20240000, *(int(n) for n in taken)]) + 1)
        entry_id = str(55393000 + len(entries) + 1)
        entry = {
            "entryid": entry_id,
            "token": f"{int(entry_id):032x}",
            "entrydate": _node(invoice, "issuedate"),
            "entrydescription": _node(invoice, "description"),
            "descriptiontext": _node(invoice, "descriptiontext"),
            "invoicenumber": number,
            "costcenterid": _node(invoice, "costcenter"),
            "accountnumber": _node(invoice, "accountnumber"),
            "paymentstatus": _node(invoice, "paymentstatus") or "1",
            "paymentdate": _node(invoice, "paymentdate"),
            "deleted": {},
            "lines": [
                {tag: _node(line, tag) for tag in ("product", "unitprice", "vatrate", "quantity")}
                for line in lines
            ],
            "vattype": _node(invoice, "vattype"),
        }
        entries[entry_id] = entry
        warnings = []
        if not _node(customer, "email"):
            warnings.append(_error("553", "W3MAIL", "No e-mail address for the customer"))
        result = {
            "invoicenumber": number,
            "token": entry["token"],
            "entryid": entry_id,
            "conceptid": [],
        }
        return json_answer(200, {"invoice": result, **_basic(2 if warnings else 0, [], warnings)})

    def paymentstatus_set(self, submit) -> tuple[int, dict, bytes]:
        token = _node(submit, "token")
        entry = next((e for e in self._entries().values() if e["token"] == token), None)
        if entry is None:
            return json_answer(
                404,
                _basic(1, [_error("404 Not Found", "TNFE4035G", "Requested token not found")]),
            )
        if not _node(submit, "paymentdate"):
            return json_answer(
                400, _basic(1, [_error("400", "DATE590ZW", "Missing mandatory paymentdate")])
            )
        entry["paymentstatus"] = _node(submit, "paymentstatus")
        entry["paymentdate"] = _node(submit, "paymentdate")
        result = {"token": token, "entryid": entry["entryid"], "paymentstatus": "2"}
        return json_answer(200, {"invoice": result, **_basic()})


@pytest.fixture
def standin():
    contract = {key: CREDENTIALS[key] for key in ("contract_code", "username", "password")}
    with StandIn(AcumulusStandIn, data={"contract": contract}) as running:
        yield running


def _connector(standin, credentials: dict | None = None) -> AcumulusConnector:
    store = MemoryStore(CREDENTIALS if credentials is None else credentials)
    return AcumulusConnector(store=store, base_url=standin.url)


CUSTOMER = BookingCustomer(
    name="Anna de Vries",
    company="",
    email="anna@example.com",
    vat_number="",
    street="Dorpsstraat 1",
    postcode="1234 AB",
    city="Utrecht",
    country="NL",
)


def _debit(number: str = "F2025-0001", *, paid_on: datetime.date | None = None) -> Booking:
    lines = (
        BookingLine("Mug & saucer", 3, Decimal("30.00"), Decimal("6.30"), Decimal("21"), NATIONAL),
        BookingLine("Book", 1, Decimal("12.50"), Decimal("1.13"), Decimal("9"), NATIONAL),
        BookingLine("Shipping", 1, Decimal("4.95"), Decimal("1.04"), Decimal("21"), NATIONAL, True),
    )
    return Booking(
        number=number,
        kind="debit",
        issued_on=datetime.date(2025, 3, 14),
        due_on=datetime.date(2025, 3, 28),
        currency="EUR",
        order_number="ORD2025-0042",
        corrects_number="",
        customer=CUSTOMER,
        lines=lines,
        total_net=Decimal("47.45"),
        total_vat=Decimal("8.47"),
        total_gross=Decimal("55.92"),
        treatment=NATIONAL,
        paid_on=paid_on,
    )


def _credit() -> Booking:
    lines = (
        BookingLine(
            "Mug & saucer", -2, Decimal("-20.00"), Decimal("-4.20"), Decimal("21"), NATIONAL
        ),
    )
    return Booking(
        number="C2025-0003",
        kind="credit",
        issued_on=datetime.date(2025, 3, 20),
        due_on=datetime.date(2025, 4, 3),
        currency="EUR",
        order_number="ORD2025-0042",
        corrects_number="F2025-0001",
        customer=CUSTOMER,
        lines=lines,
        total_net=Decimal("-20.00"),
        total_vat=Decimal("-4.20"),
        total_gross=Decimal("-24.20"),
        treatment=NATIONAL,
    )


def _submitted(standin, call: str):
    """The ``<myxml>`` of the last request to ``call``."""
    for recorded in reversed(standin.requests):
        if recorded.path == f"/acumulus/stable/{call}.php":
            xmlstring = parse_qs(recorded.body.decode())["xmlstring"][0]
            return etree.fromstring(xmlstring.encode(), PARSER)  # noqa: S320 (our own request)
    raise AssertionError(f"no request to {call}")


def _lines(invoice) -> list[dict]:
    return [
        {tag: _node(line, tag) for tag in ("product", "unitprice", "vatrate", "quantity")}
        for line in invoice.findall("line")
    ]


def test_connection_names_the_company_and_sends_the_contract(standin):
    result = _connector(standin).test_connection()

    assert result.ok
    assert "Winkel de Vries" in result.message and "123456" in result.message
    submit = _submitted(standin, "general/my_acumulus")
    assert _node(submit, "format") == "json"
    assert _node(submit, "testmode") == "0"
    assert submit.findtext("contract/password") == "s3cret&<ok>"  # escaped, not broken XML
    assert _node(submit, "contract/emailonerror") == "owner@example.com"
    assert standin.requests[0].headers["content-type"] == "application/x-www-form-urlencoded"


def test_connection_with_a_wrong_password_is_not_ok(standin):
    result = _connector(standin, {**CREDENTIALS, "password": "wrong"}).test_connection()

    assert not result.ok
    assert "Incorrect username or password" in result.message


def test_connection_without_credentials_asks_for_them_without_a_request(standin):
    result = _connector(standin, {}).test_connection()

    assert not result.ok
    assert standin.requests == []


def test_find_invoice_returns_none_when_absent(standin):
    assert _connector(standin).find_invoice("F2025-0001") is None
    assert standin.requests[-1].path == "/acumulus/stable/entry/entries_list_recent.php"


def test_push_debit_invoice_books_lines_cost_centre_and_account(standin):
    connector = _connector(standin)

    entry_id = connector.push_invoice(_debit(), MAPPING)

    assert entry_id == "55393001"
    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _node(invoice, "concept") == "0"
    assert invoice.find("number") is None  # "F2025-0001" is no integer: Acumulus numbers it
    assert _node(invoice, "description") == "F2025-0001"
    assert "ORD2025-0042" in _node(invoice, "descriptiontext")
    assert _node(invoice, "vattype") == "1"
    assert _node(invoice, "issuedate") == "2025-03-14"
    assert _node(invoice, "costcenter") == "48663"
    assert _node(invoice, "accountnumber") == "70582"
    assert _node(invoice, "paymentstatus") == "1"
    assert invoice.find("paymentdate") is None
    assert _lines(invoice) == [
        {"product": "Mug & saucer", "unitprice": "10.0000", "vatrate": "21", "quantity": "3"},
        {"product": "Book", "unitprice": "12.5000", "vatrate": "9", "quantity": "1"},
        {"product": "Shipping", "unitprice": "4.9500", "vatrate": "21", "quantity": "1"},
    ]
    customer = _submitted(standin, "invoices/invoice_add").find("customer")
    assert _node(customer, "type") == "1"
    assert _node(customer, "fullname") == "Anna de Vries"
    assert _node(customer, "countrycode") == "NL"
    assert customer.find("companyname1") is None


def test_find_invoice_after_a_push_finds_it(standin):
    connector = _connector(standin)
    entry_id = connector.push_invoice(_debit(), MAPPING)
    connector.push_invoice(_debit("F2025-0002"), MAPPING)

    assert connector.find_invoice("F2025-0001") == entry_id
    assert connector.find_invoice("F2025-0009") is None


def test_push_credit_invoice_books_negative_quantities(standin):
    connector = _connector(standin)

    entry_id = connector.push_invoice(_credit(), MAPPING)

    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _lines(invoice) == [
        {"product": "Mug & saucer", "unitprice": "10.0000", "vatrate": "21", "quantity": "-2"}
    ]
    assert "F2025-0001" in _node(invoice, "descriptiontext")
    assert _node(invoice, "description") == "C2025-0003"
    assert connector.find_invoice("C2025-0003") == entry_id


def test_a_line_total_that_is_no_whole_unit_price_books_as_one_unit(standin):
    booking = _debit()
    odd = BookingLine("Pen", 3, Decimal("10.00"), Decimal("2.10"), Decimal("21"), NATIONAL)
    _connector(standin).push_invoice(Booking(**{**booking.__dict__, "lines": (odd,)}), MAPPING)

    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _lines(invoice) == [
        {"product": "3 × Pen", "unitprice": "10.0000", "vatrate": "21", "quantity": "1"}
    ]


def test_eu_reverse_charge_books_vat_type_3_and_vat_code_from_the_mapping(standin):
    business = BookingCustomer(
        name="Jan Peeters",
        company="Peeters BV",
        email="jan@example.be",
        vat_number="BE0123456789",
        street="Kerkstraat 2",
        postcode="2000",
        city="Antwerpen",
        country="BE",
    )
    booking = Booking(
        **{
            **_debit().__dict__,
            "customer": business,
            "treatment": EU_REVERSE_CHARGE,
            "lines": (
                BookingLine(
                    "Mug", 2, Decimal("20.00"), Decimal("0"), Decimal("0"), EU_REVERSE_CHARGE
                ),
            ),
        }
    )
    mapping = Mapping(revenue_accounts={"eu_reverse_charge": "56074"}, vat_codes={})

    _connector(standin).push_invoice(booking, mapping)

    submit = _submitted(standin, "invoices/invoice_add")
    invoice = submit.find("customer/invoice")
    assert _node(invoice, "vattype") == "3"
    assert _node(invoice, "costcenter") == "56074"
    assert invoice.find("accountnumber") is None  # no journal: Acumulus's default account
    assert _lines(invoice)[0]["vatrate"] == "0"
    assert _node(submit.find("customer"), "companyname1") == "Peeters BV"
    assert _node(submit.find("customer"), "vatnumber") == "BE0123456789"
    assert _node(submit.find("customer"), "vattypeid") == "2"


def test_a_vat_code_in_the_mapping_is_the_acumulus_vat_rate(standin):
    booking = Booking(
        **{
            **_debit().__dict__,
            "lines": (
                BookingLine("Voucher", 1, Decimal("25.00"), Decimal("0"), Decimal("0"), NATIONAL),
            ),
        }
    )
    mapping = Mapping(revenue_accounts={"0": "48663"}, vat_codes={"0": "-1"})

    _connector(standin).push_invoice(booking, mapping)

    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _lines(invoice)[0]["vatrate"] == "-1"


def test_export_books_vat_type_4(standin):
    booking = Booking(
        **{
            **_debit().__dict__,
            "treatment": EXPORT,
            "lines": (BookingLine("Mug", 1, Decimal("9.00"), Decimal("0"), Decimal("0"), EXPORT),),
        }
    )
    _connector(standin).push_invoice(booking, Mapping(revenue_accounts={"export": "48663"}))

    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _node(invoice, "vattype") == "4"


def test_a_numeric_invoice_number_is_sent_and_a_duplicate_is_refused_clearly(standin):
    connector = _connector(standin)
    connector.push_invoice(_debit("2025001"), MAPPING)
    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _node(invoice, "number") == "2025001"
    assert connector.find_invoice("2025001") is not None

    with pytest.raises(ConnectorError) as refused:
        connector.push_invoice(_debit("2025001"), MAPPING)

    assert not refused.value.retryable
    assert not isinstance(refused.value, NeedsReconnection)
    assert "Invoice number 2025001 in use" in refused.value.message
    assert "INVNR0DUP" in refused.value.message


def test_a_paid_invoice_goes_in_paid_and_a_later_payment_is_set_by_token(standin):
    connector = _connector(standin)
    paid = connector.push_invoice(_debit(paid_on=datetime.date(2025, 3, 15)), MAPPING)
    invoice = _submitted(standin, "invoices/invoice_add").find("customer/invoice")
    assert _node(invoice, "paymentstatus") == "2"
    assert _node(invoice, "paymentdate") == "2025-03-15"
    assert standin.state.data["entries"][paid]["paymentstatus"] == "2"

    due = connector.push_invoice(_debit("F2025-0002"), MAPPING)
    connector.push_payment(_debit("F2025-0002"), due, datetime.date(2025, 3, 30))

    submit = _submitted(standin, "invoices/invoice_paymentstatus_set")
    assert _node(submit, "token") == standin.state.data["entries"][due]["token"]
    assert _node(submit, "paymentstatus") == "2"
    assert _node(submit, "paymentdate") == "2025-03-30"
    assert standin.state.data["entries"][due]["paymentstatus"] == "2"


def test_a_payment_for_an_unknown_entry_is_refused(standin):
    with pytest.raises(ConnectorError) as refused:
        _connector(standin).push_payment(_debit(), "99999999", datetime.date(2025, 3, 30))

    assert "Requested entry not found" in refused.value.message
    assert not refused.value.retryable


def test_rate_limit_with_retry_after_is_rate_limited(standin):
    standin.state.fail_next.append(
        (429, {"Content-Type": "text/html", "Retry-After": "17"}, b"<html>Too many</html>")
    )

    with pytest.raises(RateLimited) as limited:
        _connector(standin).push_invoice(_debit(), MAPPING)

    assert limited.value.retry_after == 17
    assert limited.value.retryable


def test_rate_limit_with_rate_limit_reset_is_rate_limited(standin):
    standin.state.fail_next.append((429, {"X-RateLimit-Reset": "42"}, b""))

    with pytest.raises(RateLimited) as limited:
        _connector(standin).find_invoice("F2025-0001")

    assert limited.value.retry_after == 42


def test_server_error_is_retryable(standin):
    standin.state.fail_next.append((500, {"Content-Type": "text/html"}, b"<html>Oops</html>"))

    with pytest.raises(ConnectorError) as failed:
        _connector(standin).push_invoice(_debit(), MAPPING)

    assert failed.value.retryable
    assert not isinstance(failed.value, RateLimited)


def test_an_acumulus_exception_status_is_retryable(standin):
    answer = _basic(3, [_error("500", "EXC0001", "Unexpected exception")])
    standin.state.fail_next.append(json_answer(200, answer))

    with pytest.raises(ConnectorError) as failed:
        _connector(standin).push_invoice(_debit(), MAPPING)

    assert failed.value.retryable
    assert "Unexpected exception" in failed.value.message


def test_warnings_do_not_stop_the_booking(standin):
    without_email = BookingCustomer(**{**CUSTOMER.__dict__, "email": ""})
    booking = Booking(**{**_debit().__dict__, "customer": without_email})

    assert _connector(standin).push_invoice(booking, MAPPING) == "55393001"


def test_a_business_error_is_not_retryable_and_says_what_acumulus_said(standin):
    standin.state.fail_next.append(
        json_answer(
            400,
            _basic(
                1,
                [
                    _error("400", "CC0NOTF", "Costcenter 48663 not found"),
                    _error("400", "ACC0NOTF", "Account 70582 not found"),
                ],
            ),
        )
    )

    with pytest.raises(ConnectorError) as refused:
        _connector(standin).push_invoice(_debit(), MAPPING)

    assert not refused.value.retryable
    assert "Costcenter 48663 not found (CC0NOTF)" in refused.value.message
    assert "Account 70582 not found (ACC0NOTF)" in refused.value.message


def test_a_revoked_credential_needs_reconnection(standin):
    connector = _connector(standin)
    standin.state.data["contract"]["password"] = "changed-in-acumulus"

    with pytest.raises(NeedsReconnection) as revoked:
        connector.push_invoice(_debit(), MAPPING)

    assert "Incorrect username or password" in revoked.value.message
    with pytest.raises(NeedsReconnection):
        connector.find_invoice("F2025-0001")


def test_a_missing_cost_centre_for_a_used_rate_is_refused_before_any_request(standin):
    mapping = Mapping(journal="70582", revenue_accounts={"21": "48663"})

    with pytest.raises(InvalidMapping) as invalid:
        _connector(standin).push_invoice(_debit(), mapping)

    assert "VAT rate 9 %" in invalid.value.message
    assert standin.requests == []


def test_rates_on_different_cost_centres_are_refused_before_any_request(standin):
    mapping = Mapping(revenue_accounts={"21": "48663", "9": "56075"})

    with pytest.raises(InvalidMapping) as invalid:
        _connector(standin).push_invoice(_debit(), mapping)

    assert "one cost centre" in invalid.value.message
    assert "48663" in invalid.value.message and "56075" in invalid.value.message
    assert standin.requests == []


def test_a_cost_centre_that_is_no_id_is_refused_before_any_request(standin):
    mapping = Mapping(revenue_accounts={"21": "8000", "9": "Omzet laag"})

    with pytest.raises(InvalidMapping) as invalid:
        _connector(standin).push_invoice(_debit(), mapping)

    assert "Omzet laag" in invalid.value.message
    assert standin.requests == []


def test_another_currency_is_refused_before_any_request(standin):
    booking = Booking(**{**_debit().__dict__, "currency": "USD"})

    with pytest.raises(ConnectorError) as refused:
        _connector(standin).push_invoice(booking, MAPPING)

    assert "USD" in refused.value.message
    assert standin.requests == []


def test_an_unreachable_acumulus_is_retryable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens
    connector = AcumulusConnector(
        store=MemoryStore(CREDENTIALS), base_url=f"http://127.0.0.1:{port}"
    )

    with pytest.raises(ConnectorError) as failed:
        connector.find_invoice("F2025-0001")

    assert failed.value.retryable


def test_an_answer_that_is_no_basic_response_is_a_clear_error(standin):
    standin.state.fail_next.append((200, {"Content-Type": "text/html"}, b"<html>Hi</html>"))

    with pytest.raises(ConnectorError) as failed:
        _connector(standin).find_invoice("F2025-0001")

    assert failed.value.retryable
    assert json.dumps(failed.value.message)  # a message for people, not a traceback
