"""Settings > E-mails and an order's messages, through the real HTTP stack."""

import pytest
from django.urls import reverse

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.messaging.models import (
    Message,
    MessageKind,
    MessageState,
    MessageTemplate,
    StatusMessageSetting,
)
from kantoor.messaging.services import send_due_messages
from kantoor.orders.services import change_order_status


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


def template_url(shop, kind="order_confirmation", language="nl", suffix=""):
    name = "settings_email_template" + (f"_{suffix}" if suffix else "")
    return url(name, shop, kind=kind, language=language)


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


@pytest.fixture
def order_with_message(shop, products, make_order):
    order = make_order(shop, products)
    send_due_messages()
    return order, Message.objects.get(order=order)


def test_the_e_mails_page_lists_every_kind_in_both_languages(staff_client, shop):
    response = staff_client.get(url("settings_emails", shop))
    assert response.status_code == 200
    text = response.text
    assert "Order confirmation" in text and "Order status changed" in text
    assert text.count("Standard text") == 2 * len(MessageKind.values)  # every kind, nl and en
    assert template_url(shop, language="en") in text


def test_the_edit_page_shows_the_default_text_its_variables_and_a_preview(
    staff_client, shop, order_with_message
):
    order, _message = order_with_message
    response = staff_client.get(template_url(shop))
    assert response.status_code == 200
    assert "Je bestelling {{ order_number }} bij {{ shop_name }}" in response.text
    assert "order_number" in response.text and "delivery_address" in response.text
    # The preview uses the shop's latest order.
    assert f"Je bestelling {order.number} bij Fietsen Jansen" in response.text


def test_saving_a_template_makes_it_the_shops_own(staff_client, shop):
    response = staff_client.post(
        template_url(shop, language="en"),
        {"subject": "Thanks! {{ order_number }}", "body": "Hi {{ first_name }}"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("settings_emails", shop)
    template = MessageTemplate.objects.get(shop=shop)
    assert (template.kind, template.language, template.subject) == (
        "order_confirmation",
        "en",
        "Thanks! {{ order_number }}",
    )
    assert staff_client.get(url("settings_emails", shop)).text.count("Your text") == 1


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("Order {{ order_number }}", "Hi {% if first_name %}", "This template has an error"),
        ("Order {{ order_number", "Hi", "This template has an error"),
        ("", "Hi", "Enter a subject."),
        ("Order", "   ", "Enter the text of the e-mail."),
        ("Order", "{% include 'base.html' %}", "This template has an error"),
    ],
)
def test_a_broken_template_is_refused_with_the_error_and_nothing_is_saved(
    staff_client, shop, subject, body, message
):
    response = staff_client.post(template_url(shop), {"subject": subject, "body": body})
    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem; nothing was saved" in response.text
    assert not MessageTemplate.objects.exists()
    if body.strip():
        assert body in response.text or body.replace("'", "&#x27;") in response.text


