"""Headers every page gets (kantoor/core/middleware.py), and what the Content-Security-Policy
requires of the templates: no inline script, no inline style attribute, no link from the Host
header."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kantoor.customers.services import sign_up_customer
from kantoor.payments.links import payment_link_path
from kantoor.payments.models import DemoTransaction
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-{nonce}'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self' https://www.mollie.com; base-uri 'self'"
)


@pytest.fixture
def pages(shop, owner, products, make_order):
    customer = sign_up_customer(
        shop=shop,
        email="piet@example.test",
        password=PASSWORD,
        first_name="Piet",
        last_name="Pieters",
        language="en",
    )
    order = make_order(shop, products[:2], email=customer.email, account=customer)
    invoice = order.invoices.get()
    staff, customer_client, anonymous = Client(), Client(), Client()
    staff.force_login(owner)
    login = reverse("storefront:login", kwargs={"shop_slug": shop.slug})
    assert (
        customer_client.post(login, {"email": customer.email, "password": PASSWORD}).status_code
        == 302
    )
    slug = {"shop_slug": shop.slug}
    back_office = [
        reverse("backoffice:overview", kwargs=slug),
        reverse("backoffice:orders", kwargs=slug),
        reverse("backoffice:order", kwargs={**slug, "number": order.number}),
        reverse("backoffice:order_edit", kwargs={**slug, "number": order.number}),
        reverse("backoffice:order_new", kwargs=slug),
        reverse("backoffice:invoices", kwargs=slug),
        reverse("backoffice:settings_workflow", kwargs=slug) + "?tab=statuses",
        reverse("backoffice:settings_workflow", kwargs=slug) + "?tab=numbers",
    ]
    account = [
        reverse("storefront:account", kwargs=slug),
        reverse("storefront:order", kwargs={**slug, "number": order.number}),
    ]
    public_forms = [
        reverse("backoffice:login"),
        reverse("storefront:login", kwargs=slug),
        reverse("storefront:signup", kwargs=slug),
        reverse("storefront:password_reset", kwargs=slug),
        reverse("storefront:cart", kwargs=slug),
        payment_link_path(shop_id=shop.pk, invoice_id=invoice.pk),
    ]
    catalogue = [
        reverse("storefront:home", kwargs=slug),
        reverse("storefront:product", kwargs={**slug, "sku": products[0].sku}),
    ]
    return {
        "private": [(staff, u) for u in back_office]
        + [(customer_client, u) for u in account]
        + [(anonymous, u) for u in public_forms],
        "catalogue": [(anonymous, u) for u in catalogue],
        "invoice": invoice,
    }


def test_back_office_account_and_pay_pages_are_private_no_store(pages):
    for client, path in pages["private"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    for client, path in pages["catalogue"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_every_response_has_the_content_security_policy(pages, client):
    responses = [c.get(p) for c, p in pages["private"] + pages["catalogue"]]
    responses += [client.get("/backoffice/no-such-shop/"), client.get("/no/such/page/")]
    for response in responses:
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert policy == CSP.format(nonce=nonce)
    nonces = {re.search(r"nonce-([^']+)", r["Content-Security-Policy"]).group(1) for r in responses}
    assert len(nonces) == len(responses)  # one per request


SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)


def test_the_pages_have_no_inline_script_or_style(pages):
    for client, path in pages["private"] + pages["catalogue"]:
        html = client.get(path).content.decode()
        assert not SCRIPT.findall(html), path
        assert not INLINE_HANDLER.findall(re.sub(r"<(svg|path)[^>]*>", "", html)), path
        assert not STYLE_ATTRIBUTE.findall(html), path
        config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)[1])
        # No style element of htmx's own, no style attribute copied when it settles a swap,
        # no snapshot of a private page in localStorage (restoring one applies inline styles).
        assert config["includeIndicatorStyles"] is False
        assert "style" not in config["attributesToSettle"]
        assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True


def test_no_template_of_a_page_has_inline_script_or_style():
    """E-mails and PDFs are no pages (no CSP there): the HTML e-mail needs inline styles."""
    skipped = {
        "messaging/email.html",
        "invoices/pdf/invoice.html",
        "quotes/pdf/quote.html",
        "reports/vat_return_pdf.html",
        "returns/slip.html",
    }
    for template in (ROOT / "kantoor").glob("**/templates/**/*.html"):
        name = template.as_posix().split("/templates/", 1)[1]
        if name in skipped:
            continue
        text = template.read_text()
        assert not SCRIPT.findall(text), name
        assert not INLINE_HANDLER.findall(text), name
        assert not STYLE_ATTRIBUTE.findall(text), name
        assert "<style" not in text, name


def test_the_status_colours_stylesheet_is_public_and_revalidated(shop, client):
    path = reverse("shops:status_colours", kwargs={"shop_slug": shop.slug})
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/status-colours/no-such-shop.css").status_code == 404


def test_no_link_is_built_from_the_host_header():
    """Absolute links come from settings.BASE_URL (kantoor/core/links.py)."""
    for module in (ROOT / "kantoor").glob("**/*.py"):
        text = module.read_text()
        assert "build_absolute_uri" not in text, module
        assert "request.scheme" not in text, module


def test_the_payment_return_and_webhook_urls_are_on_base_url(pages, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.BASE_URL = "https://shop.kantoor.example"
    invoice = pages["invoice"]
    path = payment_link_path(shop_id=invoice.shop_id, invoice_id=invoice.pk)
    response = Client().post(path, HTTP_HOST="evil.test")
    assert response.status_code == 302
    demo = DemoTransaction.objects.get()
    assert demo.redirect_url.startswith("https://shop.kantoor.example/pay/")
    assert demo.webhook_url.startswith("https://shop.kantoor.example/payments/")
