"""Requesting a return: what may be returned, by whom, until when (returns/services)."""

import datetime
import random
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import send_due_messages
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnRequest, ReturnSource, ReturnStatus
from kantoor.returns.selectors import returnable_lines
from kantoor.returns.services import (
    ReceivedLine,
    RequestedLine,
    ReturnError,
    approve_return,
    complete_return,
    find_guest_order,
    receive_return,
    reject_return,
    request_return,
)
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings

CUSTOMER = Actor.customer("jan@example.test")


def lines_of(order, reasons, actions, **quantities):
    """RequestedLines for the order's lines by SKU: ``BEL_01=2``."""
    wanted = {sku.replace("_", "-"): q for sku, q in quantities.items()}
    return [
        RequestedLine(line.pk, wanted.get(line.sku, 0), reasons[0].pk, actions[0].pk)
        for line in order.lines.all()
    ]


def ask(shop, order, lines, source=ReturnSource.ACCOUNT, **kw):
    return request_return(shop=shop, order=order, lines=lines, source=source, actor=CUSTOMER, **kw)


def test_a_return_is_numbered_recorded_on_the_timeline_and_confirmed_by_e_mail(
    shop, delivered_order, reasons, actions
):
    request = ask(
        shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1), comment="Krak"
    )
    assert request.number.startswith(f"RET{timezone.localdate().year}-")
    assert request.status == ReturnStatus.NEW and request.email == delivered_order.email
    assert [(line.order_line.sku, line.quantity) for line in request.lines.all()] == [("BEL-01", 1)]
    event = OrderEvent.objects.get(order=delivered_order, kind=OrderEventKind.RETURN_REQUESTED)
    assert event.data["number"] == request.number and event.data["note"] == "Krak"
    message = Message.objects.get(kind=MessageKind.RETURN_REQUESTED)
    assert message.data["return_id"] == request.pk
    send_due_messages()
    sent = [m for m in mail.outbox if request.number in m.subject]
    assert sent and "1 × Fietsbel (Kapot)" in sent[0].body
    assert "/returns/" in sent[0].body  # the signed page to follow the return


def test_never_more_than_delivered_minus_what_returns_hold(shop, delivered_order, reasons, actions):
    ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    left = {r.line.sku: r.returnable for r in returnable_lines(order=delivered_order)}
    assert left == {"BEL-01": 1, "BOEK-01": 1}
    with pytest.raises(ReturnError, match="at most 1 of Fietsbel") as refused:
        ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=2))
    assert refused.value.field.endswith("-quantity")
    assert ReturnRequest.objects.count() == 1


def test_a_cancelled_return_gives_its_quantity_back_and_a_closed_one_holds_what_arrived(
    shop, delivered_order, reasons, actions, owner
):
    staff = Actor.staff(owner)
    first = ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=2))
    reject_return(shop=shop, return_id=first.pk, actor=staff, note="Niet nodig")
    second = ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=2))
    approve_return(shop=shop, return_id=second.pk, actor=staff)
    line = second.lines.get()
    receive_return(
        shop=shop, return_id=second.pk, actor=staff, lines=[ReceivedLine(line.pk, 1, True)]
    )
    complete_return(shop=shop, return_id=second.pk, actor=staff, note="Eén kwam aan")
    left = {r.line.sku: r.returnable for r in returnable_lines(order=delivered_order)}
    assert left["BEL-01"] == 1  # 2 delivered, 1 arrived with a closed return


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"returns_enabled": False}, "returns_off"),
        ({"returns_self_service": False}, "self_service_off"),
    ],
)
def test_switched_off_returns_are_refused_to_customers(
    shop, delivered_order, reasons, actions, owner, change, code
):
    update_workflow_settings(shop=shop, user=owner, section="returns", values=change)
    shop = Shop.objects.get(pk=shop.pk)  # the settings as saved
    with pytest.raises(ReturnError) as refused:
        ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    assert refused.value.code == code
    assert (
        not ReturnRequest.objects.exists()
        and not Message.objects.filter(kind=MessageKind.RETURN_REQUESTED).exists()
    )


def test_guests_need_guest_returns_on(shop, delivered_order, reasons, actions, owner):
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"returns_for_guests": False}
    )
    shop = Shop.objects.get(pk=shop.pk)  # the settings as saved
    with pytest.raises(ReturnError) as refused:
        ask(
            shop,
            delivered_order,
            lines_of(delivered_order, reasons, actions, BEL_01=1),
            source=ReturnSource.GUEST,
        )
    assert refused.value.code == "guests_off"


def test_an_order_not_shipped_or_cancelled_cannot_be_returned(
    shop, products, make_order, reasons, actions, owner
):
    order = make_order(shop, products[:1])
    with pytest.raises(ReturnError, match="once it has been shipped"):
        ask(shop, order, lines_of(order, reasons, actions, BEL_01=1))
    change_order_status(
        shop=shop, order=order, status=OrderStatus.CANCELLED, actor=Actor.staff(owner)
    )
    order.refresh_from_db()
    with pytest.raises(ReturnError, match="cancelled"):
        ask(shop, order, lines_of(order, reasons, actions, BEL_01=1))


