"""A shop owner works the order list in a real browser: search, filter, back button, bulk
status change, open an order; screenshots at 1280 px and on a tablet (820 px)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.shops.models import Shop
from tests.browser.test_backoffice import log_in

S = OrderStatus


@pytest.fixture
def demo_shop(transactional_db):
    call_command("seed_demo", orders=140, verbosity=0)
    return Shop.objects.get(slug="demo")


def rows(page):
    return page.locator("#order-list tbody tr")


def test_owner_searches_filters_changes_status_in_bulk_and_opens_an_order(
    page, screenshot, demo_shop
):
    shop = demo_shop
    url = f"/backoffice/{shop.slug}/orders/"
    log_in(page, "demo@kantoor.test", "kantoor-demo")
    page.locator('nav[aria-label="Main menu"] a[data-menu-key="orders"]').click()
    expect(page).to_have_url(re.compile(rf"{url}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders")
    expect(rows(page)).to_have_count(50)
    # 140 orders of customers, and the replacement orders of the returns seed_demo exchanged.
    total = Order.objects.filter(shop=shop).count()
    assert total > 140
    expect(page.locator("#order-count")).to_have_text(f"{total} orders")
    screenshot("order-list-1280")

    # "/" jumps to the search; typing updates the table in place and the URL.
    newest = Order.objects.filter(shop=shop).order_by("-created_at", "-pk").first()
    page.locator("body").press("/")
    expect(page.locator("#order-search")).to_be_focused()
    page.keyboard.type(newest.email)
    expect(page).to_have_url(re.compile(r"\?q="))
    expect(page.locator(".kt-ol-chip")).to_contain_text(newest.email)
    matching = Order.objects.filter(shop=shop, email=newest.email).count()
    expect(rows(page)).to_have_count(min(matching, 50))
    expect(page.locator("#order-search")).to_be_focused()  # focus survives the swap

    # Filter by status on top of the search: the chips say what is on.
    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Completed", exact=True).check()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(screenshot("order-list-filters-1280")), full_page=False)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=7"))
    expect(page.locator(".kt-ol-chip").nth(1)).to_contain_text("Status: Completed")
    for badge in page.locator("#order-list tbody .status-badge").all():
        expect(badge).to_have_text("Completed")

    # The back button brings back the search without the status filter.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(page.locator("#order-search")).to_have_value(newest.email)

    # Saved view "In process": tick two orders and a cancelled one, move them to "Being packed".
    page.goto(url)
    page.locator('.kt-tabs [data-view="in_process"]').click()
    expect(page).to_have_url(re.compile(r"\?status=2&status=10&status=12&status=14$"))
    expect(page.locator('.kt-tabs [data-view="in_process"]')).to_have_attribute(
        "aria-current", "page"
    )
    page.locator('.kt-tabs [data-view="all"]').click()
    expect(page).to_have_url(re.compile(rf"{url}$"))
    first_page = Order.objects.filter(shop=shop).order_by("-created_at", "-pk")[:50]
    movable = [o.number for o in first_page if o.status not in (S.CANCELLED, S.BEING_PACKED)]
    cancelled = next(o.number for o in first_page if o.status == S.CANCELLED)
    for number in [*movable[:2], cancelled]:
        page.get_by_label(f"Select order {number}").check()
    expect(page.locator("[data-bulk-bar]")).to_be_visible()
    expect(page.locator("[data-bulk-count]")).to_have_text("3 orders selected")
    page.locator("#bulk-status").select_option(label="Being packed")
    screenshot("order-list-bulk-1280")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("2 orders moved to Being packed.")).to_be_visible()
    expect(page.get_by_text(f"{cancelled} was not changed")).to_be_visible()
    screenshot("order-list-bulk-done-1280")
    for number in movable[:2]:
        order = Order.objects.get(shop=shop, number=number)
        assert order.status == S.BEING_PACKED
        assert OrderEvent.objects.filter(
            order=order, kind=OrderEventKind.STATUS_CHANGED, data__after=S.BEING_PACKED
        ).exists()
    assert Order.objects.get(shop=shop, number=cancelled).status == S.CANCELLED

    # A click anywhere on a row opens that order's page.
    number = rows(page).first.get_attribute("data-order")
    rows(page).first.locator(".kt-ol-customer").click()
    expect(page).to_have_url(re.compile(rf"{url}{number}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def test_pages_and_the_tablet_layout(page, screenshot, demo_shop):
    shop = demo_shop
    log_in(page, "demo@kantoor.test", "kantoor-demo")
    page.goto(f"/backoffice/{shop.slug}/orders/")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"\?after="))
    expect(rows(page)).to_have_count(50)
    page.get_by_role("link", name="Last").click()
    expect(page).to_have_url(re.compile(r"\?last=1$"))
    oldest = Order.objects.filter(shop=shop).order_by("created_at", "pk").first()
    expect(rows(page).last).to_have_attribute("data-order", oldest.number)
    page.get_by_role("link", name="First").click()
    expect(page.get_by_role("link", name="Previous")).to_have_count(0)

    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"/backoffice/{shop.slug}/orders/?sort=-total")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Total")
    screenshot("order-list-820")
    page.goto(f"/backoffice/{shop.slug}/orders/?q=no-such-order-anywhere")
    expect(page.get_by_text("No orders match these filters")).to_be_visible()
    screenshot("order-list-no-match-820")
