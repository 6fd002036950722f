"""The webhook endpoint and the demo provider's TEST-MODE page, through the HTTP stack."""

import pytest
from django.urls import reverse

from kantoor.core.actors import Actor
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.payments.models import DemoTransaction, PaymentState
from kantoor.payments.services import start_payment

RETURN = "http://testserver/pay/t/return/"


def hook(client, provider="demo", **data):
    return client.post(reverse("payments:webhook", kwargs={"provider": provider}), data)


@pytest.fixture
def payment(shop, invoice):
    return start_payment(shop=shop, invoice=invoice, redirect_url=RETURN)


def test_webhook_for_an_open_payment_answers_200_and_changes_nothing(client, payment, invoice):
    response = hook(client, id=payment.provider_payment_id)
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.state == PaymentState.OPEN
    assert invoice.state == InvoiceState.UNPAID


def test_webhook_believes_the_provider_not_the_request(client, payment, invoice):
    # Whatever the request claims, only the provider's state counts.
    response = hook(client, id=payment.provider_payment_id, status="paid", amount="9999")
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(status="paid")
    assert hook(client, id=payment.provider_payment_id).status_code == 200
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID


@pytest.mark.parametrize(
    "provider,data,status",
    [
        ("demo", {}, 400),
        ("demo", {"id": ""}, 400),
        ("demo", {"id": "x" * 65}, 400),
        ("demo", {"id": "demo_unknown"}, 404),
        ("mollie", {"id": "tr_unknown"}, 404),
        ("paypal", {"id": "x"}, 404),
        ("manual", {"id": "x"}, 404),
    ],
)
def test_junk_webhooks_get_a_json_4xx(client, db, provider, data, status):
    response = hook(client, provider=provider, **data)
    assert response.status_code == status
    assert "error" in response.json()


def test_webhook_is_post_only_and_needs_no_csrf_token(db, payment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("payments:webhook", kwargs={"provider": "demo"})
    assert client.get(url).status_code == 405
    assert client.post(url, {"id": payment.provider_payment_id}).status_code == 200


def test_webhook_with_json_body_is_a_400_not_a_500(client, db):
    url = reverse("payments:webhook", kwargs={"provider": "mollie"})
    response = client.post(url, data=b'{"id": 1}', content_type="application/json")
    assert response.status_code == 400


# --- The demo provider's page -----------------------------------------------------------------


def demo_url(payment):
    return reverse("payments:demo_checkout", kwargs={"transaction_id": payment.provider_payment_id})


def test_demo_page_is_marked_test_mode_and_shows_the_amount(client, payment):
    response = client.get(demo_url(payment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "TEST MODE" in html
    assert "no real money" in html
    assert "iDEAL" in html
    assert payment.invoice.number in html


def test_choosing_paid_books_the_payment_and_returns_to_the_shop(client, payment, invoice):
    response = client.post(demo_url(payment), {"method": "creditcard", "outcome": "paid"})
    assert response.status_code == 302
    assert response["Location"] == RETURN
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.method == "creditcard"
    assert invoice.state == InvoiceState.PAID
    # Answered once: a second choice changes nothing.
    again = client.post(demo_url(payment), {"method": "ideal", "outcome": "failed"})
    assert again.status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert "already answered" in again.content.decode()


@pytest.mark.parametrize(
    "data", [{}, {"method": "ideal"}, {"method": "bitcoin", "outcome": "paid"}, {"outcome": "x"}]
)
def test_demo_page_bad_choices_are_400_and_change_nothing(client, payment, data):
    response = client.post(demo_url(payment), data)
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN
    assert DemoTransaction.objects.get(pk=payment.provider_payment_id).status == "open"


def test_demo_page_for_an_unknown_payment_is_404(client, db):
    response = client.get(reverse("payments:demo_checkout", kwargs={"transaction_id": "demo_x"}))
    assert response.status_code == 404


def test_demo_page_never_redirects_off_site(client, payment):
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(
        redirect_url="https://evil.example.com/"
    )
    response = client.post(demo_url(payment), {"method": "ideal", "outcome": "canceled"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_operator_sees_payments_read_only_and_never_the_keys(client, shop, payment, owner):
    from kantoor.payments.services import configure_payment_provider
    from kantoor.shops.models import User
    from tests.conftest import PASSWORD

    configure_payment_provider(
        shop=shop,
        provider="mollie",
        credentials={"api_key": "live_" + "k" * 30},
        actor=Actor.staff(owner),
    )
    client.force_login(User.objects.create_superuser("op@example.test", PASSWORD))
    assert client.get("/django-admin/payments/payment/").status_code == 200
    detail = client.get(f"/django-admin/payments/payment/{payment.pk}/change/")
    assert detail.status_code == 200
    settings_page = client.get(
        f"/django-admin/payments/paymentsettings/{shop.payment_settings.pk}/change/"
    )
    assert settings_page.status_code == 200
    html = settings_page.content.decode()
    assert "live_" not in html and "gAAAA" not in html