def test_the_period_counts_from_delivery_and_staff_may_accept_a_late_return(
    shop, delivered_order, reasons, actions, owner
):
    days = 14
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"return_period_days": days}
    )
    shop = Shop.objects.get(pk=shop.pk)  # the settings as saved
    delivered = OrderEvent.objects.filter(
        order=delivered_order, kind=OrderEventKind.STATUS_CHANGED, data__after=OrderStatus.DELIVERED
    )
    delivered.update(created_at=timezone.now() - datetime.timedelta(days=days + 1))
    with pytest.raises(ReturnError, match="return period of order .* ended on") as refused:
        ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    assert refused.value.code == "period_over"
    staff = request_return(
        shop=shop,
        order=delivered_order,
        lines=lines_of(delivered_order, reasons, actions, BEL_01=1),
        source=ReturnSource.STAFF,
        actor=Actor.staff(owner),
    )
    assert staff.source == ReturnSource.STAFF


def test_bad_lines_are_refused_with_the_field_and_nothing_is_written(
    shop, other_shop, delivered_order, reasons, actions, make_product, make_order
):
    line = delivered_order.lines.first()
    foreign_reason = reasons[0].__class__.objects.create(
        shop=other_shop, label_nl="X", label_en="X"
    )
    stranger = make_order(other_shop, [make_product(other_shop)])
    cases = [
        ([], "at least one product"),
        ([RequestedLine(line.pk, 0, reasons[0].pk, actions[0].pk)], "at least one product"),
        ([RequestedLine(line.pk, 1, foreign_reason.pk, actions[0].pk)], "Choose a reason"),
        ([RequestedLine(line.pk, 1, reasons[0].pk, None)], "Choose what you would like"),
        (
            [RequestedLine(stranger.lines.first().pk, 1, reasons[0].pk, actions[0].pk)],
            "Choose lines",
        ),
        ([RequestedLine(line.pk, -1, reasons[0].pk, actions[0].pk)], "at most"),
    ]
    for lines, message in cases:
        with pytest.raises(ReturnError, match=message):
            ask(shop, delivered_order, lines)
    with pytest.raises(ReturnError, match="at most 2000"):
        ask(
            shop,
            delivered_order,
            lines_of(delivered_order, reasons, actions, BEL_01=1),
            comment="x" * 2001,
        )
    assert not ReturnRequest.objects.exists()


def test_a_guest_finds_the_order_only_with_number_e_mail_and_postcode(shop, delivered_order):
    number, email = delivered_order.number, delivered_order.email
    postcode = delivered_order.billing_postcode
    assert (
        find_guest_order(shop=shop, number=number, email=email, postcode=postcode)
        == delivered_order
    )
    sloppy = postcode.replace(" ", "").lower()
    assert find_guest_order(shop=shop, number=number.lower(), email=email.upper(), postcode=sloppy)
    assert (
        find_guest_order(shop=shop, number=number, email="x@example.test", postcode=postcode)
        is None
    )
    assert find_guest_order(shop=shop, number=number, email=email, postcode="9999 ZZ") is None
    assert find_guest_order(shop=shop, number=number, email=email, postcode="") is None


def test_random_sequences_never_return_more_than_delivered(
    shop, delivered_order, reasons, actions, owner
):
    """Property: whatever customers ask, staff reject, receive and close, no order line is ever
    held by returns beyond what was delivered."""
    staff = Actor.staff(owner)
    rng = random.Random(11)
    lines = list(delivered_order.lines.all())
    for _step in range(40):
        move = rng.choice(["ask", "ask", "reject", "receive"])
        open_returns = list(
            ReturnRequest.objects.filter(order=delivered_order).exclude(
                status__in=[ReturnStatus.CANCELLED, ReturnStatus.COMPLETED]
            )
        )
        try:
            if move == "ask":
                line = rng.choice(lines)
                ask(
                    shop,
                    delivered_order,
                    [RequestedLine(line.pk, rng.randint(1, 3), reasons[0].pk, actions[0].pk)],
                )
            elif move == "reject" and open_returns:
                reject_return(
                    shop=shop, return_id=rng.choice(open_returns).pk, actor=staff, note="Nee"
                )
            elif move == "receive" and open_returns:
                chosen = rng.choice(open_returns)
                if chosen.status == ReturnStatus.NEW:
                    approve_return(shop=shop, return_id=chosen.pk, actor=staff)
                for line in chosen.lines.all():
                    receive_return(
                        shop=shop,
                        return_id=chosen.pk,
                        actor=staff,
                        lines=[
                            ReceivedLine(line.pk, rng.randint(0, line.quantity), rng.random() < 0.5)
                        ],
                    )
        except ReturnError:
            pass
        for returnable in returnable_lines(order=delivered_order):
            assert 0 <= returnable.returnable <= returnable.line.quantity


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_for_the_last_unit_cannot_both_pass(
    shop, delivered_order, reasons, actions
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent row locks are a PostgreSQL test; SQLite serialises writers")
    book = delivered_order.lines.get(sku="BOEK-01")
    outcomes = []
    barrier = threading.Barrier(4)

    def attempt():
        try:
            barrier.wait()
            ask(shop, delivered_order, [RequestedLine(book.pk, 1, reasons[0].pk, actions[0].pk)])
            outcomes.append("ok")
        except ReturnError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert ReturnRequest.objects.filter(order=delivered_order).count() == 1
