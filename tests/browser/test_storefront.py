"""A customer shopping at the storefront, in a real browser (desktop and phone widths)."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.catalog.models import Product
from kantoor.catalog.services import correct_stock
from kantoor.orders.models import Order
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shop_with_products(transactional_db, shop, products, make_product):
    make_product(shop, sku="SLOT-01", name="Fietsslot", price="34.50", stock=3)
    make_product(shop, sku="LAMP-01", name="Fietslamp", price="19.95", stock=0)
    return shop


def add_to_cart(page, product_name, quantity="1"):
    card = page.locator(".sf-product-card", has_text=product_name)
    card.get_by_label(f"Quantity of {product_name}").fill(quantity)
    card.get_by_role("button", name=f"Add to cart: {product_name}").click()


def fill_checkout(page, email="anna@example.test"):
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("de Vries")
    page.get_by_label("Street and house number").first.fill("Kerkstraat 12")
    page.get_by_label("Postcode").first.fill("1017 GP")
    page.get_by_label("City").first.fill("Amsterdam")


def test_guest_checkout_end_to_end(page, screenshot, shop_with_products):
    shop = shop_with_products
    page.goto(f"/shop/{shop.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(shop.name)
    expect(page.locator(".sf-product-card", has_text="Fietslamp")).to_contain_text("Out of stock")
    screenshot("storefront-products-1280")

    add_to_cart(page, "Fietsbel", "2")
    expect(page.get_by_role("status")).to_contain_text("Fietsbel is in your cart")
    add_to_cart(page, "Cadeaubon")
    expect(page.get_by_test_id("cart-count")).to_contain_text("3")

    page.get_by_role("link", name=re.compile("Cart")).click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    # 2 x 12.99 + 25.00 + 6.95 shipping
    expect(page.get_by_test_id("cart-total")).to_have_text("€57.93")
    page.get_by_label("Quantity of Fietsbel").fill("3")
    page.get_by_role("button", name=re.compile("Update.*Fietsbel")).click()
    expect(page.get_by_role("status")).to_contain_text("Quantity of Fietsbel changed")
    expect(page.get_by_test_id("cart-total")).to_have_text("€70.92")
    screenshot("storefront-cart-1280")

    page.get_by_role("link", name="Check out").click()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    screenshot("storefront-checkout-errors-1280")
    fill_checkout(page)
    page.get_by_label("Pick up at the shop").check()
    expect(page.locator("#order-summary").get_by_test_id("cart-total")).to_have_text("€63.97")
    page.get_by_label("Delivery to your address").check()
    page.get_by_label("Deliver to another address").check()
    page.get_by_label("Name", exact=True).fill("Oma de Vries")
    page.locator("#id_delivery_street").fill("Dorpsweg 3")
    page.locator("#id_delivery_postcode").fill("9999 ZZ")
    page.locator("#id_delivery_city").fill("Ergens")
    screenshot("storefront-checkout-1280")
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    order = Order.objects.get(shop=shop)
    expect(page.get_by_test_id("order-number")).to_have_text(order.number)
    expect(page.get_by_test_id("order-total")).to_have_text("€70.92")
    expect(page.get_by_test_id("cart-count")).to_contain_text("0")
    assert order.delivery_street == "Dorpsweg 3"
    screenshot("storefront-confirmation-1280")

    page.set_viewport_size(PHONE)
    screenshot("storefront-confirmation-390")
    page.goto(f"/shop/{shop.slug}/")
    screenshot("storefront-products-390")


def test_sign_up_check_out_see_the_order_and_reorder(page, screenshot, shop_with_products):
    shop = shop_with_products
    page.set_viewport_size(PHONE)
    page.goto(f"/shop/{shop.slug}/")
    page.get_by_role("link", name="Log in").click()
    screenshot("storefront-login-390")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("First name").fill("Piet")
    page.get_by_label("Last name").fill("Pieters")
    page.get_by_label("E-mail address").fill("piet@example.test")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text("No orders yet")).to_be_visible()

    page.goto(f"/shop/{shop.slug}/")
    add_to_cart(page, "Fietsslot", "2")
    add_to_cart(page, "Fietsrouteboek")
    page.get_by_role("link", name=re.compile("Cart")).click()
    screenshot("storefront-cart-390")
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("E-mail address")).to_have_value("piet@example.test")
    expect(page.get_by_label("First name")).to_have_value("Piet")
    page.get_by_label("Street and house number").first.fill("Dorpsstraat 1")
    page.get_by_label("Postcode").first.fill("1234 AB")
    page.get_by_label("City").first.fill("Ons Dorp")
    screenshot("storefront-checkout-390")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    order = Order.objects.get(shop=shop)
    assert order.customer.email == "piet@example.test"

    page.get_by_role("link", name="See your orders").click()
    card = page.get_by_test_id("order-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(order.number)
    expect(card).to_contain_text("New")
    expect(card).to_contain_text("2× Fietsslot")
    screenshot("storefront-account-390")
    # Nothing is wider than the phone: the invoices table stacks its rows.
    expect(page.get_by_test_id("invoice-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(
        "[...document.querySelectorAll('table')].every("
        "t => t.scrollWidth <= t.parentElement.clientWidth)"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("storefront-account-1280")

    # Meanwhile the last Fietsslot is sold; the book is still there.
    slot = Product.objects.get(shop=shop, sku="SLOT-01")
    correct_stock(shop=shop, product=slot, quantity=-slot.stock_level)
    card.get_by_role("button", name=re.compile("Reorder")).click()
    expect(page.locator(".sf-alert-success")).to_contain_text("in your cart at today's prices")
    expect(page.locator(".sf-alert-warning")).to_contain_text("No longer available: Fietsslot")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("Fietsrouteboek")
    screenshot("storefront-reorder-1280")

    page.get_by_role("link", name="My account").click()
    page.get_by_role("link", name=re.compile(f"View order.*{order.number}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    screenshot("storefront-order-1280")
    page.get_by_role("link", name="My account").first.click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out")


def test_language_switcher_keeps_the_page(page, screenshot, shop_with_products):
    shop = shop_with_products
    page.goto(f"/shop/{shop.slug}/p/BEL-01/")
    page.get_by_role("button", name="Nederlands").click()
    expect(page).to_have_url(re.compile(r"/p/BEL-01/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".sf-price")).to_have_text("€\u00a012,99")
    screenshot("storefront-product-nl-1280")


def test_the_order_button_follows_the_way_to_pay(page, screenshot, shop_with_products):
    shop = shop_with_products
    page.goto(f"/shop/{shop.slug}/")
    add_to_cart(page, "Fietsrouteboek")
    page.goto(f"/shop/{shop.slug}/checkout/")
    button = page.locator("#place-order")
    expect(button).to_have_text(re.compile(r"^\s*Place order with obligation to pay\s*$"))
    page.get_by_label(re.compile("Pay now")).check()
    expect(button).to_have_text(re.compile(r"^\s*Place order and pay\s*$"))
    screenshot("storefront-checkout-pay-now-1280")
    page.get_by_label(re.compile("Pay later")).check()
    expect(button).to_have_text(re.compile(r"^\s*Place order with obligation to pay\s*$"))
