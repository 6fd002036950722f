"""The quote PDF (kantoor/quotes/pdf.py): what it says, in which language, the same bytes every
time, cached; attached to the quote e-mail; downloaded from the storefront by the signed link."""

import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import send_due_messages
from kantoor.quotes.links import quote_token
from kantoor.quotes.models import Quote
from kantoor.quotes.pdf import quote_pdf
from kantoor.quotes.services import (
    QuoteLineInput,
    decline_quote,
    expire_quotes,
    send_quote,
    update_quote,
)
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings
from tests.quotes.test_services import make_quote, prospect, sent_quote
from tests.storefront.conftest import url

SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "quote-pdf.png"
)
TERMS_NL = "Levering binnen twee weken na akkoord.\nBetaling binnen 14 dagen na factuurdatum."
TERMS_EN = "Delivery within two weeks of acceptance.\nPayment within 14 days of the invoice date."


@pytest.fixture(autouse=True)
def _pdf_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # each test its own PDF cache


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def pdf_shop(shop):
    Shop.objects.filter(pk=shop.pk).update(
        legal_name="Fietsen Jansen B.V.",
        street="Stationsweg 12",
        postcode="3511 AB",
        city="Utrecht",
        email="info@fietsen.test",
        kvk_number="12345678",
        vat_number="NL123456789B01",
    )
    update_workflow_settings(
        shop=shop,
        user=None,
        section="quotes",
        values={"quote_terms_nl": TERMS_NL, "quote_terms_en": TERMS_EN},
    )
    return Shop.objects.get(pk=shop.pk)


