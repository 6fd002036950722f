"""Returns in a real browser: a customer returns two lines from the account page, a guest
returns through the order-number page, staff approve, receive with restock and refund by credit
invoice (desktop and phone widths)."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import sign_up_customer
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnRequest, ReturnStatus
from tests.browser.test_backoffice import log_in as staff_log_in
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def returnable(transactional_db, shop, products, make_order, owner):
    ReturnReason.objects.create(shop=shop, label_nl="Kapot", label_en="Damaged")
    ReturnReason.objects.create(shop=shop, label_nl="Past niet", label_en="Does not fit")
    ReturnAction.objects.create(shop=shop, label_nl="Geld terug", label_en="Refund")
    customer = sign_up_customer(
        shop=shop,
        email="jan@example.test",
        password=PASSWORD,
        first_name="Jan",
        last_name="Jansen",
        language="en",
    )
    bell, book, _voucher = products
    order = make_order(
        shop, [bell, book], quantities=[2, 1], account=customer, email=customer.email
    )
    guest_order = make_order(shop, [bell], email="gast@example.test")
    for placed in (order, guest_order):
        change_order_status(
            shop=shop, order=placed, status=OrderStatus.SHIPPED, actor=Actor.staff(owner)
        )
    return {"shop": shop, "order": order, "guest_order": guest_order, "customer": customer}


def choose_line(page, name, quantity, reason="Damaged", action="Refund"):
    page.get_by_label(f"How many of {name}").select_option(str(quantity))
    block = page.locator(".sf-return-line", has_text=name)
    block.get_by_label("Reason").select_option(label=reason)
    block.get_by_label("What would you like?").select_option(label=action)


def photo_file(tmp_path):
    path = tmp_path / "kapotte-bel.jpg"
    Image.new("RGB", (320, 240), (180, 60, 40)).save(path, format="JPEG")
    return path


def photo_loaded(page, selector):
    """The photo has arrived and is the picture uploaded (320 pixels wide)."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s);"
        " return i && i.complete && i.naturalWidth === 320; }",
        arg=selector,
    )


def test_a_customer_returns_two_lines_and_staff_refund_them(
    page, screenshot, returnable, products, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    shop, order = returnable["shop"], returnable["order"]
    page.goto(f"/shop/{shop.slug}/account/login/")
    page.get_by_label("E-mail address").fill("jan@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/shop/{shop.slug}/account/orders/{order.number}/")
    page.get_by_role("link", name="Return", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)

    page.get_by_role("button", name="Send return request").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    screenshot("storefront-return-errors-1280")
    choose_line(page, "Fietsbel", 2)
    choose_line(page, "Fietsrouteboek", 1, reason="Does not fit")
    page.get_by_label("Comment (optional)").fill("De bel rammelt")
    page.get_by_label("Photos (optional)").set_input_files(photo_file(tmp_path))
    screenshot("storefront-return-form-1280")
    page.set_viewport_size(PHONE)
    screenshot("storefront-return-form-390")
    page.get_by_role("button", name="Send return request").click()
    expect(page.get_by_role("heading", name="Your return request is sent")).to_be_visible()
    created = ReturnRequest.objects.get()
    expect(page.locator("h1")).to_contain_text(created.number)
    expect(page.locator(".sf-return-photos img")).to_have_count(1)
    photo_loaded(page, ".sf-return-photos img")
    screenshot("storefront-return-sent-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/shop/{shop.slug}/account/#returns")
    expect(page.get_by_test_id("return-table")).to_contain_text(created.number)

    # Staff: the Returns list, then the order's Returns tab.
    staff_log_in(page, "owner@fietsen.test")
    page.goto(f"/backoffice/{shop.slug}/returns/")
    expect(page.locator("#return-list tbody tr")).to_have_count(1)
    screenshot("backoffice-returns-list-1280")
    page.locator('.kt-tabs [data-view="approve"]').click()
    expect(page).to_have_url(re.compile(r"stage=approve"))
    page.get_by_role("link", name=created.number).click()
    expect(page).to_have_url(re.compile(r"tab=returns"))
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_label("Message to the customer").first.fill("Stuur het pakket op")
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"Return {created.number} approved")).to_be_visible()
    photo_loaded(page, f'[data-return="{created.number}"] .kt-ret-photos img')
    screenshot("backoffice-return-tab-approved-1280")
    bell = products[0]
    bell.refresh_from_db()
    before = bell.stock_level
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_role("button", name="Save what arrived").click()
    expect(page.get_by_text(f"Return {created.number} received.")).to_be_visible()
    bell.refresh_from_db()
    assert bell.stock_level == before + 2
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_label(re.compile("also credit the shipping cost")).check()
    card.get_by_role("button", name="Refund: credit invoice for what arrived").click()
    expect(page.get_by_text(re.compile(f"Return {created.number} credited"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"tab=invoices"))  # where the money is paid back
    created.refresh_from_db()
    assert created.status == ReturnStatus.CREDITED
    [credit] = Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT)
    assert any(line.is_shipping for line in credit.lines.all())
    screenshot("backoffice-return-credit-invoice-1280")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=returns")
    screenshot("backoffice-return-tab-credited-1280")
    page.set_viewport_size(PHONE)
    screenshot("backoffice-return-tab-credited-390")


def test_a_guest_returns_through_the_order_number_page(page, screenshot, returnable):
    shop, order = returnable["shop"], returnable["guest_order"]
    page.goto(f"/shop/{shop.slug}/")
    page.get_by_role("link", name="Return products").click()
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("E-mail address").fill("gast@example.test")
    page.get_by_label("Postcode").fill("9999 ZZ")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_text("We could not find an order")).to_be_visible()
    screenshot("storefront-guest-return-1280")
    page.get_by_label("Postcode").fill(order.billing_postcode.replace(" ", "").lower())
    page.get_by_role("button", name="Find my order").click()
    page.set_viewport_size(PHONE)
    choose_line(page, "Fietsbel", 1)
    screenshot("storefront-guest-return-form-390")
    page.get_by_role("button", name="Send return request").click()
    expect(page.get_by_role("heading", name="Your return request is sent")).to_be_visible()
    created = ReturnRequest.objects.get(order=order)
    assert created.source == "guest"

    # Staff exchange it: a replacement order at no charge, linked both ways.
    page.set_viewport_size({"width": 1280, "height": 900})
    staff_log_in(page, "owner@fietsen.test")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=returns")
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_role("button", name="Approve").click()
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_role("button", name="Save what arrived").click()
    card = page.locator(f'[data-return="{created.number}"]')
    card.get_by_label("Message to the customer").last.fill("Er komt een nieuwe bel aan")
    card.get_by_role("button", name="Exchange: send it again at no charge").click()
    expect(page.get_by_text(re.compile(f"Return {created.number} exchanged"))).to_be_visible()
    created.refresh_from_db()
    replacement = created.replacement_order
    screenshot("backoffice-return-tab-exchanged-1280")
    page.locator("[data-replacement] a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(replacement.number)
    expect(page.locator("[data-replacement-of]")).to_contain_text(created.number)
    screenshot("backoffice-replacement-order-1280")
