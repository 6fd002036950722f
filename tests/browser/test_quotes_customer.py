"""Quotes for customers in a real browser: a customer accepts a quote on the account page and
gets the order's invoice by e-mail; a prospect accepts through the link of the e-mail; a cart
becomes a quote request (desktop and phone widths)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from kantoor.core.actors import Actor
from kantoor.customers.services import sign_up_customer
from kantoor.messaging.services import send_due_messages
from kantoor.orders.models import Order
from kantoor.quotes.links import quote_token
from kantoor.quotes.models import Quote, QuoteStatus
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings
from tests.conftest import PASSWORD
from tests.quotes.test_services import sent_quote

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def quote_shop(transactional_db, shop, owner):
    update_workflow_settings(
        shop=shop,
        user=None,
        section="quotes",
        values={
            "quotes_convert_on_acceptance": True,
            "quotes_from_cart": True,
            "quote_terms_en": "Prices are valid until the date on the quote.",
        },
    )
    Shop.objects.filter(pk=shop.pk).update(email="winkel@example.test")
    return Shop.objects.get(pk=shop.pk)


def test_a_customer_accepts_on_the_account_page_and_gets_the_invoice(
    page, screenshot, quote_shop, products, owner
):
    shop = quote_shop
    sign_up_customer(
        shop=shop,
        email="klant@example.test",
        password=PASSWORD,
        first_name="Karin",
        last_name="Klant",
        language="en",
    )
    quote = sent_quote(shop, products, Actor.staff(owner))
    page.goto(f"/shop/{shop.slug}/account/login/")
    page.get_by_label("E-mail address").fill("klant@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/shop/{shop.slug}/account/#quotes")
    expect(page.get_by_test_id("quote-table")).to_contain_text(quote.number)
    page.get_by_role("link", name=quote.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(quote.number)
    expect(page.get_by_text("Prices are valid until the date on the quote.")).to_be_visible()
    screenshot("storefront-quote-1280")
    page.get_by_role("button", name="Accept the quote").click()
    expect(page.get_by_text("Type your name to accept the quote.").first).to_be_visible()
    page.get_by_label("Your name").fill("Karin Klant")
    page.get_by_label("I agree to this quote and its terms").check()
    page.set_viewport_size(PHONE)
    screenshot("storefront-quote-accept-390")
    page.get_by_role("button", name="Accept the quote").click()
    expect(page.get_by_text(re.compile("you accepted quote"))).to_be_visible()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONVERTED
    order = Order.objects.get(pk=quote.order_id)
    expect(page.get_by_text(f"Your order number is {order.number}.")).to_be_visible()
    screenshot("storefront-quote-accepted-390")
    send_due_messages()
    confirmation = [
        m for m in mail.outbox if m.to == ["klant@example.test"] and order.number in m.subject
    ]
    assert confirmation, [m.subject for m in mail.outbox]
    assert any(name.endswith(".pdf") for name, _content, _type in confirmation[0].attachments)


def test_a_prospect_accepts_through_the_link(page, screenshot, quote_shop, products, owner):
    shop = quote_shop
    quote = sent_quote(shop, products, Actor.staff(owner))
    token = quote_token(shop_id=shop.pk, quote_id=quote.pk)
    page.goto(f"/shop/{shop.slug}/quotes/{token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(quote.number)
    page.get_by_label("Your name").fill("Karin Klant")
    page.get_by_label("I agree to this quote and its terms").check()
    page.get_by_role("button", name="Accept the quote").click()
    expect(page.get_by_text(re.compile("Accepted by Karin Klant"))).to_be_visible()
    assert Quote.objects.get(pk=quote.pk).accepted_name == "Karin Klant"


def test_a_cart_becomes_a_quote_request(page, screenshot, quote_shop, products):
    shop = quote_shop
    page.goto(f"/shop/{shop.slug}/p/{products[0].sku}/")
    page.get_by_role("button", name=re.compile("Add to cart")).first.click()
    page.goto(f"/shop/{shop.slug}/cart/")
    page.get_by_role("link", name="Request a quote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a quote")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_label("E-mail address").fill("vraag@example.test")
    page.get_by_label("First name").fill("Vera")
    page.get_by_label("Last name").fill("Vraag")
    page.get_by_label("Street and house number").fill("Kerkstraat 1")
    page.get_by_label("Postcode").fill("1234 AB")
    page.get_by_label("City").fill("Dorp")
    page.get_by_label("Your message (optional)").fill("Kan het voor vrijdag?")
    screenshot("storefront-quote-request-1280")
    page.set_viewport_size(PHONE)
    screenshot("storefront-quote-request-390")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text(re.compile("we are preparing your quote"))).to_be_visible()
    quote = Quote.objects.get()
    assert (
        quote.status == QuoteStatus.REQUESTED and quote.request_message == "Kan het voor vrijdag?"
    )
