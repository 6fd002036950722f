"""The Returns list's bulk status change in a real browser: ticking shows the bar (the order list's
script), select all, apply, and the outcome as messages."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnRequest, ReturnStatus
from kantoor.returns.services import RequestedLine, approve_return, request_return
from tests.browser.test_backoffice import log_in


@pytest.fixture
def shop_with_returns(transactional_db, shop, products, make_order, owner):
    reason = ReturnReason.objects.create(shop=shop, label_nl="Kapot", label_en="Damaged")
    action = ReturnAction.objects.create(shop=shop, label_nl="Ruilen", label_en="Exchange")
    order = make_order(shop, products[:1], quantities=[3])
    staff = Actor.staff(owner)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        change_order_status(shop=shop, order=order, status=status, actor=staff)
    line = order.lines.get()
    made = [
        request_return(
            shop=shop,
            order=order,
            lines=[RequestedLine(line.pk, 1, reason.pk, action.pk)],
            source="account",
            actor=Actor.customer(order.email),
        )
        for _ in range(3)
    ]
    for found in made[:2]:
        approve_return(shop=shop, return_id=found.pk, actor=staff, notify_customer=False)
    return shop, made


def test_owner_moves_ticked_returns_to_a_status_of_the_shop(page, screenshot, shop_with_returns):
    shop, (first, second, new) = shop_with_returns
    log_in(page, f"owner@{shop.slug}.test")
    page.goto(f"/backoffice/{shop.slug}/returns/")
    expect(page.locator("#return-list tbody tr")).to_have_count(3)
    bar = page.locator("[data-bulk-bar]")
    expect(bar).to_be_hidden()

    page.get_by_label(f"Select return {first.number}").check()
    expect(bar).to_be_visible()
    expect(page.locator("[data-bulk-count]")).to_have_text("1 return selected")
    page.get_by_label("Select all returns on this page").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("3 returns selected")
    page.get_by_role("button", name="Clear selection").click()
    expect(bar).to_be_hidden()

    for found in (first, second, new):
        page.get_by_label(f"Select return {found.number}").check()
    page.locator("#bulk-status").select_option(label="Custom status 1")
    screenshot("return-list-bulk-1280")
    page.get_by_role("button", name="Change status").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/returns/$"))
    expect(page.get_by_text("2 returns moved to Custom status 1.")).to_be_visible()
    expect(page.get_by_text(f"{new.number} was not changed")).to_be_visible()
    statuses = dict(ReturnRequest.objects.values_list("number", "status"))
    assert statuses == {
        first.number: ReturnStatus.CUSTOM_1,
        second.number: ReturnStatus.CUSTOM_1,
        new.number: ReturnStatus.NEW,
    }
