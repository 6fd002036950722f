"""A shop owner works on one order in a real browser: status, history, menu, note, edit."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.customers.models import Customer
from kantoor.orders.models import Order
from kantoor.shops.models import User
from tests.browser.test_backoffice import log_in


@pytest.fixture
def shop_with_orders(transactional_db, shop, products, make_order):
    bel, boek, bon = products
    make_order(shop, [bel, boek, bon], quantities=[2, 1, 1], note="Graag na 17 uur bezorgen")
    make_order(shop, [bon], email="piet@example.test")
    make_order(shop, [boek], email="jan@example.test")
    Customer.objects.filter(email="piet@example.test").update(
        first_name="Piet", last_name="Pietersen", company="Fietsenmakerij Zuid"
    )
    return shop


def test_owner_changes_status_sees_history_collapses_menu_and_adds_a_note(
    page, screenshot, shop_with_orders, owner
):
    shop = shop_with_orders
    owner.name = "Femke de Boer"
    owner.save()
    order = Order.objects.filter(shop=shop).order_by("pk").first()
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(order.number)
    expect(page.locator("#order-totals")).to_contain_text("VAT 21% over")
    screenshot("order-detail-overview-1280")

    # Change status from the main action.
    page.get_by_role("button", name="Change status").click()
    page.locator("#status-header").select_option(label="Shipped")
    page.locator(".kt-status-menu").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Status changed to Shipped.")
    expect(page.locator("#order-status")).to_have_text("Shipped")

    # Add a note.
    page.get_by_label("Add a note").fill("Klant belde: liever dinsdag bezorgen")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".kt-notes")).to_contain_text("Klant belde: liever dinsdag bezorgen")

    # The history tells the story, newest first.
    page.locator('[data-tab="history"]').click()
    expect(page).to_have_url(re.compile(r"\?tab=history$"))
    items = page.locator(".kt-timeline-item")
    expect(items.first).to_contain_text("Note by Femke de Boer")
    # Then the Shipped e-mail (a new shop sends it) and the status change before it.
    expect(items.nth(1)).to_contain_text("Order status changed sent to jan@example.test")
    expect(items.nth(2)).to_contain_text("Status changed from New to Shipped by Femke de Boer")
    expect(items.last).to_contain_text("Order placed by jan@example.test")

    # Collapse the menu; it stays collapsed after a reload (stored per user).
    page.get_by_role("button", name="Collapse the menu").click()
    expect(page.locator("body")).to_have_class(re.compile("kt-menu-collapsed"))
    page.wait_for_function("() => document.querySelector('input[name=collapsed]').value === '0'")
    page.wait_for_timeout(300)
    page.reload()
    expect(page.locator("body")).to_have_class(re.compile("kt-menu-collapsed"))
    assert User.objects.get(pk=owner.pk).menu_collapsed is True
    screenshot("order-detail-history-collapsed-1280")

    # Edit: change a quantity and the shipping cost.
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/edit/")
    screenshot("order-edit-1280")
    page.locator('input[name="lines-0-quantity"]').fill("3")
    page.get_by_label("Shipping cost").fill("0")
    page.get_by_role("button", name="Add a product line").click()
    page.locator('select[name="lines-3-product"]').select_option(label="Fietsrouteboek (BOEK-01)")
    page.locator('input[name="lines-3-quantity"]').fill("1")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Order {order.number} saved.")
    page.locator('[data-tab="history"]').click()
    expect(page.locator(".kt-timeline-item").first).to_contain_text("Order edited by Femke de Boer")
    expect(page.locator(".kt-timeline-item").first).to_contain_text("Fietsbel: quantity 2 → 3")

    page.get_by_role("button", name="Expand the menu").click()
    expect(page.locator("body")).not_to_have_class(re.compile("kt-menu-collapsed"))

    # At tablet width.
    page.set_viewport_size({"width": 820, "height": 1100})
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/")
    screenshot("order-detail-overview-820")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=history")
    screenshot("order-detail-history-820")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/edit/")
    screenshot("order-edit-820")


def test_owner_finds_a_customer_and_opens_their_order(page, screenshot, shop_with_orders, owner):
    shop = shop_with_orders
    log_in(page, owner.email)
    page.locator('nav[aria-label="Main menu"] a[data-menu-key="customers"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.locator("#customer-table tbody tr")).to_have_count(2)
    screenshot("customers-list-1280")

    page.get_by_label("Search customers").fill("zuid")
    expect(page.locator("#customer-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"\?q=zuid"))
    page.get_by_role("link", name="Piet Pietersen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Piet Pietersen")
    screenshot("customer-detail-1280")
    number = Order.objects.get(shop=shop, email="piet@example.test").number
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(number)

    page.set_viewport_size({"width": 820, "height": 1100})
    page.goto(f"/backoffice/{shop.slug}/customers/")
    screenshot("customers-list-820")
    customer = Customer.objects.get(shop=shop, email="piet@example.test")
    page.goto(f"/backoffice/{shop.slug}/customers/{customer.pk}/")
    screenshot("customer-detail-820")
    page.goto(f"/backoffice/{shop.slug}/orders/new/?customer={customer.pk}")
    screenshot("order-new-820")
