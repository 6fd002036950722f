"""Settings > Payments (provider and Mollie key) and Workflow > Payments (where a paid order
goes), through the HTTP stack: scoping, saving, keys never shown back, bad input, change log."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.crypto import decrypt_credentials
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice
from kantoor.orders.services import change_order_status
from kantoor.payments.models import PaymentSettings
from kantoor.payments.services import record_bank_transfer
from kantoor.shops.models import SettingsChange, WorkflowSettings

KEY = "live_" + "Ab3" * 10  # 30 letters and digits
OTHER_KEY = "test_" + "z9" * 15


def payments_url(shop):
    return reverse("backoffice:settings_payments", kwargs={"shop_slug": shop.slug})


def workflow_url(shop):
    return (
        reverse("backoffice:settings_workflow", kwargs={"shop_slug": shop.slug}) + "?tab=payments"
    )


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def test_another_shops_staff_gets_404(client, shop, other_shop, make_staff):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    assert client.get(payments_url(shop)).status_code == 404
    assert client.post(payments_url(shop), {"provider": "demo"}).status_code == 404
    assert client.post(workflow_url(shop), {"status_when_paid": "2"}).status_code == 404
    assert not PaymentSettings.objects.exists()


def test_the_page_says_the_demo_provider_is_test_mode(staff_client, shop):
    response = staff_client.get(payments_url(shop))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test mode" in html and "No real money moves" in html
    assert 'value="demo" class="form-check-input"' in html and "checked" in html
    assert 'type="password"' in html
    # The landing page lists the section.
    landing = staff_client.get(reverse("backoffice:settings", kwargs={"shop_slug": shop.slug}))
    assert payments_url(shop) in landing.content.decode()


def test_choose_mollie_with_a_key_that_is_never_shown_back(staff_client, shop):
    response = staff_client.post(
        payments_url(shop), {"provider": "mollie", "mollie_api_key": KEY}, follow=True
    )
    assert response.redirect_chain[-1][1] == 302
    assert "Payment settings saved." in response.content.decode()
    saved = PaymentSettings.objects.get(shop=shop)
    assert saved.provider == "mollie"
    assert KEY not in saved.credentials_encrypted
    assert decrypt_credentials(saved.credentials_encrypted)["mollie"]["api_key"] == KEY
    html = staff_client.get(payments_url(shop)).content.decode()
    assert KEY not in html
    assert f"A key ending in …{KEY[-4:]} is saved" in html
    # The change log has the provider and the masked key, never the key itself.
    changes = {c.field: c for c in SettingsChange.objects.filter(shop=shop)}
    assert changes["provider"].before == "demo" and changes["provider"].after == "mollie"
    assert KEY not in str(changes["mollie_api_key"].after)
    assert changes["mollie_api_key"].after.endswith(KEY[-4:])
    assert "Mollie API key" in html and "Payment provider" in html


def test_an_empty_key_keeps_the_saved_one_and_a_new_key_replaces_it(staff_client, shop):
    staff_client.post(payments_url(shop), {"provider": "mollie", "mollie_api_key": KEY})
    staff_client.post(payments_url(shop), {"provider": "mollie", "mollie_api_key": ""})
    saved = PaymentSettings.objects.get(shop=shop)
    assert decrypt_credentials(saved.credentials_encrypted)["mollie"]["api_key"] == KEY
    staff_client.post(payments_url(shop), {"provider": "mollie", "mollie_api_key": OTHER_KEY})
    saved.refresh_from_db()
    assert decrypt_credentials(saved.credentials_encrypted)["mollie"]["api_key"] == OTHER_KEY
    # Back to the demo provider: the Mollie key stays saved for later.
    staff_client.post(payments_url(shop), {"provider": "demo"})
    saved.refresh_from_db()
    assert saved.provider == "demo"
    assert decrypt_credentials(saved.credentials_encrypted)["mollie"]["api_key"] == OTHER_KEY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the demo provider or Mollie."),
        ({"provider": "paypal"}, "Choose the demo provider or Mollie."),
        ({"provider": "manual"}, "Choose the demo provider or Mollie."),
        ({"provider": "mollie"}, "Enter the Mollie API key."),
        ({"provider": "mollie", "mollie_api_key": "sk_live_123"}, "starts with test_ or live_"),
        ({"provider": "mollie", "mollie_api_key": "x" * 101}, "at most 100 characters"),
        ({"provider": "demo", "mollie_api_key": KEY}, "A Mollie key is saved with Mollie chosen"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(staff_client, shop, data, message):
    response = staff_client.post(payments_url(shop), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "nothing was saved" in html
    assert data.get("mollie_api_key", "<none>") not in html  # a typed key is not echoed either
    assert not PaymentSettings.objects.exists()
    assert not SettingsChange.objects.filter(shop=shop).exists()


def test_workflow_tab_offers_every_status_but_awaiting_payment_and_cancelled(staff_client, shop):
    response = staff_client.get(workflow_url(shop))
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["status_when_paid"].choices)
    assert choices[""] == "Keep the status it has"
    assert OrderStatus.IN_PROCESS in choices and OrderStatus.SHIPPED in choices
    assert OrderStatus.AWAITING_PAYMENT not in choices
    assert OrderStatus.CANCELLED not in choices


def test_status_when_paid_is_saved_recorded_and_used(staff_client, shop, products, make_order):
    response = staff_client.post(
        workflow_url(shop), {"status_when_paid": str(OrderStatus.IN_PROCESS)}
    )
    assert response.status_code == 302
    assert WorkflowSettings.objects.get(shop=shop).status_when_paid == OrderStatus.IN_PROCESS
    html = staff_client.get(workflow_url(shop)).content.decode()
    assert "Payment workflow saved." in html
    assert "When an order awaiting payment is paid, move it to" in html
    assert "keep the status" in html and "In process" in html  # the change log, in words
    # An order awaiting payment that gets paid moves on.
    order = make_order(shop, products[:1])
    change_order_status(
        shop=shop, order=order, status=OrderStatus.AWAITING_PAYMENT, actor=Actor.system()
    )
    record_bank_transfer(
        shop=shop,
        invoice=Invoice.objects.get(order=order),
        paid_on=timezone.localdate(),
        actor=Actor.system(),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROCESS
    # Back to "keep the status".
    staff_client.post(workflow_url(shop), {"status_when_paid": ""})
    assert WorkflowSettings.objects.get(shop=shop).status_when_paid is None


@pytest.mark.parametrize(
    "value", [str(OrderStatus.AWAITING_PAYMENT), str(OrderStatus.CANCELLED), "99", "x"]
)
def test_a_status_not_offered_is_refused(staff_client, shop, value):
    response = staff_client.post(workflow_url(shop), {"status_when_paid": value})
    assert response.status_code == 400
    assert "Choose one of the statuses in the list." in response.content.decode()
    assert not WorkflowSettings.objects.filter(shop=shop, status_when_paid__isnull=False).exists()
    assert not SettingsChange.objects.filter(shop=shop, field="status_when_paid").exists()
