"""The Returns list's bulk status change: the service (change_return_statuses) and the page through
the HTTP stack (who may, CSRF, what a wrong value answers, the module switch)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnRequest, ReturnStatus
from kantoor.returns.services import (
    MAX_BULK_RETURNS,
    RequestedLine,
    ReturnError,
    approve_return,
    change_return_statuses,
    reject_return,
    request_return,
)
from kantoor.returns.services.handling import change_return_status
from kantoor.shops.services import StatusLook, update_status_appearances, update_workflow_settings
from tests.test_hostile_input import HOSTILE

S = ReturnStatus


def ask(shop, order, reason, action, **quantities):
    """A return of ``order`` by the customer: ``BEL_01=1`` asks for one bell."""
    wanted = {sku.replace("_", "-"): q for sku, q in quantities.items()}
    return request_return(
        shop=shop,
        order=order,
        lines=[
            RequestedLine(line.pk, wanted.get(line.sku, 0), reason.pk, action.pk)
            for line in order.lines.all()
        ],
        source="account",
        actor=Actor.customer(order.email),
    )


def delivered(shop, order, staff):
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        change_order_status(shop=shop, order=order, status=status, actor=staff)
    order.refresh_from_db()
    return order


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def returns(shop, delivered_order, reasons, actions, staff):
    """Two approved returns (processing), a new one and a cancelled (closed) one."""
    reason, action = reasons[0], actions[0]
    first = ask(shop, delivered_order, reason, action, BEL_01=1)
    second = ask(shop, delivered_order, reason, action, BEL_01=1)
    for found in (first, second):
        approve_return(shop=shop, return_id=found.pk, actor=staff, notify_customer=False)
    closed = ask(shop, delivered_order, reason, action, BOEK_01=1)
    reject_return(
        shop=shop, return_id=closed.pk, actor=staff, note="Te laat", notify_customer=False
    )
    new = ask(shop, delivered_order, reason, action, BOEK_01=1)  # the rejected one held nothing
    return {"processing": [first, second], "new": new, "closed": closed}


@pytest.fixture
def theirs(other_shop, make_product, make_order, make_staff):
    """An approved return of another shop."""
    product = make_product(other_shop, sku="BEL-01", name="Fietsbel")
    order = delivered(
        other_shop, make_order(other_shop, [product]), Actor.staff(make_staff(other_shop))
    )
    reason = ReturnReason.objects.create(shop=other_shop, label_nl="Kapot", label_en="Damaged")
    action = ReturnAction.objects.create(shop=other_shop, label_nl="Ruilen", label_en="Exchange")
    found = ask(other_shop, order, reason, action, BEL_01=1)
    approve_return(shop=other_shop, return_id=found.pk, actor=Actor.system(), notify_customer=False)
    return found


def status_of(found) -> str:
    found.refresh_from_db()
    return found.status


def moves(found) -> list[tuple[str, str]]:
    return [
        (event.data["before"], event.data["after"])
        for event in OrderEvent.objects.filter(
            order_id=found.order_id, kind=OrderEventKind.RETURN_STATUS_CHANGED
        ).order_by("created_at", "pk")
        if event.data.get("number") == found.number
    ]


# --- The service ---------------------------------------------------------------------------------


def test_several_returns_move_and_each_refusal_says_why(shop, returns, staff):
    processing, new, closed = returns["processing"], returns["new"], returns["closed"]
    ids = [found.pk for found in (*processing, new, closed)]

    outcome = change_return_statuses(shop=shop, return_ids=ids, status=S.CUSTOM_1, actor=staff)

    assert outcome.changed == [found.number for found in processing]
    assert outcome.unchanged == []
    refused = dict(outcome.refused)
    assert set(refused) == {new.number, closed.number}
    for number in refused:
        assert refused[number] == (
            f"Return {number} cannot change status now: approve it first, or it is closed."
        )
    assert [status_of(found) for found in processing] == [S.CUSTOM_1, S.CUSTOM_1]
    assert (status_of(new), status_of(closed)) == (S.NEW, S.CANCELLED)
    for found in processing:  # one event each on the order's timeline
        assert moves(found)[-1] == (S.PROCESSING, S.CUSTOM_1)
    assert moves(new) == []


def test_a_return_already_in_the_status_is_reported_and_not_moved_again(shop, returns, staff):
    first, second = returns["processing"]
    change_return_status(shop=shop, return_id=first.pk, status=S.CUSTOM_2, actor=staff)
    events_before = len(moves(first))

    outcome = change_return_statuses(
        shop=shop, return_ids=[first.pk, second.pk, first.pk], status=S.CUSTOM_2, actor=staff
    )

    assert (outcome.changed, outcome.unchanged, outcome.refused) == (
        [second.number],
        [first.number],
        [],
    )
    assert len(moves(first)) == events_before


def test_another_shops_return_is_never_touched(shop, other_shop, returns, theirs, staff):
    mine = returns["processing"][0]

    outcome = change_return_statuses(
        shop=shop, return_ids=[theirs.pk, mine.pk, 987654321], status=S.CUSTOM_3, actor=staff
    )

    assert outcome.changed == [mine.number] and not outcome.refused and not outcome.unchanged
    assert status_of(theirs) == S.PROCESSING
    assert moves(theirs) == [(S.NEW, S.PROCESSING)]
    # Through its own shop the same id changes, so the id itself was fine.
    own = change_return_statuses(
        shop=other_shop, return_ids=[theirs.pk], status=S.CUSTOM_3, actor=Actor.system()
    )
    assert own.changed == [theirs.number]


@pytest.mark.parametrize(
    ("status", "ids", "code"),
    [
        (S.COMPLETED, [1], "invalid_status"),  # closing has a step of its own (a note, a refund)
        (S.NEW, [1], "invalid_status"),
        ("bogus", [1], "invalid_status"),
        (S.CUSTOM_1, [], "nothing_selected"),
        (S.CUSTOM_1, list(range(1, MAX_BULK_RETURNS + 2)), "too_many"),
    ],
)
def test_a_wrong_request_is_refused_before_anything_changes(
    shop, returns, staff, status, ids, code
):
    with pytest.raises(ReturnError) as refused:
        change_return_statuses(shop=shop, return_ids=ids, status=status, actor=staff)
    assert refused.value.code == code
    assert sorted(ReturnRequest.objects.values_list("status", flat=True)) == sorted(
        [S.PROCESSING, S.PROCESSING, S.NEW, S.CANCELLED]
    )


def test_the_cap_counts_distinct_returns(shop, returns, staff):
    first = returns["processing"][0]
    outcome = change_return_statuses(
        shop=shop, return_ids=[first.pk] * (MAX_BULK_RETURNS + 5), status=S.CUSTOM_1, actor=staff
    )
    assert outcome.changed == [first.number]


# --- Through the HTTP stack -----------------------------------------------------------------------


def bo(shop, name):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug})


@pytest.fixture
def staff_client(shop, make_staff):
    client = Client()
    client.force_login(make_staff(shop))
    return client


def test_the_list_has_a_check_box_per_return_and_the_shops_names_for_the_statuses(
    shop, owner, returns, staff_client
):
    update_status_appearances(
        shop=shop,
        user=owner,
        looks={
            ("return", "custom_1"): StatusLook("#ede9fe", "#4c1d95", label_en="At the repairer")
        },
    )
    page = staff_client.get(bo(shop, "returns")).text
    assert f'action="{bo(shop, "returns_bulk_status")}"' in page
    boxes = re.findall(
        r'<input class="form-check-input" type="checkbox" name="return" value="(\d+)"', page
    )
    assert sorted(map(int, boxes)) == sorted(r.pk for r in ReturnRequest.objects.filter(shop=shop))
    options = re.findall(
        r'<option value="(\w+)">([^<]+)</option>', page.split('id="bulk-status"')[1]
    )
    assert options[:4] == [
        ("processing", "Processing"),
        ("custom_1", "At the repairer"),
        ("custom_2", "Custom status 2"),
        ("custom_3", "Custom status 3"),
    ]
    assert "order-list.js" in page  # the bulk bar's script


def test_staff_move_the_ticked_returns_and_get_back_to_the_filtered_list(
    shop, owner, returns, staff_client
):
    update_status_appearances(
        shop=shop,
        user=owner,
        looks={
            ("return", "custom_1"): StatusLook("#ede9fe", "#4c1d95", label_en="At the repairer")
        },
    )
    processing, new = returns["processing"], returns["new"]
    response = staff_client.post(
        bo(shop, "returns_bulk_status"),
        {
            "return": [str(found.pk) for found in (*processing, new)],
            "status": "custom_1",
            "back": "stage=receive&q=jan&evil=1&next=https://evil.test/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == bo(shop, "returns") + "?q=jan&stage=receive"
    assert [status_of(found) for found in processing] == [S.CUSTOM_1, S.CUSTOM_1]
    assert status_of(new) == S.NEW
    page = staff_client.get(response["Location"]).text
    assert "2 returns moved to At the repairer." in page
    assert f"{new.number} was not changed: Return {new.number} cannot change status now" in page


def test_a_csrf_valid_post_works_and_one_without_the_token_is_refused(shop, make_staff, returns):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff(shop))
    found = returns["processing"][0]
    data = {"return": [str(found.pk)], "status": "custom_2"}

    assert client.post(bo(shop, "returns_bulk_status"), data).status_code == 403
    assert status_of(found) == S.PROCESSING

    page = client.get(bo(shop, "returns")).text
    form = page.split('id="bulk-form"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    response = client.post(bo(shop, "returns_bulk_status"), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert status_of(found) == S.CUSTOM_2


def test_another_shops_staff_change_nothing(shop, other_shop, make_staff, returns):
    stranger = Client()
    stranger.force_login(make_staff(other_shop, email="other@example.test"))
    ids = [str(found.pk) for found in returns["processing"]]
    data = {"return": ids, "status": "custom_1"}

    assert stranger.post(bo(shop, "returns_bulk_status"), data).status_code == 404
    own = stranger.post(bo(other_shop, "returns_bulk_status"), data, follow=True)
    assert own.status_code == 200
    assert "None of the selected returns were found in this shop." in own.text
    assert [status_of(found) for found in returns["processing"]] == [S.PROCESSING] * 2
    assert not any(moves(found)[-1][1] == S.CUSTOM_1 for found in returns["processing"])


def test_anonymous_visitors_log_in_and_get_is_not_allowed(client, shop, staff_client, returns):
    response = client.post(bo(shop, "returns_bulk_status"), {"status": "custom_1"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert staff_client.get(bo(shop, "returns_bulk_status")).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "bogus"}, "Choose one of the statuses in the list."),
        ({"status": "completed"}, "Choose one of the statuses in the list."),
        ({}, "Choose one of the statuses in the list."),
        ({"status": "custom_1", "return": []}, "Select at least one return."),
        ({"status": "custom_1", "return": ["abc"]}, "The selection contains an unknown return."),
        (
            {"status": "custom_1", "return": [str(n) for n in range(1, MAX_BULK_RETURNS + 2)]},
            f"Select at most {MAX_BULK_RETURNS} returns at a time.",
        ),
    ],
)
def test_a_wrong_value_gets_a_clear_message_not_a_server_error(
    shop, returns, staff_client, data, message
):
    found = returns["processing"][0]
    data = {"return": [str(found.pk)], **data}
    response = staff_client.post(bo(shop, "returns_bulk_status"), data, follow=True)
    assert response.status_code == 200
    assert message in response.text
    assert status_of(found) == S.PROCESSING


def test_hostile_values_answer_no_server_error(shop, owner, returns, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    for bad in HOSTILE:
        for data in ({"return": [bad], "status": "custom_1"}, {"return": ["1"], "status": bad}):
            response = client.post(bo(shop, "returns_bulk_status"), {**data, "back": bad})
            assert response.status_code in (302, 400), (bad, response.status_code)
    assert status_of(returns["processing"][0]) == S.PROCESSING


def test_the_module_switched_off_is_a_404(shop, owner, returns, staff_client):
    update_workflow_settings(
        shop=shop, user=owner, section="modules", values={"returns_enabled": False}
    )
    found = returns["processing"][0]
    response = staff_client.post(
        bo(shop, "returns_bulk_status"), {"return": [str(found.pk)], "status": "custom_1"}
    )
    assert response.status_code == 404
    assert status_of(found) == S.PROCESSING
