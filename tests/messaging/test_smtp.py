"""With a real SMTP server (aiosmtpd) that is down, orders are still placed; once it is up, the
sweep delivers every message exactly once."""

import datetime

import pytest
from django.utils import timezone

from kantoor.messaging.models import Message, MessageState
from kantoor.messaging.services import send_due_messages
from kantoor.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, real on_commit


def test_orders_are_placed_while_the_mail_server_is_down_and_sent_once_when_it_is_back(
    shop, products, make_order, smtp_sink, smtp_settings
):
    sink = smtp_sink(start=False)  # nothing listens on its port yet
    smtp_settings(sink)

    orders = [make_order(shop, products, email=f"klant{i}@example.test") for i in range(5)]

    assert Order.objects.count() == 5
    messages = Message.objects.order_by("pk")
    assert [m.state for m in messages] == [MessageState.QUEUED] * 5
    assert all(m.attempts == 1 and "refused" in m.last_error.lower() for m in messages)

    sink.start()
    # The first retry is due a minute later; the sweep runs (as beat would) after that.
    in_two_minutes = timezone.now() + datetime.timedelta(minutes=2)
    first = send_due_messages(now=in_two_minutes)
    again = send_due_messages(now=in_two_minutes + datetime.timedelta(hours=1))

    assert (first.sent, again.total) == (5, 0)
    assert sorted(sink.recipients()) == sorted(o.email for o in orders)
    assert len(set(sink.message_ids())) == 5
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}


def test_the_confirmation_reaches_a_running_mail_server_right_after_the_order(
    shop, products, make_order, smtp_sink, smtp_settings
):
    sink = smtp_sink()
    smtp_settings(sink)

    order = make_order(shop, products)

    assert sink.recipients() == [order.email]
    body = sink.received[0].original_content.decode()
    assert order.number in body and "multipart/alternative" in body
    assert Message.objects.get(order=order).state == MessageState.SENT
