"""Twinfield (Wolters Kluwer): a sales transaction per invoice, through the XML web services.

Log-in is OpenID Connect with the authorisation-code flow at login.twinfield.com; the access token
(an hour) is renewed with the refresh token, and the shop's cluster (``twf.clusterUrl``) comes
from the access-token validation endpoint. Every web-service call is SOAP 1.1 with the
``Header`` (``AccessToken`` + ``CompanyCode``, the office) from the Twinfield namespace.

- Booking: ``ProcessXmlString`` on ``{cluster}/webservices/processxml.asmx`` with a
  ``<transaction>`` of the shop's sales journal: a total line on the debtors account with the
  customer (dim2) and a detail line per invoice line on its G/L account with its VAT code. A
  credit invoice books the other way round (total credit, details debit).
- Looking an invoice up: the browse data of browse code 100 (customer transactions), filtered on
  the office and the invoice number (``fin.trs.line.invnumber``); the row's key (transaction
  type and number) is the booking's id, ``"VRK:202500012"``.
- The customer: the Finder (``{cluster}/webservices/finder.asmx``, type ``DIM``, ``dimtype``
  ``DEB``) searched on the address fields for the customer's VAT number, else the e-mail
  address; when none is found a debtor is made with ``<dimension><type>DEB</type>…`` and
  Twinfield's next free code.

Why a plain SOAP envelope (lxml over requests) and not zeep: only two operations are used
(``ProcessXmlString``, whose real content is an XML string of its own, and ``Search``), both
one element deep; zeep would need both WSDLs shipped and would hide the HTTP status and the
``Retry-After`` header the error mapping needs.

Documentation relied on:
- https://developers.twinfield.com/documentation/api/authentication/openid-connect-auth
- https://wktaaeu.my.site.com/nlcommunity/articles/en_US/Knowledge/Setting-up-OAuth-2-0-Request-an-authorization-code
- https://wktaaeu.my.site.com/nlcommunity/articles/en_US/Knowledge/Setting-up-OAuth-2-0-Which-endpoint-do-I-need-for-my-request
- https://developers.twinfield.com/documentation/api/transaction-data/sales-transactions
- https://developers.twinfield.com/documentation/api/transaction-data/journal-transactions
  (the ``destiny`` / ``raisewarning`` / ``autobalancevat`` attributes and ``location``)
- https://developers.twinfield.com/documentation/api/request-data/browse-data
- https://developers.twinfield.com/documentation/api/miscellaneous/finder
- https://wktaaeu.my.site.com/nlcommunity/articles/en_US/Knowledge/API-Best-Practices-Importing-sales-transactions
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode, urlsplit

import requests
from django.utils.translation import gettext as _
from lxml import etree

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    EXPORT,
    AccountingConnector,
    Booking,
    BookingCustomer,
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

LOGIN_URL = "https://login.twinfield.com"
AUTHORIZE_PATH = "/auth/authentication/connect/authorize"
TOKEN_PATH = "/auth/authentication/connect/token"  # noqa: S105 (an address, not a secret)
VALIDATION_PATH = "/auth/authentication/connect/accesstokenvalidation"
PROCESSXML_PATH = "/webservices/processxml.asmx"
FINDER_PATH = "/webservices/finder.asmx"
SCOPE = "openid twf.user twf.organisation twf.organisationUser offline_access"

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TWF_NS = "http://www.twinfield.com/"
TIMEOUT = 20  # seconds, connect and read
EARLY = 60  # an access token this close to its expiry counts as expired
CENT = Decimal("0.01")
DESTINIES = ("final", "temporary")
BROWSE_CUSTOMER_TRANSACTIONS = "100"
FINDER_ADDRESS_FIELDS = 4  # the Finder's "search on address fields" (e-mail, VAT number)
DESCRIPTION_LENGTH = 40

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _parse(content: bytes | str) -> etree._Element:
    if isinstance(content, str):
        content = content.encode()
    return etree.fromstring(content, PARSER)


def _element(tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.Element(tag, **attributes)
    if text is not None:
        element.text = text
    return element


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _money(amount: Decimal) -> str:
    return f"{abs(Decimal(amount)).quantize(CENT, ROUND_HALF_UP):.2f}"


def _rate_label(key: str) -> str:
    if key == EU_REVERSE_CHARGE:
        return _("0 % (EU reverse charge)")
    if key == EXPORT:
        return _("0 % (export outside the EU)")
    return f"{key} %"


def _reconnect() -> str:
    return _("Twinfield no longer accepts Kantoor's authorisation; connect Twinfield again.")


def _fresh(credentials: dict, rejected: str = "") -> bool:
    """The credentials hold an access token that is not about to expire (and is not the one
    Twinfield just turned down)."""
    token = credentials.get("access_token") or ""
    try:
        expires_at = float(credentials.get("expires_at") or 0)
    except (TypeError, ValueError):
        expires_at = 0.0
    return bool(token) and token != rejected and expires_at > time.time() + EARLY


def _json(response: requests.Response) -> dict:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _refusals(root: etree._Element) -> list[str]:
    """The messages of a ProcessXml answer: every ``msg`` of an element marked as an error
    (and, when the result is 0 but nothing is marked, every ``msg``)."""
    messages = [
        element.get("msg", "")
        for element in root.iter()
        if element.get("msgtype") == "error" and element.get("msg")
    ]
    if not messages and root.get("result") == "0":
        messages = [element.get("msg", "") for element in root.iter() if element.get("msg")]
    unique: list[str] = []
    for message in messages:
        if message not in unique:
            unique.append(message)
    return unique


class TwinfieldConnector(AccountingConnector):
    name = "twinfield"
    credential_fields = ("client_id", "client_secret", "office")
    uses_oauth = True
    supports_payments = False

    def __init__(self, *, store, base_url: str = ""):
        super().__init__(store=store, base_url=base_url)
        self.login_url = (base_url or LOGIN_URL).rstrip("/")
        self.session = requests.Session()

    # --- HTTP ------------------------------------------------------------------------------------

    def _http(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.Timeout as error:
            raise ConnectorError(
                _("Twinfield did not answer in time; Kantoor will try again."), retryable=True
            ) from error
        except requests.RequestException as error:
            raise ConnectorError(
                _("Twinfield could not be reached; Kantoor will try again."), retryable=True
            ) from error

    def _common_failures(self, response: requests.Response) -> None:
        if response.status_code == 429:
            raise RateLimited(
                _("Twinfield's limit on requests is reached; Kantoor will wait and try again."),
                retry_after=retry_after_seconds(response.headers),
            )
        if response.status_code >= 500:
            raise ConnectorError(
                _("Twinfield had a problem (HTTP %(status)s); Kantoor will try again.")
                % {"status": response.status_code},
                retryable=True,
            )

    # --- Connecting ------------------------------------------------------------------------------

    def authorisation_url(self, *, state: str, redirect_uri: str) -> str:
        client_id = self.store.load().get("client_id") or ""
        if not client_id:
            raise NeedsReconnection(_("Enter the client ID of your Twinfield app first."))
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPE,
                "state": state,
                "nonce": secrets.token_urlsafe(16),
            }
        )
        return f"{self.login_url}{AUTHORIZE_PATH}?{query}"

    def finish_authorisation(self, *, code: str, redirect_uri: str) -> dict:
        credentials = self.store.load()
        payload = self._token_request(
            credentials,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )
        credentials = self._with_tokens(credentials, payload)
        credentials["cluster"] = self._cluster(credentials)
        if not credentials.get("office"):
            offices = self._offices(credentials)
            credentials["office"] = offices[0][0] if offices else ""
        return credentials

    def _token_request(self, credentials: dict, data: dict) -> dict:
        client_id = credentials.get("client_id") or ""
        if not client_id:
            raise NeedsReconnection(_("The Twinfield link has no client ID; connect again."))
        response = self._http(
            "POST",
            self.login_url + TOKEN_PATH,
            data=data,
            auth=(client_id, credentials.get("client_secret") or ""),
            headers={"Accept": "application/json"},
        )
        self._common_failures(response)
        payload = _json(response)
        error = payload.get("error", "")
        if response.status_code == 401 or error in (
            "invalid_grant",
            "invalid_client",
            "unauthorized_client",
        ):
            raise NeedsReconnection(_reconnect())
        if not response.ok or not payload.get("access_token"):
            raise ConnectorError(
                _("Twinfield refused the log-in: %(reason)s")
                % {"reason": payload.get("error_description") or error or response.status_code}
            )
        return payload

    @staticmethod
    def _with_tokens(credentials: dict, payload: dict) -> dict:
        return {
            **credentials,
            "access_token": payload["access_token"],
            # Twinfield may hand out a new refresh token: the old one is then spent.
            "refresh_token": payload.get("refresh_token") or credentials.get("refresh_token", ""),
            "expires_at": int(time.time()) + int(payload.get("expires_in") or 3600),
        }

    def _cluster(self, credentials: dict) -> str:
        """``twf.clusterUrl`` of the access-token validation."""
        response = self._http(
            "GET",
            self.login_url + VALIDATION_PATH,
            params={"token": credentials["access_token"]},
            auth=(credentials.get("client_id") or "", credentials.get("client_secret") or ""),
            headers={"Accept": "application/json"},
        )
        self._common_failures(response)
        if response.status_code in (400, 401, 403):
            raise NeedsReconnection(_reconnect())
        cluster = str(_json(response).get("twf.clusterUrl") or "").rstrip("/")
        if not response.ok or not cluster:
            raise ConnectorError(_("Twinfield did not say which cluster the office is on."))
        parts = urlsplit(cluster)
        if not self.base_url and (
            parts.scheme != "https" or not (parts.hostname or "").endswith(".twinfield.com")
        ):
            # The access token goes to this address: only to Twinfield's own hosts.
            raise ConnectorError(_("Twinfield named a cluster that is not a Twinfield address."))
        return cluster

    def _credentials(self, rejected: str = "") -> dict:
        """Credentials with a usable access token and the cluster. The refresh runs in the
        store's locked update: ``change`` looks at the freshest credentials first (another
        worker may have refreshed already) and only otherwise spends the refresh token, whose
        successor is saved in the same transaction. ``rejected``: the token Twinfield just
        turned down, refreshed even when it has not expired."""
        credentials = self.store.load()
        if not _fresh(credentials, rejected):

            def change(latest: dict) -> dict:
                if _fresh(latest, rejected):
                    return latest
                refresh_token = latest.get("refresh_token") or ""
                if not refresh_token:
                    raise NeedsReconnection(_reconnect())
                payload = self._token_request(
                    latest, {"grant_type": "refresh_token", "refresh_token": refresh_token}
                )
                return self._with_tokens(latest, payload)

            credentials = self.store.update(change)
        if not credentials.get("cluster"):
            # Asked outside the refresh, so a failing validation never loses a spent token.
            cluster = self._cluster(credentials)
            credentials = self.store.update(lambda latest: {**latest, "cluster": cluster})
        return credentials

    # --- SOAP ------------------------------------------------------------------------------------

    def _soap(
        self,
        path: str,
        action: str,
        body: etree._Element,
        *,
        company: bool = True,
        credentials: dict | None = None,
    ) -> etree._Element:
        """The element inside the SOAP body of the answer. A token Twinfield turns down is
        refreshed once; a second refusal needs the shop owner. ``credentials``: use these (not
        yet saved, while connecting) instead of the store's."""
        rejected = ""
        given = credentials
        for _attempt in range(1 if given else 2):
            credentials = given or self._credentials(rejected)
            envelope = self._envelope(credentials, body, company=company)
            response = self._http(
                "POST",
                credentials["cluster"].rstrip("/") + path,
                data=envelope,
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{TWF_NS}{action}"',
                },
            )
            answer, fault = self._soap_answer(response)
            if response.status_code in (401, 403) or _token_fault(fault):
                rejected = credentials.get("access_token") or ""
                continue
            if response.status_code == 429:
                self._common_failures(response)
            if fault is not None or response.status_code >= 500:
                raise ConnectorError(
                    _("Twinfield had a problem; Kantoor will try again. (%(reason)s)")
                    % {"reason": fault or f"HTTP {response.status_code}"},
                    retryable=True,
                )
            if not response.ok or answer is None:
                raise ConnectorError(
                    _("Twinfield refused the request (HTTP %(status)s).")
                    % {"status": response.status_code}
                )
            return answer
        raise NeedsReconnection(_reconnect())

    @staticmethod
    def _envelope(credentials: dict, body: etree._Element, *, company: bool) -> bytes:
        envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
        header = etree.SubElement(
            etree.SubElement(envelope, f"{{{SOAP_NS}}}Header"),
            f"{{{TWF_NS}}}Header",
            nsmap={None: TWF_NS},
        )
        _sub(header, f"{{{TWF_NS}}}AccessToken", credentials.get("access_token") or "")
        if company and credentials.get("office"):
            _sub(header, f"{{{TWF_NS}}}CompanyCode", credentials["office"])
        etree.SubElement(envelope, f"{{{SOAP_NS}}}Body").append(body)
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")

    @staticmethod
    def _soap_answer(response: requests.Response):
        """(the body's first element, the fault string or None); (None, None) when the answer
        is no SOAP envelope at all."""
        try:
            root = _parse(response.content)
        except etree.XMLSyntaxError:
            return None, None
        fault = root.find(f".//{{{SOAP_NS}}}Fault")
        if fault is not None:
            return None, (fault.findtext("faultstring") or "").strip() or "SOAP fault"
        body = root.find(f"{{{SOAP_NS}}}Body")
        if body is None or not len(body):
            return None, None
        return body[0], None

    def _process(
        self, request: etree._Element, *, company: bool = True, credentials: dict | None = None
    ) -> etree._Element:
        """``ProcessXmlString``: the XML request as a string, the XML answer as a string."""
        body = _element(f"{{{TWF_NS}}}ProcessXmlString", nsmap={None: TWF_NS})
        _sub(body, f"{{{TWF_NS}}}xmlRequest", etree.tostring(request, encoding="unicode"))
        answer = self._soap(
            PROCESSXML_PATH, "ProcessXmlString", body, company=company, credentials=credentials
        )
        text = answer.findtext(f"{{{TWF_NS}}}ProcessXmlStringResult") or ""
        try:
            return _parse(text)
        except etree.XMLSyntaxError as error:
            raise ConnectorError(
                _("Twinfield gave an answer Kantoor cannot read."), retryable=True
            ) from error

    # --- Booking ---------------------------------------------------------------------------------

    def _office(self, credentials: dict) -> str:
        office = credentials.get("office") or ""
        if not office:
            raise ConnectorError(_("Choose the Twinfield office (administration) to book in."))
        return office

    def _offices(self, credentials: dict | None = None) -> list[tuple[str, str]]:
        """(code, name) of the offices the log-in may use (``<list><type>offices``)."""
        root = self._process(
            _element_tree("list", type="offices"), company=False, credentials=credentials
        )
        return [
            ((office.text or "").strip(), office.get("name", "")) for office in root.iter("office")
        ]

    def test_connection(self) -> ConnectionTest:
        credentials = self._credentials()
        office = self._office(credentials)
        offices = dict(self._offices())
        if office not in offices:
            return ConnectionTest(
                False,
                _("Twinfield does not give this log-in access to office %(office)s.")
                % {"office": office},
            )
        return ConnectionTest(
            True,
            _("Connected to Twinfield office %(office)s (%(name)s).")
            % {"office": office, "name": offices[office]},
        )

    def find_invoice(self, number: str) -> str | None:
        office = self._office(self.store.load())
        columns = _element("columns", code=BROWSE_CUSTOMER_TRANSACTIONS)
        for field, value in (
            ("fin.trs.head.office", office),
            ("fin.trs.line.invnumber", number),
            ("fin.trs.head.code", None),
            ("fin.trs.head.number", None),
        ):
            column = _sub(columns, "column")
            _sub(column, "field", field)
            _sub(column, "visible", "true")
            if value is not None:
                _sub(column, "ask", "true")
                _sub(column, "operator", "equal")
                _sub(column, "from", value)
        root = self._process(columns)
        refusals = _refusals(root)
        if refusals:
            raise ConnectorError(
                _("Twinfield refused the search for invoice %(number)s: %(reason)s")
                % {"number": number, "reason": "; ".join(refusals)}
            )
        for row in root.iter("tr"):
            key = row.find("key")
            if key is None:
                continue
            code, found = key.findtext("code") or "", key.findtext("number") or ""
            if code and found:
                return f"{code}:{found}"
        return None

    def check_mapping(self, booking: Booking, mapping: Mapping) -> None:
        self._details(booking, mapping)

    def push_invoice(self, booking: Booking, mapping: Mapping) -> str:
        details = self._details(booking, mapping)  # refuses a mapping before any request
        booked = sum((line.amount_net + vat for line, _a, _c, vat in details), Decimal(0))
        rounding = Decimal(booking.total_gross) - booked
        if rounding and not mapping.rounding_account:
            raise InvalidMapping(
                _("Invoice %(number)s needs a rounding account in the Twinfield mapping.")
                % {"number": booking.number}
            )
        office = self._office(self.store.load())
        customer = self._customer_code(booking.customer, office)
        transaction = self._transaction(booking, mapping, office, customer, details, rounding)
        root = self._process(transaction)
        refusals = _refusals(root)
        number_refused = root.find(".//header/invoicenumber[@msgtype='error']")
        if number_refused is not None:
            raise ConnectorError(
                _("Twinfield already has invoice number %(number)s: %(reason)s")
                % {"number": booking.number, "reason": number_refused.get("msg", "")},
                code="accounting_duplicate",
            )
        if refusals or root.get("result") == "0":
            raise ConnectorError(
                _("Twinfield refused invoice %(number)s: %(reason)s")
                % {"number": booking.number, "reason": "; ".join(refusals) or "?"}
            )
        header = root.find("header")
        code = header.findtext("code") if header is not None else ""
        number = header.findtext("number") if header is not None else ""
        if not code or not number:
            raise ConnectorError(
                _("Twinfield booked invoice %(number)s without saying its number.")
                % {"number": booking.number}
            )
        return f"{code}:{number}"

    def _details(
        self, booking: Booking, mapping: Mapping
    ) -> list[tuple[BookingLine, str, str, Decimal]]:
        """Per invoice line: (line, G/L account, VAT code, VAT amount). The VAT of a rate is
        the rate over the sum of its nets, rounded half up (EN 16931, as on our invoice); the
        cents the lines' own amounts differ from it go to the last line of that rate."""
        if not mapping.journal:
            raise InvalidMapping(_("Choose the Twinfield sales journal (e.g. VRK) to book in."))
        if not mapping.debtors_account:
            raise InvalidMapping(_("Choose the Twinfield debtors account (e.g. 1300)."))
        if mapping.destiny not in DESTINIES:
            raise InvalidMapping(
                _("Twinfield books as final or as temporary, not as %(destiny)s.")
                % {"destiny": mapping.destiny}
            )
        missing_accounts: list[str] = []
        missing_codes: list[str] = []
        for line in booking.lines:
            label = _rate_label(Mapping.key(line.vat_rate, line.treatment))
            if not mapping.account_for(line) and label not in missing_accounts:
                missing_accounts.append(label)
            if not mapping.vat_code_for(line) and label not in missing_codes:
                missing_codes.append(label)
        if missing_accounts:
            raise InvalidMapping(
                _("The Twinfield mapping has no G/L account for VAT rate %(rates)s.")
                % {"rates": ", ".join(missing_accounts)}
            )
        if missing_codes:
            raise InvalidMapping(
                _("The Twinfield mapping has no VAT code for VAT rate %(rates)s.")
                % {"rates": ", ".join(missing_codes)}
            )
        groups: dict[str, list[BookingLine]] = {}
        for line in booking.lines:
            groups.setdefault(Mapping.key(line.vat_rate, line.treatment), []).append(line)
        vat: dict[int, Decimal] = {}
        for lines in groups.values():
            rate = Decimal(lines[0].vat_rate)
            total = (sum((line.amount_net for line in lines), Decimal(0)) * rate / 100).quantize(
                CENT, ROUND_HALF_UP
            )
            for line in lines:
                vat[id(line)] = Decimal(line.vat_amount).quantize(CENT, ROUND_HALF_UP)
            vat[id(lines[-1])] += total - sum((vat[id(line)] for line in lines), Decimal(0))
        return [
            (line, mapping.account_for(line), mapping.vat_code_for(line), vat[id(line)])
            for line in booking.lines
            if line.amount_net or vat[id(line)]
        ]

    def _transaction(
        self,
        booking: Booking,
        mapping: Mapping,
        office: str,
        customer: str,
        details: Iterable[tuple[BookingLine, str, str, Decimal]],
        rounding: Decimal,
    ) -> etree._Element:
        transaction = _element(
            "transaction", destiny=mapping.destiny, raisewarning="true", autobalancevat="true"
        )
        header = _sub(transaction, "header")
        _sub(header, "office", office)
        _sub(header, "code", mapping.journal)
        _sub(header, "currency", booking.currency)
        _sub(header, "period", booking.issued_on.strftime("%Y/%m"))
        _sub(header, "date", booking.issued_on.strftime("%Y%m%d"))
        _sub(header, "duedate", booking.due_on.strftime("%Y%m%d"))
        _sub(header, "invoicenumber", booking.number)
        lines = _sub(transaction, "lines")

        total = _sub(lines, "line")
        total.set("type", "total")
        total.set("id", "1")
        _sub(total, "dim1", mapping.debtors_account)
        _sub(total, "dim2", customer)
        _sub(total, "value", _money(booking.total_gross))
        # A debit invoice is owed by the customer (debit); a credit invoice the other way round.
        _sub(total, "debitcredit", "credit" if booking.total_gross < 0 else "debit")
        _sub(total, "description", booking.number[:DESCRIPTION_LENGTH])

        number = 1
        for line, account, vat_code, vat_amount in details:
            number += 1
            detail = _sub(lines, "line")
            detail.set("type", "detail")
            detail.set("id", str(number))
            _sub(detail, "dim1", account)
            _sub(detail, "value", _money(line.amount_net))
            # Revenue is a credit; the lines of a credit invoice (negative) are debits.
            _sub(detail, "debitcredit", "debit" if line.amount_net < 0 else "credit")
            _sub(detail, "description", line.description[:DESCRIPTION_LENGTH])
            _sub(detail, "vatcode", vat_code)
            _sub(detail, "vatvalue", _money(vat_amount))
        if rounding:
            number += 1
            extra = _sub(lines, "line")
            extra.set("type", "detail")
            extra.set("id", str(number))
            _sub(extra, "dim1", mapping.rounding_account)
            _sub(extra, "value", _money(rounding))
            _sub(extra, "debitcredit", "debit" if rounding < 0 else "credit")
        return transaction

    # --- Customers (debtors, dimension type DEB) -------------------------------------------------

    def _customer_code(self, customer: BookingCustomer, office: str) -> str:
        for pattern in (customer.vat_number.strip(), customer.email.strip()):
            if pattern and not any(wildcard in pattern for wildcard in "*?"):
                code = self._find_debtor(pattern, office)
                if code:
                    return code
        return self._create_debtor(customer, office)

    def _find_debtor(self, pattern: str, office: str) -> str:
        """The Finder's first debtor with the pattern in its address fields, or ""."""
        search = _element(f"{{{TWF_NS}}}Search", nsmap={None: TWF_NS})
        for tag, value in (
            ("type", "DIM"),
            ("pattern", pattern),
            ("field", str(FINDER_ADDRESS_FIELDS)),
            ("firstRow", "1"),
            ("maxRows", "10"),
        ):
            _sub(search, f"{{{TWF_NS}}}{tag}", value)
        options = _sub(search, f"{{{TWF_NS}}}options")
        for name, value in (("dimtype", "DEB"), ("office", office)):
            option = _sub(options, f"{{{TWF_NS}}}ArrayOfString")
            _sub(option, f"{{{TWF_NS}}}string", name)
            _sub(option, f"{{{TWF_NS}}}string", value)
        answer = self._soap(FINDER_PATH, "Search", search)
        errors = [
            message.findtext(f"{{{TWF_NS}}}Text") or ""
            for message in answer.iterfind(f".//{{{TWF_NS}}}SearchResult/*")
            if (message.findtext(f"{{{TWF_NS}}}Type") or "").lower() == "error"
        ]
        if errors:
            raise ConnectorError(
                _("Twinfield refused the search for the customer: %(reason)s")
                % {"reason": "; ".join(errors)}
            )
        for item in answer.iterfind(f".//{{{TWF_NS}}}Items/{{{TWF_NS}}}ArrayOfString"):
            cells = [cell.text or "" for cell in item.iterfind(f"{{{TWF_NS}}}string")]
            if cells and cells[0]:
                return cells[0]
        return ""

    def _create_debtor(self, customer: BookingCustomer, office: str) -> str:
        """A new debtor; without a code Twinfield gives it the next free code of type DEB."""
        dimension = _element("dimension")
        _sub(dimension, "office", office)
        _sub(dimension, "type", "DEB")
        name = (customer.company or customer.name or customer.email or "?")[:80]
        _sub(dimension, "name", name)
        addresses = _sub(dimension, "addresses")
        address = _sub(addresses, "address")
        address.set("type", "invoice")
        address.set("default", "true")
        _sub(address, "name", name)
        _sub(address, "country", customer.country)
        _sub(address, "city", customer.city)
        _sub(address, "postcode", customer.postcode)
        _sub(address, "field1", customer.name if customer.company else "")
        _sub(address, "field2", customer.street)
        _sub(address, "field4", customer.vat_number)  # the VAT number
        _sub(address, "email", customer.email)
        root = self._process(dimension)
        refusals = _refusals(root)
        code = root.findtext("code") or ""
        if refusals or root.get("result") == "0" or not code:
            raise ConnectorError(
                _("Twinfield refused the customer %(name)s: %(reason)s")
                % {"name": name, "reason": "; ".join(refusals) or "?"}
            )
        return code


def _element_tree(root: str, **children: str) -> etree._Element:
    element = _element(root)
    for tag, value in children.items():
        _sub(element, tag, value)
    return element


def _token_fault(fault: str | None) -> bool:
    """Twinfield's answer to an access token it does not (or no longer) accept, e.g.
    "Access denied. Token invalid." (a SOAP fault with HTTP 500)."""
    text = (fault or "").lower()
    return "access denied" in text or ("token" in text and ("invalid" in text or "expired" in text))
