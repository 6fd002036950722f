"""Acumulus (SIEL) through its XML API: every call is a ``POST`` of one form field,
``xmlstring``, holding a ``<myxml>`` document with the ``<contract>`` (contract code, user name,
password, e-mail addresses for errors and warnings) and the call's own nodes; we ask for
``<format>json</format>`` answers. There is no OAuth: the credentials travel with every call.

Documentation relied on (SIEL's API pages, https://www.siel.nl/acumulus/API/):
- Basic Submit (``/Basic_Submit/``): the ``<contract>``, ``<format>``, ``<testmode>``, ``<lang>``
  and ``<connector>`` nodes of every call;
- Basic Response (``/Basic_Response/``): ``status`` 0 success, 1 failed (errors), 2 success with
  warnings, 3 exception; ``errors``/``warnings`` with ``code`` (4xx, 5xx, 6xx), ``codetag`` and
  ``message``;
- Invoice Add (``/Invoicing/Add_Invoice/``, ``invoices/invoice_add.php``): ``<customer>`` with its
  ``<invoice>`` (concept, number, vattype, issuedate, costcenter, accountnumber, paymentstatus,
  paymentdate, description, descriptiontext) and its ``<line>``s (product, unitprice excl. VAT,
  vatrate, quantity); the answer's ``invoice`` has ``invoicenumber``, ``token`` and ``entryid``;
- Payment Set Status (``/Invoicing/Payment_Set_Status/``, ``invoices/invoice_paymentstatus_set``):
  by the invoice's 32-character ``token``, paymentstatus 1 due / 2 paid, paymentdate;
- Get Entry Details (``/Entry/Get_Entry_Details``, ``entry/entry_info.php``): the entry's
  ``token``, ``entrydescription``, ``invoicenumber``, ``deleted``;
- 10 Most Recent Entries (``/Entry/List_Recent_Entries``, ``entry/entries_list_recent.php``);
- My Acumulus (``/Misc/My_Acumulus/``, ``general/my_acumulus.php``): the contract's company.
SIEL's own PHP library, libAcumulus (github.com/SIELOnline/libAcumulus), was read for what the
pages leave open: the base URL ``https://api.sielsystems.nl/acumulus/stable/``; HTTP 200/400 for
answers with a basic response, 403 ``"403 Forbidden"`` for a contract Acumulus refuses, 404 for
an unknown entry, 429 from the load balancer; the invoice ``number`` is an integer only (no
prefix, no zero padding); vattype 1 national, 3 EU reverse charge, 4 outside the EU, with
vatrate 0 on the lines of the last two; vatrate -1 is "VAT free".

How Kantoor's booking becomes an Acumulus invoice:
- Acumulus keeps its own (integer) invoice numbers. Our number goes in ``<number>`` only when it
  is a plain integer; always, it is the invoice's ``<description>`` (the entry's description),
  which is how ``find_invoice`` recognises it. Acumulus documents no look-up by description or
  by a number of ours, so ``find_invoice`` reads the 10 most recent entries: it finds an invoice
  whose push answer was lost (the case a retried push is about), not one booked long ago.
- Acumulus books revenue per VAT rate itself and takes no G/L account per line: the Mapping's
  account for a rate (``revenue_accounts``; ``shipping_account`` for shipping) is the Acumulus
  cost centre (``<costcenter>``, a numeric id from picklist_costcenters). An Acumulus invoice has
  one cost centre, so every line of an invoice must map to the same one. ``journal`` is the
  Acumulus account (``<accountnumber>``, the "rekening" of picklist_accounts) the invoice books
  on; empty means Acumulus's default. ``vat_codes`` may give the Acumulus vatrate of a rate key
  (e.g. ``{"0": "-1"}`` books national 0 % lines as VAT free); without one, the line's rate.
- A credit invoice is an invoice with negative quantities (the unit price stays positive):
  Acumulus has no separate credit-note call.
- A paid invoice goes in with paymentstatus 2 and its paymentdate; ``push_payment`` sets it
  later through ``invoice_paymentstatus_set`` with the token read from ``entry_info``.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import requests
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from lxml import etree

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    EXPORT,
    NATIONAL,
    AccountingConnector,
    Booking,
    BookingLine,
    ConnectionTest,
    Mapping,
    retry_after_seconds,
)
from kantoor.accounting.errors import (
    ConnectorError,
    InvalidMapping,
    NeedsReconnection,
    RateLimited,
)

PRODUCTION_URL = "https://api.sielsystems.nl"
API_PATH = "/acumulus/stable/"
TIMEOUT = (5, 20)  # connect, read (seconds)

# Basic Response "status".
STATUS_SUCCESS = "0"
STATUS_ERRORS = "1"
STATUS_WARNINGS = "2"
STATUS_EXCEPTION = "3"

# Invoice Add: customer type, vattypeid, invoice vattype, paymentstatus.
CUSTOMER_DEBTOR = 1
VAT_TYPE_ID_PRIVATE = 1
VAT_TYPE_ID_BUSINESS = 2
VAT_TYPES = {NATIONAL: 1, EU_REVERSE_CHARGE: 3, EXPORT: 4}
PAYMENT_DUE = 1
PAYMENT_PAID = 2

UNIT_PRICE = Decimal("0.0001")  # Acumulus takes unit prices with up to 4 decimals
DESCRIPTION_LENGTH = 255
TREATMENT_LABELS = {
    EU_REVERSE_CHARGE: gettext_noop("0 % (EU reverse charge)"),
    EXPORT: gettext_noop("0 % (export outside the EU)"),
}


def _text(value) -> str:
    """A value of Acumulus's JSON answer as text: an empty node comes as ``{}`` or ``[]``."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _as_list(value) -> list:
    """A repeated node of the answer: one occurrence comes as an object, more as a list."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if isinstance(value, dict):
        return [value]
    return []


def _messages(answer: dict, kind: str) -> list[dict]:
    group = answer.get(kind + "s")
    return _as_list(group.get(kind)) if isinstance(group, dict) else []


def _describe(messages: list[dict]) -> str:
    parts = []
    for message in messages:
        text = _text(message.get("message")) or _text(message.get("code"))
        tag = _text(message.get("codetag"))
        parts.append(f"{text} ({tag})" if tag else text)
    return "; ".join(part for part in parts if part)


def _is_authentication(messages: list[dict]) -> bool:
    return any(_text(message.get("code")).startswith(("401", "403")) for message in messages)


def _rate_label(line: BookingLine) -> str:
    key = Mapping.key(line.vat_rate, line.treatment)
    return _(TREATMENT_LABELS[key]) if key in TREATMENT_LABELS else f"{key} %"


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _sub(parent, tag: str, value=None):
    element = etree.SubElement(parent, tag)
    if value is not None:
        element.text = str(value)
    return element


class AcumulusConnector(AccountingConnector):
    name = "acumulus"
    credential_fields = ("contract_code", "username", "password", "email_on_error")
    uses_oauth = False
    supports_payments = True
    calls_per_minute = None  # Acumulus documents no limit (its load balancer may answer 429)

    # --- Talking to Acumulus -------------------------------------------------------------------

    def _credentials(self) -> dict:
        credentials = self.store.load()
        if not all(
            _text(credentials.get(key)) for key in ("contract_code", "username", "password")
        ):
            raise NeedsReconnection(_("Enter the Acumulus contract code, user name and password."))
        return credentials

    def _document(self, credentials: dict, fields: dict | None = None):
        root = etree.Element("myxml")
        contract = _sub(root, "contract")
        _sub(contract, "contractcode", _text(credentials.get("contract_code")))
        _sub(contract, "username", _text(credentials.get("username")))
        _sub(contract, "password", credentials.get("password") or "")
        email_on_error = _text(credentials.get("email_on_error"))
        _sub(contract, "emailonerror", email_on_error)
        _sub(contract, "emailonwarning", email_on_error)
        _sub(root, "format", "json")
        _sub(root, "testmode", 0)
        _sub(root, "lang", "nl" if (get_language() or "").startswith("nl") else "en")
        connector = _sub(root, "connector")
        _sub(connector, "application", "Kantoor")
        for tag, value in (fields or {}).items():
            _sub(root, tag, value)
        return root

    def _call(self, path: str, document) -> dict:
        """POST ``xmlstring`` to ``stable/<path>.php``; the answer without its basic part, or
        the refusal as a ConnectorError."""
        url = (self.base_url or PRODUCTION_URL).rstrip("/") + API_PATH + path + ".php"
        xml = etree.tostring(document, xml_declaration=True, encoding="UTF-8").decode()
        try:
            response = requests.post(url, data={"xmlstring": xml}, timeout=TIMEOUT)
        except requests.Timeout as error:
            raise ConnectorError(
                _("Acumulus did not answer in time; Kantoor tries again later."), retryable=True
            ) from error
        except requests.RequestException as error:
            raise ConnectorError(
                _("Acumulus could not be reached; Kantoor tries again later."), retryable=True
            ) from error
        return self._answer(response)

    def _answer(self, response: requests.Response) -> dict:
        status = response.status_code
        if status == 429:
            seconds = retry_after_seconds(response.headers)
            raise RateLimited(
                _("Acumulus asks Kantoor to wait %(seconds)s seconds before the next request.")
                % {"seconds": int(seconds)},
                retry_after=seconds,
            )
        if status >= 500:
            raise ConnectorError(
                _("Acumulus had a problem (HTTP %(status)s); Kantoor tries again later.")
                % {"status": status},
                retryable=True,
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "status" not in answer:
            if status in (401, 403):
                raise NeedsReconnection(
                    _("Acumulus no longer accepts the contract code, user name or password.")
                )
            if status >= 400:
                raise ConnectorError(
                    _("Acumulus refused the request (HTTP %(status)s).") % {"status": status}
                )
            raise ConnectorError(
                _("Acumulus gave an answer Kantoor cannot read; Kantoor tries again later."),
                retryable=True,
            )
        errors = _messages(answer, "error")
        api_status = _text(answer.get("status"))
        if status in (401, 403) or _is_authentication(errors):
            raise NeedsReconnection(
                _("Acumulus no longer accepts the contract code, user name or password: %(errors)s")
                % {"errors": _describe(errors) or status}
            )
        if api_status == STATUS_EXCEPTION:
            raise ConnectorError(
                _("Acumulus had a problem: %(errors)s") % {"errors": _describe(errors) or "-"},
                retryable=True,
            )
        if api_status == STATUS_ERRORS or errors or status >= 400:
            raise ConnectorError(
                _("Acumulus refused the request: %(errors)s")
                % {"errors": _describe(errors) or f"HTTP {status}"}
            )
        if api_status not in (STATUS_SUCCESS, STATUS_WARNINGS):
            raise ConnectorError(
                _("Acumulus answered with an unknown status %(status)s.") % {"status": api_status}
            )
        return answer

    # --- The interface -------------------------------------------------------------------------

    def test_connection(self) -> ConnectionTest:
        """``general/my_acumulus``: the contract's company. A refusal is shown on the settings
        page rather than raised."""
        try:
            credentials = self._credentials()
            answer = self._call("general/my_acumulus", self._document(credentials))
        except ConnectorError as error:
            return ConnectionTest(ok=False, message=error.message)
        mydata = answer.get("mydata") if isinstance(answer.get("mydata"), dict) else {}
        return ConnectionTest(
            ok=True,
            message=_("Connected to Acumulus: %(company)s (contract %(contract)s).")
            % {
                "company": _text(mydata.get("mycompanyname")) or "-",
                "contract": _text(mydata.get("mycontractcode"))
                or _text(credentials.get("contract_code")),
            },
        )

    def find_invoice(self, number: str) -> str | None:
        """``entry/entries_list_recent``: the entry id of a recent entry whose description is
        our number (or whose invoice number is our number, when that is a plain integer)."""
        wanted = number.strip()
        answer = self._call("entry/entries_list_recent", self._document(self._credentials()))
        entries = answer.get("entries") if isinstance(answer.get("entries"), dict) else {}
        for entry in _as_list(entries.get("entry")):
            description = _text(entry.get("entrydescription"))
            numbered = _numeric(wanted) and _text(entry.get("invoicenumber")) == wanted
            if description == wanted or numbered:
                entry_id = _text(entry.get("entryid"))
                if entry_id:
                    return entry_id
        return None

    def check_mapping(self, booking: Booking, mapping: Mapping) -> None:
        self._invoice_fields(booking, mapping)
        self._lines(booking, mapping)

    def push_invoice(self, booking: Booking, mapping: Mapping) -> str:
        """``invoices/invoice_add``: the customer, the invoice and its lines; the entry id."""
        invoice_fields = self._invoice_fields(booking, mapping)  # refuses before any request
        credentials = self._credentials()
        document = self._document(credentials)
        customer = _sub(document, "customer")
        self._customer(customer, booking)
        invoice = _sub(customer, "invoice")
        for tag, value in invoice_fields:
            _sub(invoice, tag, value)
        for line_fields in self._lines(booking, mapping):
            line = _sub(invoice, "line")
            for tag, value in line_fields:
                _sub(line, tag, value)
        answer = self._call("invoices/invoice_add", document)
        result = answer.get("invoice") if isinstance(answer.get("invoice"), dict) else {}
        entry_id = _text(result.get("entryid"))
        if not entry_id:
            raise ConnectorError(
                _("Acumulus took invoice %(number)s but did not say which entry it became.")
                % {"number": booking.number}
            )
        return entry_id

    def push_payment(self, booking: Booking, external_id: str, paid_on: datetime.date) -> None:
        """``entry/entry_info`` for the invoice's token, then ``invoices/invoice_paymentstatus_set``
        (paid, on ``paid_on``)."""
        credentials = self._credentials()
        if not _numeric(external_id):
            raise ConnectorError(_("%(id)s is not an Acumulus entry number.") % {"id": external_id})
        answer = self._call(
            "entry/entry_info", self._document(credentials, {"entryid": external_id})
        )
        entry = answer.get("entry") if isinstance(answer.get("entry"), dict) else {}
        token = _text(entry.get("token"))
        if not token:
            raise ConnectorError(
                _("Acumulus has no invoice for entry %(id)s to mark as paid.") % {"id": external_id}
            )
        self._call(
            "invoices/invoice_paymentstatus_set",
            self._document(
                credentials,
                {
                    "token": token,
                    "paymentstatus": PAYMENT_PAID,
                    "paymentdate": paid_on.isoformat(),
                },
            ),
        )

    # --- The invoice ---------------------------------------------------------------------------

    def _invoice_fields(self, booking: Booking, mapping: Mapping) -> list[tuple[str, object]]:
        """The ``<invoice>`` nodes; every refusal of the mapping or the booking comes here,
        before a request is made."""
        if booking.currency.upper() != "EUR":
            raise ConnectorError(
                _("Acumulus books in euros only; invoice %(number)s is in %(currency)s.")
                % {"number": booking.number, "currency": booking.currency}
            )
        if not booking.lines:
            raise ConnectorError(
                _("Invoice %(number)s has no lines to book.") % {"number": booking.number}
            )
        treatment = self._treatment(booking)
        cost_centres: dict[str, list[str]] = {}
        for line in booking.lines:
            centre = mapping.account_for(line).strip()
            if not centre:
                raise InvalidMapping(
                    _("Choose the Acumulus cost centre for VAT rate %(rate)s.")
                    % {"rate": _rate_label(line)}
                )
            if not _numeric(centre):
                raise InvalidMapping(
                    _(
                        "The Acumulus cost centre for VAT rate %(rate)s must be its number "
                        "(an id from Acumulus), not %(value)s."
                    )
                    % {"rate": _rate_label(line), "value": centre}
                )
            labels = cost_centres.setdefault(centre, [])
            if _rate_label(line) not in labels:
                labels.append(_rate_label(line))
        if len(cost_centres) > 1:
            raise InvalidMapping(
                _(
                    "Acumulus books an invoice on one cost centre, but the VAT rates of "
                    "invoice %(number)s map to different ones: %(centres)s."
                )
                % {
                    "number": booking.number,
                    "centres": "; ".join(
                        f"{', '.join(labels)} → {centre}" for centre, labels in cost_centres.items()
                    ),
                }
            )
        account = mapping.journal.strip()
        if account and not _numeric(account):
            raise InvalidMapping(
                _("The Acumulus account must be its number (an id from Acumulus), not %(value)s.")
                % {"value": account}
            )
        fields: list[tuple[str, object]] = [("concept", 0)]
        if _numeric(booking.number):
            fields.append(("number", booking.number.strip()))
        fields += [
            ("vattype", VAT_TYPES[treatment]),
            ("issuedate", booking.issued_on.isoformat()),
            ("costcenter", next(iter(cost_centres))),
        ]
        if account:
            fields.append(("accountnumber", account))
        if booking.paid_on:
            fields += [
                ("paymentstatus", PAYMENT_PAID),
                ("paymentdate", booking.paid_on.isoformat()),
            ]
        else:
            fields.append(("paymentstatus", PAYMENT_DUE))
        fields += [
            ("description", booking.number.strip()[:DESCRIPTION_LENGTH]),
            ("descriptiontext", self._description_text(booking)),
        ]
        return fields

    @staticmethod
    def _treatment(booking: Booking) -> str:
        """Acumulus takes one VAT type per invoice: the treatment of the non-national lines,
        which may not be mixed with each other."""
        treatments = {line.treatment for line in booking.lines} - {NATIONAL}
        if len(treatments) > 1:
            raise ConnectorError(
                _(
                    "Acumulus takes one VAT type per invoice; invoice %(number)s has lines with "
                    "EU reverse charge and lines for export."
                )
                % {"number": booking.number}
            )
        return treatments.pop() if treatments else NATIONAL

    @staticmethod
    def _description_text(booking: Booking) -> str:
        if booking.is_credit and booking.corrects_number:
            return _("Credit invoice %(number)s for invoice %(corrects)s") % {
                "number": booking.number,
                "corrects": booking.corrects_number,
            }
        if booking.is_credit:
            return _("Credit invoice %(number)s") % {"number": booking.number}
        if booking.order_number:
            return _("Invoice %(number)s for order %(order)s") % {
                "number": booking.number,
                "order": booking.order_number,
            }
        return _("Invoice %(number)s") % {"number": booking.number}

    @staticmethod
    def _customer(customer, booking: Booking) -> None:
        person = booking.customer
        business = bool(person.company or person.vat_number)
        for tag, value in (
            ("type", CUSTOMER_DEBTOR),
            ("vattypeid", VAT_TYPE_ID_BUSINESS if business else VAT_TYPE_ID_PRIVATE),
            ("companyname1", person.company),
            ("fullname", person.name),
            ("address1", person.street),
            ("postalcode", person.postcode),
            ("city", person.city),
            ("countrycode", person.country.upper()),
            ("vatnumber", person.vat_number),
            ("email", person.email),
            ("overwriteifexists", 1),
        ):
            if value not in ("", None):
                _sub(customer, tag, value)

    @staticmethod
    def _lines(booking: Booking, mapping: Mapping) -> list[list[tuple[str, object]]]:
        lines = []
        for line in booking.lines:
            quantity = Decimal(line.quantity)
            amount = Decimal(line.amount_net)
            unit_price = (amount / quantity) if quantity else Decimal(0)
            rounded = unit_price.quantize(UNIT_PRICE, rounding=ROUND_HALF_UP)
            product = line.description
            if quantity and rounded * quantity != amount:
                # The unit price is not a whole number of 1/10000 euro: book the line total as
                # one unit (minus one on a credit) so Acumulus's total is ours to the cent.
                product = f"{line.quantity} × {line.description}"
                quantity = Decimal(-1 if amount < 0 or line.quantity < 0 else 1)
                rounded = (amount / quantity).quantize(UNIT_PRICE, rounding=ROUND_HALF_UP)
            lines.append(
                [
                    ("product", product[:DESCRIPTION_LENGTH]),
                    ("unitprice", _decimal(rounded)),
                    ("vatrate", _vat_rate(line, mapping)),
                    ("quantity", _decimal(quantity)),
                ]
            )
        return lines


def _numeric(value: str) -> bool:
    """A plain positive integer without zero padding (Acumulus's numbers and ids)."""
    return bool(re.fullmatch(r"[1-9][0-9]*", (value or "").strip()))


def _vat_rate(line: BookingLine, mapping: Mapping) -> str:
    """The Acumulus vatrate of a line: the mapping's VAT code for its rate key if there is one
    (e.g. "-1" for VAT free), else its rate; 0 on EU reverse charge and export lines."""
    code = mapping.vat_code_for(line).strip()
    if code:
        try:
            return _decimal(Decimal(code))
        except InvalidOperation as error:
            raise InvalidMapping(
                _("The Acumulus VAT rate for VAT rate %(rate)s must be a number, not %(value)s.")
                % {"rate": _rate_label(line), "value": code}
            ) from error
    if line.treatment != NATIONAL:
        return "0"
    return _decimal(Decimal(line.vat_rate).normalize())
