"""The outbox: a message exists exactly when the change that causes it does, and is sent once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kantoor.checkout.services import BulkOrderRequest, OrderItem, place_order, place_orders_in_bulk
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.messaging import services
from kantoor.messaging.models import Message, MessageKind, MessageState, MessageTemplate
from kantoor.messaging.services import (
    MAX_ATTEMPTS,
    choose_status_messages,
    resend_message,
    save_message_template,
    send_due_messages,
    send_message,
)
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.notifications import order_context
from kantoor.orders.services import OrderError, change_order_status
from tests.conftest import details_for

DOWN = "tests.messaging.backends.DownBackend"

EVENT_SENT = OrderEventKind.MESSAGE_SENT
EVENT_FAILED = OrderEventKind.MESSAGE_FAILED
EVENT_QUEUED = OrderEventKind.MESSAGE_QUEUED


def later(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_placing_an_order_queues_its_confirmation_and_sends_it_after_commit(
    shop, products, make_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = make_order(shop, products)
        message = Message.objects.get(order=order)
        # Written in the order's transaction, not sent yet.
        assert message.state == MessageState.QUEUED
        assert message.kind == MessageKind.ORDER_CONFIRMATION
        assert message.to == "jan@example.test"
        assert message.language == order.language == "nl"
        assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.attempts == 1
    assert message.sent_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["jan@example.test"]
    assert sent.subject == f"Je bestelling {order.number} bij Fietsen Jansen"
    assert "Fietsbel" in sent.body and "Bedankt voor je bestelling" in sent.body
    assert sent.alternatives and "Fietsbel" in sent.alternatives[0][0]
    assert message.subject == sent.subject and message.body_text == sent.body
    event = OrderEvent.objects.get(order=order, kind=EVENT_SENT)
    assert event.data["to"] == "jan@example.test" and event.data["message"] == message.pk


def test_an_english_customer_gets_the_english_text(
    shop, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(
            shop=shop,
            details=details_for(language="en"),
            items=[OrderItem(products[0].pk, 2)],
            shipping_method="delivery",
            actor=Actor.customer("jan@example.test"),
        )
    assert mail.outbox[0].subject == f"Your order {order.number} at Fietsen Jansen"
    assert "2 x Fietsbel" in mail.outbox[0].body


def test_a_refused_order_writes_no_message(shop, make_product):
    product = make_product(shop, stock=1)
    with pytest.raises(OrderError):
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(product.pk, 5)],
            shipping_method="delivery",
            actor=Actor.customer("jan@example.test"),
        )
    assert not Message.objects.exists()


def test_seeded_history_writes_no_messages(shop, products):
    place_orders_in_bulk(
        shop=shop,
        requests=[
            BulkOrderRequest(
                customer=None,
                details=details_for(),
                items=[OrderItem(products[0].pk, 1)],
                shipping_method="delivery",
                created_at=timezone.now() - datetime.timedelta(days=30),
                actor=Actor.system(),
            )
        ],
    )
    assert not Message.objects.exists()


def test_status_e_mail_only_for_the_statuses_the_shop_chose(
    shop, products, make_order, owner, django_capture_on_commit_callbacks
):
    choose_status_messages(shop=shop, statuses={OrderStatus.SHIPPED})
    order = make_order(shop, products)
    staff = Actor.staff(owner)

    change_order_status(shop=shop, order=order, status=OrderStatus.IN_PROCESS, actor=staff)
    assert not Message.objects.filter(kind=MessageKind.STATUS_CHANGED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        change_order_status(shop=shop, order=order, status=OrderStatus.SHIPPED, actor=staff)
    message = Message.objects.get(kind=MessageKind.STATUS_CHANGED)
    assert message.data == {"before": OrderStatus.IN_PROCESS, "after": OrderStatus.SHIPPED}
    assert message.state == MessageState.SENT
    assert mail.outbox[-1].subject == f"Je bestelling {order.number}: Verzonden"
    assert "gewijzigd in: Verzonden" in mail.outbox[-1].body


def test_a_mail_server_that_is_down_leaves_the_message_queued_with_a_backoff(
    shop, products, make_order, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(shop, products)  # the order is placed all the same

    message = Message.objects.get(order=order)
    assert message.state == MessageState.QUEUED and message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert message.subject  # rendered once; every retry sends the same text
    # Not due yet: the sweep leaves it alone.
    assert send_due_messages().total == 0


def test_after_the_last_attempt_the_message_fails_and_the_timeline_says_so(
    shop, products, make_order, settings
):
    settings.EMAIL_BACKEND = DOWN
    order = make_order(shop, products)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = send_due_messages(now=later(60 * 24 * attempt))
        assert result.total == 1
    message = Message.objects.get(order=order)
    assert message.state == MessageState.FAILED and message.attempts == MAX_ATTEMPTS
    assert OrderEvent.objects.filter(order=order, kind=EVENT_FAILED).count() == 1
    assert send_due_messages(now=later(60 * 24 * 30)).total == 0  # given up: staff resend


def test_the_sweep_sends_what_is_due_once(shop, products, make_order):
    orders = [make_order(shop, products, email=f"k{i}@example.test") for i in range(3)]
    result = send_due_messages()
    assert result.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [o.email for o in orders]
    assert send_due_messages().total == 0
    assert len(mail.outbox) == 3


def test_a_message_another_worker_is_sending_is_left_alone(shop, products, make_order):
    order = make_order(shop, products)
    message = Message.objects.get(order=order)
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert send_message(message_id=message.pk).total == 0
    assert send_due_messages().total == 0
    assert mail.outbox == []


def test_a_message_stuck_in_sending_after_a_crash_is_sent_again(
    shop, products, make_order, settings
):
    settings.MESSAGING_SENDING_TIMEOUT = 600
    order = make_order(shop, products)
    message = Message.objects.get(order=order)
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(minutes=11),
        attempts=1,
    )
    assert send_due_messages().sent == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.attempts == 2


def test_every_attempt_carries_the_same_message_id(shop, products, make_order, settings):
    settings.EMAIL_BACKEND = DOWN
    order = make_order(shop, products)
    send_due_messages()
    message = Message.objects.get(order=order)
    first = services.message_id_header(message)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_due_messages(now=later(2))
    assert mail.outbox[0].message()["Message-ID"] == first == services.message_id_header(message)


def test_resend_makes_a_new_message_with_the_same_text(shop, products, make_order, owner):
    order = make_order(shop, products)
    send_due_messages()
    original = Message.objects.get(order=order)

    copy = resend_message(shop=shop, message_id=original.pk, actor=Actor.staff(owner))

    assert copy.pk != original.pk and copy.resent_from_id == original.pk
    assert copy.state == MessageState.QUEUED and copy.subject == original.subject
    event = OrderEvent.objects.get(order=order, kind=EVENT_QUEUED)
    assert event.actor == owner
    send_due_messages()
    assert [m.subject for m in mail.outbox] == [original.subject, original.subject]
    original.refresh_from_db()
    assert original.state == MessageState.SENT  # the original is left as it was


def test_resend_of_another_shops_message_is_refused(shop, other_shop, products, make_order, owner):
    order = make_order(shop, products)
    message = Message.objects.get(order=order)
    with pytest.raises(services.MessagingError):
        resend_message(shop=other_shop, message_id=message.pk, actor=Actor.staff(owner))


def test_the_shops_own_template_is_used(shop, products, make_order, owner):
    save_message_template(
        shop=shop,
        kind=MessageKind.ORDER_CONFIRMATION,
        language="nl",
        subject="Dank je, {{ first_name }}! ({{ order_number }})",
        body="{% for line in lines %}{{ line.sku }}:{{ line.quantity }};{% endfor %} {{ total }}",
        user=owner,
    )
    order = make_order(shop, products)
    send_due_messages()
    assert mail.outbox[0].subject == f"Dank je, Jan! ({order.number})"
    assert mail.outbox[0].body.startswith("BEL-01:1;BOEK-01:1;BON-25:1; €\xa0")


@pytest.mark.parametrize(
    "body",
    [
        "Hallo {% if first_name %}",  # unclosed block
        "{{ first_name|no_such_filter }}",
        "{% load static %}{% static 'x' %}",  # no other libraries
        "{% include 'base.html' %}",  # no files from the server
        "{% debug %}",  # would print the server's modules
        "{% url 'backoffice:home' %}",
    ],
)
def test_a_template_with_an_error_is_refused_and_nothing_is_saved(shop, owner, body):
    with pytest.raises(ValidationError) as error:
        save_message_template(
            shop=shop,
            kind=MessageKind.ORDER_CONFIRMATION,
            language="nl",
            subject="Bestelling {{ order_number }}",
            body=body,
            user=owner,
        )
    assert "body" in error.value.message_dict
    assert not MessageTemplate.objects.exists()


def test_the_context_holds_plain_values_only(shop, products, make_order):
    order = make_order(shop, products)
    context = order_context(order=order, lines=list(order.lines.all()), shop=shop, language="nl")

    def plain(value):
        if isinstance(value, list):
            return all(isinstance(v, dict) and all(plain(x) for x in v.values()) for v in value)
        return isinstance(value, str | int)

    assert all(plain(value) for value in context.values()), context