def _text(pdf: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "quote.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


def _details(language="en"):
    return prospect(language=language, company="Klant & Co", note="Graag tot ziens!")


def _quote(shop, products, staff, *, language="en", **bell):
    quote = make_quote(shop, products, staff, **bell)
    quote = update_quote(
        shop=shop,
        quote_id=quote.pk,
        details=_details(language),
        lines=[
            QuoteLineInput(product_id=products[0].pk, quantity=3, **bell),
            QuoteLineInput(
                product_id=None,
                quantity=1,
                unit_price=Decimal("45.00"),
                description="Montage aan huis",
                vat_rate=Decimal("21"),
            ),
            QuoteLineInput(product_id=products[1].pk, quantity=2),
        ],
        actor=staff,
    )
    return send_quote(shop=shop, quote_id=quote.pk, actor=staff)


def test_the_pdf_has_the_number_lines_totals_validity_and_terms(
    pdf_shop, products, staff, tmp_path
):
    quote = _quote(pdf_shop, products, staff, discount_percent=Decimal("10"))
    text = _text(quote_pdf(quote=quote), tmp_path)
    # The shop, as on its invoices.
    for part in ("Fietsen Jansen B.V.", "Stationsweg 12", "3511 AB Utrecht", "info@fietsen.test"):
        assert part in text
    assert "KvK 12345678" in text and "VAT number NL123456789B01" in text
    # Who it is for: the company, the person, the address.
    assert "Klant & Co" in text and "Attn. Karin Klant" in text
    assert "Dorpsstraat 4" in text and "1234 AB Ergens" in text
    # The number, date and validity.
    assert f"Quote number {quote.number}" in text
    sent_on = timezone.localdate(quote.sent_at)
    assert f"Date {sent_on.day} {sent_on:%B %Y}" in text
    assert f"Valid until {quote.valid_until.day} {quote.valid_until:%B %Y}" in text
    assert "Version" not in text  # the first version says nothing about versions
    # The lines: 3 bells at 12.99 less 10 % (11.69 each), the fitting, 2 books at 9 %.
    assert "Fietsbel" in text and "BEL-01" in text
    assert "3 €12.99 −10% 21% €35.07" in text
    assert "Montage aan huis 1 €45.00 21% €45.00" in text
    assert "Fietsrouteboek" in text and "2 €9.95 9% €19.90" in text
    # Shipping, VAT per rate, the total (prices include VAT: 35.07 + 45 + 19.90 + shipping).
    shipping = pdf_shop.shipping_fee
    gross = Decimal("35.07") + Decimal("45.00") + Decimal("19.90") + shipping
    assert f"Shipping cost €{shipping}" in text
    assert "VAT 21%" in text and "VAT 9%" in text
    assert f"Total incl. VAT €{gross}" in text
    assert "Subtotal €99.97" in text and "Prices include VAT." in text
    # The note and the shop's terms in the quote's language.
    assert "Graag tot ziens!" in text
    assert "Terms" in text and "Delivery within two weeks of acceptance." in text
    assert "Levering binnen" not in text


def test_the_same_revision_gives_the_same_bytes_and_the_second_time_from_the_cache(
    pdf_shop, products, staff, settings
):
    quote = _quote(pdf_shop, products, staff)
    first = quote_pdf(quote=quote)
    assert first.startswith(b"%PDF-")
    [cached] = (Path(settings.VAR_DIR) / "quote-pdfs").iterdir()
    assert cached.name.startswith(f"{quote.number}-v1-") and cached.read_bytes() == first
    cached.unlink()  # rendered again: the very same bytes
    assert quote_pdf(quote=quote) == first
    assert b"CreationDate" not in first and b"ModDate" not in first


def test_a_change_makes_a_new_pdf(pdf_shop, products, staff):
    quote = _quote(pdf_shop, products, staff)
    before = quote_pdf(quote=quote)
    update_workflow_settings(
        shop=pdf_shop,
        user=None,
        section="quotes",
        values={"quote_terms_en": "Other terms.", "quote_terms_nl": TERMS_NL},
    )
    quote.shop = Shop.objects.get(pk=pdf_shop.pk)
    assert quote_pdf(quote=quote) != before


def test_a_second_revision_says_so_and_the_first_stays_as_it_was(
    pdf_shop, products, staff, tmp_path
):
    quote = _quote(pdf_shop, products, staff)
    first = quote_pdf(quote=quote)
    revised = update_quote(
        shop=pdf_shop,
        quote_id=quote.pk,
        details=_details(),  # the same details (they are the quote's, not a revision's)
        lines=[QuoteLineInput(product_id=products[0].pk, quantity=5)],
        actor=staff,
    )
    # Not sent yet: the customer's PDF is still the first version; staff can see the concept.
    assert quote_pdf(quote=revised) == first
    concept = _text(quote_pdf(quote=revised, revision=2), tmp_path)
    assert "Version 2" in concept and "5 €12.99 21% €64.95" in concept
    sent = send_quote(shop=pdf_shop, quote_id=quote.pk, actor=staff)
    text = _text(quote_pdf(quote=sent), tmp_path)
    assert "Version 2" in text and "Montage aan huis" not in text
    assert "Montage aan huis" in _text(quote_pdf(quote=sent, revision=1), tmp_path)


def test_dutch_and_english_labels_and_terms(pdf_shop, products, staff, tmp_path):
    quote = _quote(pdf_shop, products, staff, language="nl")
    dutch = _text(quote_pdf(quote=quote), tmp_path)
    assert "Offerte" in dutch and "Omschrijving" in dutch and "Aantal" in dutch
    assert "Totaal incl. btw" in dutch and "Btw-nummer NL123456789B01" in dutch
    assert "€ 45,00" in dutch and "Prijzen zijn inclusief btw." in dutch
    assert f"Geldig tot en met {quote.valid_until.day} " in dutch
    assert "Levering binnen twee weken na akkoord." in dutch and "Delivery within" not in dutch
    english = _text(quote_pdf(quote=quote, language="en"), tmp_path)
    assert "Quote" in english and "Description" in english and "Quantity" in english
    assert "Total incl. VAT" in english and "€45.00" in english
    assert "Delivery within two weeks of acceptance." in english
    assert "Omschrijving" not in english


def test_an_eu_business_gets_the_quote_without_vat_and_says_why(
    pdf_shop, products, staff, tmp_path
):
    quote = make_quote(pdf_shop, products, staff)
    quote = update_quote(
        shop=pdf_shop,
        quote_id=quote.pk,
        details=prospect(
            language="en", company="Fahrrad GmbH", country="DE", vat_number="DE123456789"
        ),
        lines=[QuoteLineInput(product_id=products[0].pk, quantity=1)],
        actor=staff,
    )
    text = _text(quote_pdf(quote=quote), tmp_path)
    # 12.99 including 21 % is 10.74 without; 0 % VAT, reverse charged.
    assert "1 €10.74 0% €10.74" in text and "Germany" in text
    assert "VAT reverse charged" in text and "VAT number customer DE123456789" in text


def test_the_sent_quote_e_mail_carries_the_pdf(pdf_shop, products, staff):
    quote = sent_quote(pdf_shop, products, staff)
    result = send_due_messages()
    message = Message.objects.get(kind=MessageKind.QUOTE)
    assert message.state == "sent", (result, message.last_error)
    [email] = [m for m in mail.outbox if quote.number in m.subject]
    [(filename, content, content_type)] = email.attachments
    assert filename == f"{quote.number}.pdf" and content_type == "application/pdf"
    assert content == quote_pdf(quote=quote, revision=1, language="nl")


def test_the_reminder_carries_the_pdf_and_the_shops_e_mails_do_not(pdf_shop, products, staff):
    update_workflow_settings(
        shop=pdf_shop, user=None, section="quotes", values={"quote_reminder_days": 3}
    )
    quote = sent_quote(Shop.objects.get(pk=pdf_shop.pk), products, staff)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=2)
    )
    assert expire_quotes()["reminded"] == 1
    decline_quote(
        shop=pdf_shop,
        quote_id=quote.pk,
        revision=1,
        reason="Te duur",
        actor=Actor.customer(quote.email),
    )
    send_due_messages()
    by_kind = {message.kind: message for message in Message.objects.all()}
    assert {MessageKind.QUOTE, MessageKind.QUOTE_REMINDER, MessageKind.QUOTE_DECLINED} <= set(
        by_kind
    )
    assert all(message.state == "sent" for message in by_kind.values())
    attached = [(email.to, [name for name, *_ in email.attachments]) for email in mail.outbox]
    pdf = [f"{quote.number}.pdf"]
    # The quote and the reminder each with its PDF; "declined", to the shop, without.
    assert sorted(attached) == sorted(
        [([quote.email], pdf), ([quote.email], pdf), ([pdf_shop.email], [])]
    )


