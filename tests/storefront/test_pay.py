"""The payment link /pay/<token>/: the invoice it names and nothing else; guessing is hopeless."""

import secrets
from dataclasses import replace

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from kantoor.core.actors import Actor
from kantoor.invoices.models import InvoiceKind
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.services import credit_invoice
from kantoor.payments.links import invoice_from_token, payment_link_path, payment_link_token
from kantoor.payments.models import DemoTransaction, Payment, PaymentSettings
from kantoor.payments.services import record_bank_transfer
from kantoor.storefront.views import pay as pay_views


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def order(shop, products, make_order):
    return make_order(shop, products[:2])


@pytest.fixture
def invoice(order):
    return order.invoices.get(kind=InvoiceKind.DEBIT)


def link(invoice):
    return payment_link_path(shop_id=invoice.shop_id, invoice_id=invoice.pk)


def test_the_pay_page_shows_its_invoice(client, shop, invoice):
    response = client.get(link(invoice))
    assert response.status_code == 200
    html = response.content.decode()
    assert invoice.number in html
    assert shop.name in html
    assert "Pay now" in html
    assert "Fietsbel" in html
    assert "Download the invoice (PDF)" in html
    assert response.context["due"] == invoice.total_gross


def test_pay_now_starts_a_payment_and_goes_to_the_provider(client, invoice):
    response = client.post(link(invoice))
    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice)
    assert response["Location"] == payment.checkout_url
    demo = DemoTransaction.objects.get(pk=payment.provider_payment_id)
    token = payment_link_token(shop_id=invoice.shop_id, invoice_id=invoice.pk)
    # On BASE_URL, not on the Host header of the request.
    assert demo.redirect_url == f"{settings.BASE_URL}/pay/{token}/return/"
    assert invoice_from_token(token) == (invoice.shop_id, invoice.pk)


def test_a_failing_provider_shows_a_message_not_a_500(client, shop, invoice):
    from django.utils import timezone

    PaymentSettings.objects.create(shop=shop, provider="mollie", updated_at=timezone.now())
    response = client.post(link(invoice))
    assert response.status_code == 400
    assert "Paying online is not possible right now" in response.content.decode()


def test_a_paid_invoice_says_so_and_cannot_be_paid_again(client, shop, owner, invoice):
    from django.utils import timezone

    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=Actor.staff(owner)
    )
    response = client.get(link(invoice))
    assert "thank you" in response.content.decode()
    assert "Pay now" not in response.content.decode()
    response = client.post(link(invoice))
    assert response.status_code == 400
    assert "already paid" in response.content.decode()
    assert not Payment.objects.filter(provider="demo").exists()


def test_a_credited_invoice_has_nothing_to_pay(client, shop, owner, invoice):
    credit_invoice(shop=shop, invoice=invoice, actor=Actor.staff(owner))
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.CREDITED
    response = client.get(link(invoice))
    assert "nothing to pay" in response.content.decode()


def test_a_credit_invoice_has_no_payment_page(client, shop, owner, invoice):
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.staff(owner))
    assert client.get(link(credit)).status_code == 404


def test_the_pdf_of_its_invoice_downloads(client, invoice):
    response = client.get(reverse("pay:pdf", kwargs={"token": link(invoice).split("/")[2]}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- Tokens: forged, tampered, of another invoice -----------------------------------------------


def test_random_and_tampered_tokens_open_nothing(client, shop, invoice):
    token = payment_link_token(shop_id=shop.pk, invoice_id=invoice.pk)
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.replace(":", ";", 1),
        token[1:],
        token + "x",
        # A token for this invoice made with another key or another salt.
        signing.dumps({"s": shop.pk, "i": invoice.pk}, key="guessed-secret", salt="x"),
        signing.dumps({"s": shop.pk, "i": invoice.pk}),
    ]
    for bad in tampered + [secrets.token_urlsafe(32) for _ in range(5)]:
        response = client.get(f"/pay/{bad}/")
        assert response.status_code == 404, bad
        assert invoice.number not in response.content.decode()
        cache.clear()


def test_a_token_opens_only_its_own_invoice(client, shop, other_shop, products, make_order):
    first = make_order(shop, products[:1]).invoices.get()
    second = make_order(shop, products[1:2]).invoices.get()
    html = client.get(link(first)).content.decode()
    assert first.number in html and second.number not in html
    # A token naming another shop with this invoice's id opens nothing.
    cross = payment_link_token(shop_id=other_shop.pk, invoice_id=first.pk)
    assert client.get(f"/pay/{cross}/").status_code == 404
    missing = payment_link_token(shop_id=shop.pk, invoice_id=second.pk + 1000)
    assert client.get(f"/pay/{missing}/").status_code == 404


def test_too_many_bad_tokens_from_one_address_get_429(client, invoice, monkeypatch):
    monkeypatch.setattr(pay_views, "BAD_TOKENS", replace(pay_views.BAD_TOKENS, limit=5))
    for _ in range(5):
        assert client.get("/pay/forged-token/").status_code == 404
    response = client.get("/pay/forged-token/")
    assert response.status_code == 429
    assert 590 <= int(response["Retry-After"]) <= 600
    assert "Too many attempts" in response.content.decode()
    # Even a good link waits, so the limit cannot be used to test guesses.
    assert client.get(link(invoice)).status_code == 429
    # Another address is not affected.
    assert client.get(link(invoice), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_default_limit_is_20_bad_tokens(client, db):
    for _ in range(20):
        assert client.get("/pay/nope/").status_code == 404
    assert client.get("/pay/nope/").status_code == 429


def test_good_links_do_not_count_against_the_limit(client, invoice, monkeypatch):
    monkeypatch.setattr(pay_views, "BAD_TOKENS", replace(pay_views.BAD_TOKENS, limit=2))
    for _ in range(5):
        assert client.get(link(invoice)).status_code == 200


# --- The page after the provider --------------------------------------------------------------


def return_url(invoice):
    return link(invoice) + "return/"


def test_return_page_shows_paid(client, invoice):
    checkout = client.post(link(invoice))["Location"]
    client.post(checkout, {"method": "ideal", "outcome": "paid"})
    response = client.get(return_url(invoice))
    assert response.context["outcome"] == "paid"
    assert "your payment is received" in response.content.decode()


def test_return_page_shows_failed_with_try_again(client, invoice):
    checkout = client.post(link(invoice))["Location"]
    client.post(checkout, {"method": "ideal", "outcome": "failed"})
    response = client.get(return_url(invoice))
    assert response.context["outcome"] == "failed"
    assert "Try again" in response.content.decode()
    again = client.post(link(invoice))
    assert again.status_code == 302
    assert again["Location"] != checkout


def test_return_page_asks_the_provider_when_the_webhook_is_late(client, invoice):
    checkout = client.post(link(invoice))["Location"]
    response = client.get(return_url(invoice))
    assert response.context["outcome"] == "processing"
    assert b'http-equiv="refresh"' in response.content
    # The provider has the answer, the webhook did not come: the return page asks.
    payment = Payment.objects.get(invoice=invoice)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(status="paid")
    response = client.get(return_url(invoice))
    assert response.context["outcome"] == "paid"
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert checkout


def opens(path: str):
    """What a /pay/<token>/ path opens (its signature carries a timestamp: compare this)."""
    return invoice_from_token(path.removeprefix("/pay/").removesuffix("/"))


def test_return_page_without_a_payment_goes_back_to_the_pay_page(client, invoice):
    response = client.get(return_url(invoice))
    assert response.status_code == 302
    assert opens(response["Location"]) == (invoice.shop_id, invoice.pk)
