"""EU B2B reverse charge ("btw verlegd"): the rule, the order's prices, its invoices and their
documents (UBL in both profiles, the PDF)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kantoor.catalog.models import Product
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.core.pricing import (
    price_excluding_vat,
    vat_is_reverse_charged,
    vat_number_is_plausible,
)
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.invoices.documents.document import INTRA_COMMUNITY
from kantoor.invoices.documents.pdf import invoice_pdf
from kantoor.invoices.documents.ubl import nlcius_applies, render_invoice_ubl
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.selectors import invoice_document, invoiced_total
from kantoor.invoices.services import credit_invoice, issue_correction, propose_correction
from kantoor.orders.models import Order
from kantoor.orders.services import LineEdit
from kantoor.shops.models import Membership, Role
from tests.invoices.helpers import edit
from tests.storefront.conftest import post_checkout

DUTCH_SHOP = SimpleNamespace(country="NL", vat_number="NL123456789B01")


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "vat_number", "expected"),
    [
        ("DE", "DE123456789", True),  # EU business with its VAT number
        ("DE", "de 123 456 789", True),  # as people type it
        ("BE", "BE0123456789", True),
        ("GR", "EL123456789", True),  # Greece: prefix EL
        ("FR", "FRXX123456789", True),
        ("AT", "ATU12345678", True),
        ("NL", "NL987654321B01", False),  # a Dutch customer pays Dutch VAT
        ("DE", "", False),  # a consumer (no VAT number)
        ("US", "US123456789", False),  # outside the EU (export, not reverse charge)
        ("CH", "CHE123456789", False),
        ("GB", "GB123456789", False),
        ("DE", "DE12345678", False),  # one digit short
        ("DE", "NL987654321B01", False),  # another country's number
        ("DE", "123456789", False),  # no prefix
        ("BE", "BE2123456789", False),  # Belgian numbers start with 0 or 1
        ("", "DE123456789", False),
    ],
)
def test_the_rule(country, vat_number, expected):
    assert vat_is_reverse_charged(shop=DUTCH_SHOP, country=country, vat_number=vat_number) is (
        expected
    )


def test_only_a_dutch_shop_with_a_vat_number_reverse_charges():
    for shop in (
        SimpleNamespace(country="BE", vat_number="BE0123456789"),
        SimpleNamespace(country="NL", vat_number=""),
    ):
        assert not vat_is_reverse_charged(shop=shop, country="DE", vat_number="DE123456789")


def test_every_member_state_has_a_format_with_its_own_prefix():
    assert vat_number_is_plausible("SE", "SE123456789001")
    assert not vat_number_is_plausible("SE", "SE123456789002")
    assert vat_number_is_plausible("IE", "IE1234567T")
    assert not vat_number_is_plausible("XX", "XX123")


@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    rate=st.sampled_from([Decimal(0), Decimal(9), Decimal(21), Decimal("5.5")]),
)
def test_price_excluding_vat_is_the_price_without_its_vat_to_the_cent(cents, rate):
    price = Decimal(cents) / 100
    net = price_excluding_vat(price, rate, prices_include_vat=True)
    assert net == net.quantize(Decimal("0.01"))
    # The net price with its VAT added back is the price, within half a cent of VAT.
    assert abs(net * (100 + rate) / 100 - price) <= Decimal("0.005") * (100 + rate) / 100
    assert price_excluding_vat(price, rate, prices_include_vat=False) == price


# --- Orders and invoices ------------------------------------------------------------------------


@pytest.fixture
def dutch_shop(make_shop):
    return make_shop(
        slug="fietsen-bv",
        name="Fietsen Jansen",
        legal_name="Fietsen Jansen B.V.",
        street="Oudegracht 10",
        postcode="3511 AB",
        city="Utrecht",
        email="info@fietsen.test",
        kvk_number="12345678",
        vat_number="NL123456789B01",
        iban="NL91ABNA0417164300",
    )


@pytest.fixture
def catalogue(dutch_shop, make_product):
    return [
        make_product(dutch_shop, sku="BEL-01", name="Fietsbel", price="12.99", vat_rate="21"),
        make_product(dutch_shop, sku="BOEK-01", name="Routeboek", price="9.95", vat_rate="9"),
    ]


def business(country="DE", vat_number="DE123456789", language="en", **kw):
    return CustomerDetails(
        email="einkauf@radhaus.test",
        first_name="Anna",
        last_name="Müller",
        company="Radhaus Müller GmbH",
        vat_number=vat_number,
        language=language,
        billing=AddressData(
            name="Anna Müller",
            company="Radhaus Müller GmbH",
            street="Hauptstraße 5",
            postcode="10115",
            city="Berlin",
            country=country,
        ),
        **kw,
    )


def order_for(shop, products, details, quantities=(2, 1)):
    return place_order(
        shop=shop,
        details=details,
        items=[OrderItem(p.pk, q) for p, q in zip(products, quantities, strict=True)],
        shipping_method="delivery",
        actor=Actor.customer(details.email),
    )


def assert_valid_ubl(validate, invoice: Invoice) -> None:
    """Valid Peppol BIS; and valid NLCIUS, which applies to every customer outside NL (a Dutch
    business customer needs its KvK number, which checkout does not ask)."""
    document = invoice_document(invoice=invoice)
    assert nlcius_applies(document) or document.customer.country_code == "NL"
    for profile in ("peppol", "nlcius") if nlcius_applies(document) else ("peppol",):
        xml = render_invoice_ubl(document, profile)
        assert validate(xml, profile) == [], (profile, xml.decode())


def test_an_eu_business_order_is_invoiced_without_vat(dutch_shop, catalogue, validate):
    order = order_for(dutch_shop, catalogue, business(vat_number="de 123456789"))

    assert order.vat_reverse_charged
    assert order.vat_number == "DE123456789"
    lines = list(order.lines.order_by("position"))
    # 12.99 incl. 21 % -> 10.74; 9.95 incl. 9 % -> 9.13; shipping 6.95 incl. 21 % -> 5.74.
    assert [(ln.unit_price, ln.vat_rate) for ln in lines] == [
        (Decimal("10.74"), Decimal("0.00")),
        (Decimal("9.13"), Decimal("0.00")),
    ]
    assert (order.shipping_cost, order.shipping_vat_rate) == (Decimal("5.74"), Decimal("0.00"))
    assert order.total_vat == Decimal("0.00")
    assert order.total_net == order.total_gross == Decimal("36.35")  # 2 x 10.74 + 9.13 + 5.74

    invoice = Invoice.objects.get(order=order)
    assert invoice.vat_reverse_charged
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("36.35"),
        Decimal("0.00"),
        Decimal("36.35"),
    )
    assert invoice.vat_breakdown == [{"rate": "0.00", "net": "36.35", "vat": "0.00"}]
    assert invoice.customer_vat_number == "DE123456789"
    document = invoice_document(invoice=invoice)
    assert {line.vat_category for line in document.lines} == {INTRA_COMMUNITY}
    assert [row.category for row in document.vat_breakdown] == [INTRA_COMMUNITY]
    assert document.delivery_date == invoice.issued_on  # BR-IC-11
    assert_valid_ubl(validate, invoice)
    xml = render_invoice_ubl(document, "peppol").decode()
    assert "<cbc:TaxExemptionReasonCode>VATEX-EU-IC</cbc:TaxExemptionReasonCode>" in xml


def test_a_shop_with_prices_excluding_vat_charges_its_price(dutch_shop, catalogue):
    dutch_shop.prices_include_vat = False
    dutch_shop.save(update_fields=["prices_include_vat"])
    order = order_for(dutch_shop, catalogue, business())
    assert [ln.unit_price for ln in order.lines.order_by("position")] == [
        Decimal("12.99"),
        Decimal("9.95"),
    ]
    assert order.total_gross == Decimal("42.88")  # 2 x 12.99 + 9.95 + 6.95, no VAT


@pytest.mark.parametrize(
    "details",
    [
        business(country="NL", vat_number="NL987654321B01"),  # Dutch business
        business(vat_number=""),  # German consumer
        business(country="US", vat_number="US123456789"),  # outside the EU
        business(vat_number="DE12345"),  # not a German VAT number
    ],
    ids=["dutch-business", "eu-consumer", "non-eu", "bad-vat-number"],
)
def test_other_customers_pay_dutch_vat(dutch_shop, catalogue, details):
    order = order_for(dutch_shop, catalogue, details)
    assert not order.vat_reverse_charged
    assert order.total_vat > 0
    assert [ln.unit_price for ln in order.lines.order_by("position")] == [
        Decimal("12.99"),
        Decimal("9.95"),
    ]
    invoice = Invoice.objects.get(order=order)
    assert not invoice.vat_reverse_charged and invoice.total_vat == order.total_vat


def test_corrections_of_a_reverse_charged_order_stay_reverse_charged(
    dutch_shop, catalogue, make_product, validate
):
    actor = Actor.staff(Membership.objects.get(shop=dutch_shop, role=Role.OWNER).user)
    order = order_for(dutch_shop, catalogue, business())
    extra = make_product(dutch_shop, sku="SLOT-01", name="Fietsslot", price="24.20")
    order.refresh_from_db()
    lines = [
        LineEdit(line_id=ln.pk, quantity=ln.quantity, unit_price=None)
        for ln in order.lines.order_by("position")
    ]
    lines.append(LineEdit(quantity=1, unit_price=None, product_id=extra.pk))
    order = edit(order, actor, lines=lines)
    added = order.lines.get(sku="SLOT-01")
    assert (added.unit_price, added.vat_rate) == (Decimal("20.00"), Decimal("0.00"))  # 24.20/1.21
    assert order.vat_reverse_charged and order.total_vat == Decimal("0.00")

    debit = issue_correction(shop=dutch_shop, order=order, actor=actor)
    assert debit.kind == InvoiceKind.DEBIT and debit.vat_reverse_charged
    assert debit.total_gross == Decimal("20.00") and debit.total_vat == Decimal("0.00")
    assert_valid_ubl(validate, debit)

    credit = credit_invoice(shop=dutch_shop, invoice=debit, actor=actor)
    assert credit.vat_reverse_charged and credit.total_gross == Decimal("-20.00")
    assert_valid_ubl(validate, credit)
    assert invoiced_total(shop=dutch_shop, order=order) == Decimal("36.35")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("language", "note"), [("nl", "btw verlegd"), ("en", "VAT reverse charged")]
)
def test_the_pdf_says_vat_reverse_charged_with_the_customers_vat_number(
    dutch_shop, catalogue, tmp_path, language, note
):
    order = order_for(dutch_shop, catalogue, business(language=language))
    invoice = Invoice.objects.get(order=order)
    text = _pdf_text(invoice_pdf(invoice_document(invoice=invoice)), tmp_path)
    assert note in text
    assert "DE123456789" in text
    assert "NL123456789B01" in text


@pytest.mark.django_db
def test_generated_orders_make_valid_invoices_with_and_without_reverse_charge(
    dutch_shop, catalogue, validate
):
    """Any mix of products, quantities and prices, for each kind of customer: the order's
    invoice (and a full credit of it) adds up and passes both UBL profiles."""
    for product in catalogue:
        Product.objects.filter(pk=product.pk).update(track_stock=False)
    customers = {
        "eu_business": (business(), True),
        "eu_business_nl_pdf": (business(country="BE", vat_number="BE0123456789"), True),
        "dutch_business": (business(country="NL", vat_number="NL987654321B01"), False),
        "eu_consumer": (business(vat_number=""), False),
    }

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        who=st.sampled_from(sorted(customers)),
        prices=st.lists(
            st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100),
            min_size=2,
            max_size=2,
        ),
        quantities=st.lists(st.integers(1, 40), min_size=2, max_size=2),
        include_vat=st.booleans(),
    )
    def run(who, prices, quantities, include_vat):
        details, reverse_charged = customers[who]
        with transaction.atomic():
            dutch_shop.prices_include_vat = include_vat
            dutch_shop.save(update_fields=["prices_include_vat"])
            for product, price in zip(catalogue, prices, strict=True):
                Product.objects.filter(pk=product.pk).update(price=price)
            products = list(Product.objects.filter(pk__in=[p.pk for p in catalogue]))
            products.sort(key=lambda p: p.sku)
            order = order_for(dutch_shop, products, details, quantities=quantities)
            assert order.vat_reverse_charged is reverse_charged
            invoice = Invoice.objects.get(order=order)
            assert invoice.vat_reverse_charged is reverse_charged
            assert invoice.total_gross == order.total_gross
            if reverse_charged:
                assert invoice.total_vat == 0 and invoice.total_net == invoice.total_gross
            if details.vat_number:  # NLCIUS needs a business customer
                assert_valid_ubl(validate, invoice)
                credit = credit_invoice(shop=dutch_shop, invoice=invoice, actor=Actor.system())
                assert credit.vat_reverse_charged is reverse_charged
                assert_valid_ubl(validate, credit)
            assert (
                not propose_correction(
                    shop=dutch_shop, order=Order.objects.get(pk=order.pk)
                ).is_needed
                or invoiced_total(shop=dutch_shop, order=order) == 0
            )
            transaction.set_rollback(True)

    run()


# --- Checkout -----------------------------------------------------------------------------------


def _storefront(shop, name):
    from django.urls import reverse

    return reverse(f"storefront:{name}", kwargs={"shop_slug": shop.slug})


def test_the_checkout_summary_shows_0_percent_and_the_note_when_it_applies(
    client, dutch_shop, catalogue
):
    client.post(_storefront(dutch_shop, "cart_add"), {"product_id": catalogue[0].pk, "quantity": 2})
    summary = _storefront(dutch_shop, "checkout_summary")

    business_eu = client.get(
        summary, {"shipping_method": "delivery", "country": "DE", "vat_number": "DE123456789"}
    ).content.decode()
    assert "VAT reverse charged" in business_eu and "VAT 0%" in business_eu
    assert "€27.22" in business_eu  # 2 x 10.74 + 5.74 shipping, no VAT
    assert "Includes VAT" not in business_eu

    for country, vat_number in (("DE", ""), ("NL", "NL987654321B01"), ("DE", "DE1")):
        page = client.get(
            summary, {"shipping_method": "delivery", "country": country, "vat_number": vat_number}
        ).content.decode()
        assert "VAT reverse charged" not in page and "€32.93" in page  # 2 x 12.99 + 6.95

    checkout = client.get(_storefront(dutch_shop, "checkout")).content.decode()
    assert "[name=country],[name=vat_number]" in checkout  # the summary follows both fields


def test_a_german_business_checks_out_with_vat_reverse_charged(client, dutch_shop, catalogue):
    client.post(_storefront(dutch_shop, "cart_add"), {"product_id": catalogue[0].pk, "quantity": 2})
    data = {
        "email": "einkauf@radhaus.test",
        "first_name": "Anna",
        "last_name": "Müller",
        "company": "Radhaus Müller GmbH",
        "vat_number": "DE 123 456 789",
        "street": "Hauptstraße 5",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        "shipping_method": "delivery",
        "payment": "later",
        "note": "",
    }
    # A refused form re-renders the summary for the customer as typed.
    page = post_checkout(client, dutch_shop, {**data, "email": ""})
    assert page.status_code == 200 and "VAT reverse charged" in page.content.decode()

    response = post_checkout(client, dutch_shop, data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    order = Order.objects.get(shop=dutch_shop)
    assert order.vat_reverse_charged and order.total_gross == Decimal("27.22")
    invoice = Invoice.objects.get(order=order)
    assert invoice.vat_reverse_charged and invoice.total_vat == 0


def test_the_ubl_generators_cover_every_reverse_charge_vat_number():
    """The hypothesis generators of tests/invoices/test_ubl.py include reverse-charged (K)
    invoices whose customer VAT numbers pass this rule."""
    from tests.invoices.ubl_strategies import SCENARIOS, VAT_NUMBERS

    reverse_charged = [s for s in SCENARIOS.values() if s[2] == INTRA_COMMUNITY]
    assert len(reverse_charged) >= 3
    for country, is_business, _ in reverse_charged:
        assert is_business
        assert vat_is_reverse_charged(
            shop=DUTCH_SHOP, country=country, vat_number=VAT_NUMBERS[country]
        )