def test_the_storefront_link_downloads_the_pdf_only_with_the_signed_token(
    pdf_shop, other_shop, products, staff
):
    quote = sent_quote(pdf_shop, products, staff)
    token = quote_token(shop_id=pdf_shop.pk, quote_id=quote.pk)
    client = Client()
    page = client.get(url(pdf_shop, "quote_page", token=token))
    assert url(pdf_shop, "quote_pdf", token=token) in page.text and "data-pdf" in page.text
    response = client.get(url(pdf_shop, "quote_pdf", token=token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == quote_pdf(quote=quote)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(url(pdf_shop, "quote_pdf", token=tampered)).status_code == 404
    # The same token at another shop opens nothing there.
    assert client.get(url(other_shop, "quote_pdf", token=token)).status_code == 404
    other = quote_token(shop_id=other_shop.pk, quote_id=quote.pk)
    assert client.get(url(other_shop, "quote_pdf", token=other)).status_code == 404


def test_a_concept_never_sent_has_no_pdf_for_the_customer(pdf_shop, products, staff):
    quote = make_quote(pdf_shop, products, staff)
    token = quote_token(shop_id=pdf_shop.pk, quote_id=quote.pk)
    assert Client().get(url(pdf_shop, "quote_pdf", token=token)).status_code == 404


def test_the_first_page_as_an_image(pdf_shop, products, staff, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    quote = _quote(pdf_shop, products, staff, language="nl", discount_percent=Decimal("10"))
    path = tmp_path / "quote.pdf"
    path.write_bytes(quote_pdf(quote=quote))
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = tmp_path / "page-1.png"
    assert page.stat().st_size > 5000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, SCREENSHOT)
