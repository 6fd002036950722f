"""UBL 2.1 documents pass the official validation artefacts (schema, EN 16931, Peppol / NLCIUS)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from kantoor.invoices.documents.document import CREDIT, DEBIT
from kantoor.invoices.documents.samples import (
    SAMPLE_CUSTOMER,
    SampleLine,
    build_document,
    sample_document,
)
from kantoor.invoices.documents.ubl import UblProfileError, nlcius_applies, render_invoice_ubl

from .ubl_strategies import documents

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _assert_valid(validate, xml: bytes, profile: str) -> None:
    errors = validate(xml, profile)
    assert errors == [], (errors, xml.decode())


@pytest.mark.parametrize("profile", ["peppol", "nlcius"])
@pytest.mark.parametrize("kind", [DEBIT, CREDIT])
def test_sample_documents_are_valid(validate, profile, kind):
    business = build_document(
        [SampleLine("Werkplaatsuur", 2, Decimal("60.50"), Decimal(21))],
        kind=kind,
        corrects_number="F2026-0001" if kind == CREDIT else "",
        customer=replace(SAMPLE_CUSTOMER, legal_name="De Vries B.V.", kvk_number="87654321"),
    )
    _assert_valid(validate, render_invoice_ubl(business, profile), profile)
    if profile == "peppol":
        _assert_valid(validate, render_invoice_ubl(sample_document(kind=kind), profile), profile)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_generated_invoices_pass_peppol(validate, document):
    _assert_valid(validate, render_invoice_ubl(document, "peppol"), "peppol")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_generated_invoices_pass_nlcius(validate, document):
    if not nlcius_applies(document):
        with pytest.raises(UblProfileError):
            render_invoice_ubl(document, "nlcius")
        return
    _assert_valid(validate, render_invoice_ubl(document, "nlcius"), "nlcius")


def test_official_examples_are_valid_and_ours_have_their_structure(validate, ubl_artefacts):
    """The OpenPeppol examples pass the validator; ours use the same root, IDs and type codes."""
    examples = ubl_artefacts / "ubl" / "examples"
    for name, kind in [
        ("peppol-base-invoice.xml", DEBIT),
        ("peppol-creditnote-correction.xml", CREDIT),
    ]:
        reference_bytes = (examples / name).read_bytes()
        assert validate(reference_bytes, "peppol") == []
        reference = etree.fromstring(reference_bytes)
        ours = etree.fromstring(render_invoice_ubl(sample_document(kind=kind)))
        assert ours.tag == reference.tag
        for path in ["cbc:CustomizationID", "cbc:ProfileID"]:
            assert ours.findtext(path, namespaces=NS) == reference.findtext(path, namespaces=NS)
        type_code = "cbc:CreditNoteTypeCode" if kind == CREDIT else "cbc:InvoiceTypeCode"
        assert ours.findtext(type_code, namespaces=NS) == reference.findtext(
            type_code, namespaces=NS
        )


def test_credit_note_states_positive_amounts_and_the_corrected_invoice():
    document = sample_document(kind=CREDIT)
    assert document.totals.payable < 0  # as Kantoor states a credit invoice
    root = etree.fromstring(render_invoice_ubl(document))
    payable = Decimal(root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS))
    assert payable == -document.totals.payable
    assert (
        root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == "F2026-0001"
    )
    quantity = root.findtext("cac:CreditNoteLine/cbc:CreditedQuantity", namespaces=NS)
    assert Decimal(quantity) > 0


def test_line_nets_add_up_and_awkward_prices_use_a_base_quantity():
    # 3 x 9.99 including 21 % VAT: the net unit price has endless decimals.
    document = build_document([SampleLine("Sokken", 99_999, Decimal("9.99"), Decimal(21))])
    root = etree.fromstring(render_invoice_ubl(document))
    line = root.find("cac:InvoiceLine", NS)
    net = Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS))
    price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS))
    base = Decimal(line.findtext("cac:Price/cbc:BaseQuantity", namespaces=NS) or 1)
    quantity = Decimal(line.findtext("cbc:InvoicedQuantity", namespaces=NS))
    assert abs(quantity * price / base - net) <= Decimal("0.02")
    total = Decimal(root.findtext("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", namespaces=NS))
    assert total == net == document.totals.net


def test_nlcius_refuses_a_dutch_consumer_with_a_clear_error():
    with pytest.raises(UblProfileError, match="KvK"):
        render_invoice_ubl(sample_document(), "nlcius")


def test_unknown_profile_is_an_error():
    with pytest.raises(ValueError, match="profile"):
        render_invoice_ubl(sample_document(), "xrechnung")


def test_text_that_xml_cannot_carry_is_dropped():
    document = build_document([SampleLine("Kop\x00je & <schotel>\x1b", 1, Decimal(5), Decimal(21))])
    root = etree.fromstring(render_invoice_ubl(document))
    assert root.findtext("cac:InvoiceLine/cac:Item/cbc:Name", namespaces=NS) == "Kopje & <schotel>"


def test_customer_without_address_stays_valid(validate):
    """An order picked up in the shop may have no customer address."""
    pickup = replace(SAMPLE_CUSTOMER, street="", postcode="", city="\x1b")
    document = build_document(
        [SampleLine("Band 28 inch", 1, Decimal("19.95"), Decimal(21))], customer=pickup
    )
    _assert_valid(validate, render_invoice_ubl(document, "peppol"), "peppol")