def test_the_preview_renders_what_is_typed_without_saving(staff_client, shop, order_with_message):
    order, _message = order_with_message
    response = staff_client.post(
        template_url(shop, suffix="preview"),
        {"subject": "Nr {{ order_number }}", "body": "{{ lines|length }} regels"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f"Nr {order.number}" in response.text and "3 regels" in response.text
    assert not MessageTemplate.objects.exists()

    broken = staff_client.post(
        template_url(shop, suffix="preview"), {"subject": "x", "body": "{% for %}"}
    )
    assert broken.status_code == 200 and "This template has an error" in broken.text


def test_reset_goes_back_to_the_standard_text(staff_client, shop):
    staff_client.post(template_url(shop), {"subject": "Eigen", "body": "Eigen tekst"})
    assert MessageTemplate.objects.count() == 1
    response = staff_client.post(template_url(shop, suffix="reset"))
    assert response.status_code == 302
    assert not MessageTemplate.objects.exists()


def test_unknown_kinds_and_languages_are_404(staff_client, shop):
    assert staff_client.get(template_url(shop, kind="nonsense")).status_code == 404
    assert staff_client.get(template_url(shop, language="fr")).status_code == 404


def test_choosing_the_statuses_that_send_an_e_mail(staff_client, shop):
    response = staff_client.post(
        url("settings_emails_statuses", shop),
        {"statuses": [str(OrderStatus.SHIPPED), str(OrderStatus.READY_FOR_PICKUP)]},
    )
    assert response.status_code == 302
    assert set(StatusMessageSetting.objects.values_list("status", flat=True)) == {
        OrderStatus.SHIPPED,
        OrderStatus.READY_FOR_PICKUP,
    }
    page = staff_client.get(url("settings_emails", shop)).text
    assert (
        f'value="{OrderStatus.SHIPPED.value}" checked'
        in page.replace(
            f'value="{OrderStatus.SHIPPED.value}"\n', f'value="{OrderStatus.SHIPPED.value}" '
        )
        or "checked" in page
    )

    staff_client.post(url("settings_emails_statuses", shop), {})
    assert not StatusMessageSetting.objects.exists()


def test_an_unknown_status_is_refused_and_nothing_changes(staff_client, shop):
    staff_client.post(url("settings_emails_statuses", shop), {"statuses": ["5"]})
    response = staff_client.post(url("settings_emails_statuses", shop), {"statuses": ["99"]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert list(StatusMessageSetting.objects.values_list("status", flat=True)) == [5]


def test_the_orders_messages_tab_lists_its_messages(staff_client, shop, order_with_message):
    order, message = order_with_message
    response = staff_client.get(url("order", shop, number=order.number) + "?tab=messages")
    assert response.status_code == 200
    assert f'data-message="{message.pk}"' in response.text
    assert message.subject in response.text
    assert url("order_message", shop, number=order.number, message_id=message.pk) in response.text
    history = staff_client.get(url("order", shop, number=order.number) + "?tab=history").text
    assert "Order confirmation sent to jan@example.test" in history


def test_a_message_can_be_read_and_sent_again(staff_client, shop, order_with_message):
    order, message = order_with_message
    page = staff_client.get(url("order_message", shop, number=order.number, message_id=message.pk))
    assert page.status_code == 200
    assert "Bedankt voor je bestelling" in page.text and "jan@example.test" in page.text

    response = staff_client.post(
        url("order_message_resend", shop, number=order.number, message_id=message.pk)
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?tab=messages")
    copy = Message.objects.exclude(pk=message.pk).get()
    assert copy.resent_from_id == message.pk and copy.subject == message.subject
    assert copy.state == MessageState.QUEUED  # sent after commit (a test transaction never commits)


def test_resend_is_a_post(staff_client, shop, order_with_message):
    order, message = order_with_message
    response = staff_client.get(
        url("order_message_resend", shop, number=order.number, message_id=message.pk)
    )
    assert response.status_code == 405
    assert Message.objects.count() == 1


def test_a_message_of_another_order_is_404(staff_client, shop, products, make_order):
    first = make_order(shop, products)
    second = make_order(shop, products, email="piet@example.test")
    message = Message.objects.get(order=second)
    response = staff_client.get(
        url("order_message", shop, number=first.number, message_id=message.pk)
    )
    assert response.status_code == 404


def test_staff_of_another_shop_gets_404_everywhere_and_changes_nothing(
    client, shop, other_shop, make_staff, order_with_message
):
    order, message = order_with_message
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    chosen = set(StatusMessageSetting.objects.values_list("shop_id", "status"))
    gets = [
        url("settings_emails", shop),
        template_url(shop),
        url("order_message", shop, number=order.number, message_id=message.pk),
    ]
    posts = [
        (url("settings_emails_statuses", shop), {"statuses": ["5"]}),
        (template_url(shop), {"subject": "Gekaapt", "body": "Gekaapt"}),
        (template_url(shop, suffix="preview"), {"subject": "x", "body": "y"}),
        (template_url(shop, suffix="reset"), {}),
        (url("order_message_resend", shop, number=order.number, message_id=message.pk), {}),
    ]
    for target in gets:
        assert client.get(target).status_code == 404, target
    for target, data in posts:
        assert client.post(target, data).status_code == 404, target
    # Their own shop's order number does not open shop A's message either.
    assert (
        client.get(
            url("order_message", other_shop, number=order.number, message_id=message.pk)
        ).status_code
        == 404
    )
    assert not MessageTemplate.objects.exists()
    assert set(StatusMessageSetting.objects.values_list("shop_id", "status")) == chosen
    assert Message.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    response = client.get(url("settings_emails", shop))
    assert response.status_code == 302 and "/backoffice/login/" in response["Location"]


def test_the_settings_page_links_to_the_e_mails(staff_client, shop):
    response = staff_client.get(url("settings", shop))
    assert response.status_code == 200
    assert url("settings_emails", shop) in response.text


def test_a_new_shop_sends_the_shipped_email_by_default(make_shop, make_product, make_order):
    shop = make_shop(slug="nieuw", name="Nieuwe Winkel")
    chosen = StatusMessageSetting.objects.filter(shop=shop).values_list("status", flat=True)
    assert list(chosen) == [OrderStatus.SHIPPED]
    order = make_order(shop, [make_product(shop)])
    change_order_status(shop=shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.system())
    assert Message.objects.filter(order=order, kind=MessageKind.STATUS_CHANGED).count() == 1
