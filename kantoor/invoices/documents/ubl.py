"""UBL 2.1 XML for an invoice: ``Invoice`` (debit) or ``CreditNote`` (credit).

Peppol BIS Billing 3.0 by default; ``profile="nlcius"`` writes the Dutch CIUS (SI-UBL 2.0)
CustomizationID. Both pass the official validation artefacts (schema, EN 16931, Peppol or NLCIUS
rules; see ``validation.py``): tests/invoices/test_ubl.py checks many generated invoices in both
profiles.

Amounts: see ``kantoor.invoices.documents.document``. A ``CreditNote`` states the credited
amounts as positive numbers, so every amount of a credit invoice is negated here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from kantoor.core.errors import KantoorError

from .document import (
    CREDIT,
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    REVERSE_CHARGE,
    DocumentLine,
    InvoiceDocument,
    Party,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

CUSTOMIZATION = {
    "peppol": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    "nlcius": "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0",
}
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
PROFILES = tuple(CUSTOMIZATION)

CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.000001")
# Peppol checks quantity x price against the line net within 0.02 (PEPPOL-EN16931-R120).
PRICE_SLACK = Decimal("0.005")
UNIT_CODE = "C62"  # "one": a unit of the article

# Exemption reasons (BT-120, BT-121) the rules expect for categories without VAT.
EXEMPTIONS = {
    REVERSE_CHARGE: ("VATEX-EU-AE", "Reverse charge / btw verlegd"),
    INTRA_COMMUNITY: ("VATEX-EU-IC", "Intra-community supply / intracommunautaire levering"),
    EXPORT: ("VATEX-EU-G", "Export outside the EU / uitvoer buiten de EU"),
    EXEMPT: ("", "Exempt from VAT / vrijgesteld van btw"),
}


# Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text).strip()


def _cbc(parent, name: str, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", str(text))
    return element


def _optional(parent, name: str, text: str) -> None:
    """An element for ``text``, left out when nothing printable remains (no empty elements)."""
    text = _clean(text or "")
    if text:
        _cbc(parent, name, text)


def _cac(parent, name: str):
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _percent(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def render_invoice_ubl(document: InvoiceDocument, profile: str = "peppol") -> bytes:
    """The UBL 2.1 XML of ``document`` (UTF-8 bytes with an XML declaration)."""
    if profile not in CUSTOMIZATION:
        raise ValueError(f"Unknown UBL profile {profile!r}; use one of {', '.join(PROFILES)}.")
    if profile == "nlcius" and not nlcius_applies(document):
        raise UblProfileError(
            "NLCIUS needs the KvK number of a Dutch customer; use the Peppol profile for consumers."
        )
    credit = document.kind == CREDIT
    sign = Decimal(-1) if credit else Decimal(1)
    currency = document.currency

    def money(parent, name: str, value: Decimal):
        return _cbc(parent, name, _amount(sign * Decimal(value)), currencyID=currency)

    root_ns = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: root_ns, "cac": CAC, "cbc": CBC},
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION[profile])
    _cbc(root, "ProfileID", PEPPOL_PROFILE)
    _cbc(root, "ID", document.number)
    _cbc(root, "IssueDate", document.issue_date.isoformat())
    if document.due_date and not credit:
        _cbc(root, "DueDate", document.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    _optional(root, "Note", document.note)
    _cbc(root, "DocumentCurrencyCode", currency)
    reference = _clean(document.buyer_reference) or _clean(document.order_number)
    _cbc(root, "BuyerReference", reference or document.number)
    if _clean(document.order_number):
        _cbc(_cac(root, "OrderReference"), "ID", _clean(document.order_number))
    if document.corrects_number:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", document.corrects_number)
        if document.corrects_issue_date:
            _cbc(reference, "IssueDate", document.corrects_issue_date.isoformat())

    supplier_endpoint = _endpoint(document.supplier)
    _party(_cac(root, "AccountingSupplierParty"), document.supplier, endpoint=supplier_endpoint)
    _party(
        _cac(root, "AccountingCustomerParty"),
        document.customer,
        endpoint=_endpoint(document.customer, fallback=supplier_endpoint),
    )

    delivery_party = document.delivery_address or document.customer
    if document.delivery_date or delivery_party.country_code:
        delivery = _cac(root, "Delivery")
        if document.delivery_date:
            _cbc(delivery, "ActualDeliveryDate", document.delivery_date.isoformat())
        address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
        _address(address, delivery_party)

    payment = document.payment
    if payment and payment.iban:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "58" if _is_sepa_iban(payment.iban) else "30")
        if credit and document.due_date:
            _cbc(means, "PaymentDueDate", document.due_date.isoformat())
        _cbc(means, "PaymentID", payment.reference or document.number)
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", payment.iban.replace(" ", "").upper())
        _optional(account, "Name", payment.account_name)

    tax_total = _cac(root, "TaxTotal")
    money(tax_total, "TaxAmount", document.totals.vat)
    for row in document.vat_breakdown:
        subtotal = _cac(tax_total, "TaxSubtotal")
        money(subtotal, "TaxableAmount", row.taxable)
        money(subtotal, "TaxAmount", row.tax)
        category = _cac(subtotal, "TaxCategory")
        _cbc(category, "ID", row.category)
        _cbc(category, "Percent", _percent(row.rate))
        if row.category in EXEMPTIONS:
            code, text = EXEMPTIONS[row.category]
            if code:
                _cbc(category, "TaxExemptionReasonCode", code)
            _cbc(category, "TaxExemptionReason", row.exemption_reason or text)
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")

    totals = _cac(root, "LegalMonetaryTotal")
    money(totals, "LineExtensionAmount", document.totals.net)
    money(totals, "TaxExclusiveAmount", document.totals.net)
    money(totals, "TaxInclusiveAmount", document.totals.gross)
    prepaid = document.totals.gross - document.totals.payable
    if prepaid:
        money(totals, "PrepaidAmount", prepaid)
    money(totals, "PayableAmount", document.totals.payable)

    for line in document.lines:
        _line(root, line, credit=credit, sign=sign, currency=currency)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _is_sepa_iban(iban: str) -> bool:
    return len(iban) >= 15 and iban[:2].isalpha() and iban[2:4].isdigit()


# Peppol electronic address schemes (EAS) for a VAT number, by country.
VAT_ENDPOINT_SCHEMES = {
    "AT": "9914", "ES": "9920", "BE": "9925", "BG": "9926", "CH": "9927", "CY": "9928",
    "CZ": "9929", "DE": "9930", "EE": "9931", "GB": "9932", "GR": "9933", "EL": "9933",
    "HR": "9934", "IE": "9935", "LI": "9936", "LT": "9937", "LU": "9938", "LV": "9939",
    "MT": "9943", "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "SI": "9949",
    "SK": "9950", "FR": "9957", "HU": "9910",
}  # fmt: skip


class UblProfileError(KantoorError, ValueError):
    """The document cannot be written in the asked profile (e.g. NLCIUS for a consumer)."""

    code = "ubl_profile"


def nlcius_applies(document: InvoiceDocument) -> bool:
    """NLCIUS needs a Dutch business customer to have a KvK number (BR-NL-10)."""
    customer = document.customer
    return customer.country_code != "NL" or bool(customer.kvk_number)


def _endpoint(party: Party, *, fallback: tuple[str, str] | None = None) -> tuple[str, str] | None:
    """The party's Peppol address: KvK number (0106), else VAT number, else ``fallback``.

    A consumer has no Peppol address; the buyer's then falls back to the supplier's own, so the
    document stays valid (it is meant for the shop's bookkeeping, not to be sent over Peppol).
    """
    if party.kvk_number and party.country_code == "NL":
        return "0106", party.kvk_number
    vat = party.vat_number.replace(" ", "").upper()
    if vat and vat[:2] in VAT_ENDPOINT_SCHEMES:
        return VAT_ENDPOINT_SCHEMES[vat[:2]], vat
    return fallback


def _address(parent, party: Party) -> None:
    # A Dutch address needs street, city and postcode (NL-R-002/004, BR-NL-3/4): "-" when unknown
    # (a customer who picked the order up in the shop may have left no address).
    unknown = "-" if (party.country_code or "NL") == "NL" else ""
    _optional(parent, "StreetName", _clean(party.street) or unknown)
    _optional(parent, "CityName", _clean(party.city) or unknown)
    _optional(parent, "PostalZone", _clean(party.postcode) or unknown)
    _cbc(_cac(parent, "Country"), "IdentificationCode", party.country_code or "NL")


def _party(parent, party: Party, *, endpoint: tuple[str, str] | None) -> None:
    element = _cac(parent, "Party")
    if endpoint:
        _cbc(element, "EndpointID", endpoint[1], schemeID=endpoint[0])
    if _clean(party.name) and party.name != party.display_legal_name:
        _optional(_cac(element, "PartyName"), "Name", party.name)
    _address(_cac(element, "PostalAddress"), party)
    if party.vat_number:
        scheme = _cac(element, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.vat_number.replace(" ", "").upper())
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(element, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", _clean(party.display_legal_name) or "-")
    if party.kvk_number and party.country_code == "NL":
        _cbc(legal, "CompanyID", party.kvk_number, schemeID="0106")
    if _clean(party.contact_name) or _clean(party.email):
        contact = _cac(element, "Contact")
        _optional(contact, "Name", party.contact_name)
        _optional(contact, "ElectronicMail", party.email)


def _line(root, line: DocumentLine, *, credit: bool, sign: Decimal, currency: str) -> None:
    net = sign * Decimal(line.line_net)
    count = abs(Decimal(line.quantity)) or Decimal(1)
    quantity = -count if net < 0 else count
    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", line.position)
    _cbc(
        element,
        "CreditedQuantity" if credit else "InvoicedQuantity",
        _decimal_text(quantity),
        unitCode=UNIT_CODE,
    )
    _cbc(element, "LineExtensionAmount", _amount(net), currencyID=currency)
    item = _cac(element, "Item")
    _cbc(item, "Name", (_clean(line.description) or _clean(line.sku) or "-")[:200])
    if _clean(line.sku):
        _cbc(_cac(item, "SellersItemIdentification"), "ID", _clean(line.sku))
    category = _cac(item, "ClassifiedTaxCategory")
    _cbc(category, "ID", line.vat_category)
    _cbc(category, "Percent", _percent(line.vat_rate))
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")

    price = _cac(element, "Price")
    magnitude = abs(net)
    unit = (magnitude / count).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    if abs(unit * count - magnitude) <= PRICE_SLACK:
        _cbc(price, "PriceAmount", _decimal_text(unit.normalize()), currencyID=currency)
    else:
        # The unit price has too many decimals: state the price of the whole quantity.
        _cbc(price, "PriceAmount", _amount(magnitude), currencyID=currency)
        _cbc(price, "BaseQuantity", _decimal_text(count), unitCode=UNIT_CODE)


__all__ = ["PROFILES", "UblProfileError", "nlcius_applies", "render_invoice_ubl"]
