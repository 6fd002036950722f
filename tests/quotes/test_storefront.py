"""The customer's side of quotes through the real HTTP stack: the quote page (signed link or
account), accepting and declining, the account's Quotes section, a request from the cart."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.customers.services import sign_up_customer
from kantoor.messaging.models import Message, MessageKind
from kantoor.orders.models import Order
from kantoor.quotes.links import quote_token
from kantoor.quotes.models import Quote, QuoteLine, QuoteStatus
from kantoor.quotes.services import QuoteLineInput, create_quote, send_quote, update_quote
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings
from tests.conftest import PASSWORD
from tests.quotes.test_services import make_quote, prospect, sent_quote
from tests.storefront.conftest import url


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


def link(shop, quote, name="quote_page"):
    return url(shop, name, token=quote_token(shop_id=shop.pk, quote_id=quote.pk))


def test_a_prospect_opens_the_link_and_accepts_with_name_and_terms(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    client = Client()
    page = client.get(link(shop, quote))
    assert page.status_code == 200
    assert quote.number in page.text and "Montage aan huis" in page.text
    assert 'name="revision" value="1"' in page.text
    # No name, no ticked terms: the messages next to the fields, nothing accepted.
    refused = client.post(link(shop, quote, "quote_accept"), {"revision": "1", "name": ""})
    assert refused.status_code == 400
    assert "Type your name to accept the quote." in refused.text
    assert "Tick that you agree" in refused.text
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT
    done = client.post(
        link(shop, quote, "quote_accept"),
        {"revision": "1", "name": "Karin Klant", "terms": "on"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert done.status_code == 302
    accepted = Quote.objects.get(pk=quote.pk)
    assert accepted.status == QuoteStatus.ACCEPTED and accepted.accepted_ip == "198.51.100.4"
    after = client.get(link(shop, quote)).text
    assert "Accepted by Karin Klant" in after and "data-accept" not in after


def test_a_tampered_price_on_the_accept_form_changes_nothing(shop, products, staff):
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_convert_on_acceptance": True}
    )
    shop = Shop.objects.get(pk=shop.pk)
    quote = sent_quote(shop, products, staff)
    Client().post(
        link(shop, quote, "quote_accept"),
        {
            "revision": "1",
            "name": "Karin",
            "terms": "on",
            "unit_price": "0.01",
            "lines-0-unit_price": "0.01",
            "total": "1",
        },
    )
    order = Order.objects.get()
    assert [line.unit_price for line in order.lines.order_by("position")] == [
        Decimal("12.99"),
        Decimal("45.00"),
    ]


def test_a_superseded_or_expired_revision_cannot_be_accepted(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    update_quote(
        shop=shop,
        quote_id=quote.pk,
        details=prospect(),
        lines=[QuoteLineInput(product_id=products[0].pk, quantity=1)],
        actor=staff,
    )
    client = Client()
    page = client.get(link(shop, quote)).text
    assert "We are updating this quote" in page and "data-accept" not in page
    send_quote(shop=shop, quote_id=quote.pk, actor=staff)
    stale = client.post(
        link(shop, quote, "quote_accept"), {"revision": "1", "name": "Karin", "terms": "on"}
    )
    assert stale.status_code == 400 and "not the latest version" in stale.text
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    expired = client.get(link(shop, quote)).text
    assert "can no longer be accepted" in expired and "data-accept" not in expired
    response = client.post(
        link(shop, quote, "quote_accept"), {"revision": "2", "name": "Karin", "terms": "on"}
    )
    assert response.status_code == 400 and "expired" in response.text
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT


def test_declining_with_a_reason_tells_the_shop(shop, products, staff):
    shop.email = "winkel@example.test"
    shop.save(update_fields=["email"])
    quote = sent_quote(shop, products, staff)
    response = Client().post(
        link(shop, quote, "quote_decline"), {"revision": "1", "reason": "Te duur"}
    )
    assert response.status_code == 302
    declined = Quote.objects.get(pk=quote.pk)
    assert declined.status == QuoteStatus.REJECTED and declined.declined_reason == "Te duur"
    assert Message.objects.filter(kind=MessageKind.QUOTE_DECLINED).count() == 1


def test_a_link_opens_only_its_own_quote_at_its_own_shop(shop, other_shop, products, staff):
    quote = sent_quote(shop, products, staff)
    concept = make_quote(shop, products, staff)  # never sent: nothing to show
    token = quote_token(shop_id=shop.pk, quote_id=quote.pk)
    client = Client()
    assert client.get(url(shop, "quote_page", token=token + "x")).status_code == 404
    assert client.get(url(other_shop, "quote_page", token=token)).status_code == 404
    assert client.get(link(shop, concept)).status_code == 404
    forged = quote_token(shop_id=other_shop.pk, quote_id=quote.pk)
    assert client.get(url(other_shop, "quote_page", token=forged)).status_code == 404
    assert (
        client.post(
            url(other_shop, "quote_accept", token=forged),
            {"revision": "1", "name": "X", "terms": "on"},
        ).status_code
        == 404
    )
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT


def test_the_account_lists_the_customers_own_quotes_only(shop, products, staff):
    customer = sign_up_customer(
        shop=shop,
        email="klant@example.test",
        password=PASSWORD,
        first_name="Karin",
        last_name="Klant",
        language="en",
    )
    mine = sent_quote(shop, products, staff)  # the prospect's address is the customer's
    assert Quote.objects.get(pk=mine.pk).customer_id == customer.pk
    theirs = create_quote(
        shop=shop,
        details=prospect(email="ander@example.test"),
        lines=[QuoteLineInput(product_id=products[0].pk, quantity=1)],
        actor=staff,
    )
    send_quote(shop=shop, quote_id=theirs.pk, actor=staff)
    client = Client()
    client.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD})
    account = client.get(url(shop, "account")).text
    assert 'id="quotes"' in account and mine.number in account
    assert theirs.number not in account


def test_a_cart_becomes_a_quote_request_when_the_shop_offers_it(shop, products):
    cache.clear()
    client = Client()
    client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 2})
    assert client.get(url(shop, "quote_request")).status_code == 404  # off by default
    assert "data-quote-request" not in client.get(url(shop, "cart")).text
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_from_cart": True}
    )
    Shop.objects.filter(pk=shop.pk).update(email="winkel@example.test")
    assert "data-quote-request" in client.get(url(shop, "cart")).text
    details = {
        "email": "vraag@example.test",
        "first_name": "Vera",
        "last_name": "Vraag",
        "street": "Kerkstraat 1",
        "postcode": "1234 AB",
        "city": "Dorp",
        "country": "NL",
        "message": "Kan het voor vrijdag?",
    }
    bad = client.post(url(shop, "quote_request"), {**details, "email": "nope"})
    assert bad.status_code == 400 and not Quote.objects.exists()
    sent = client.post(url(shop, "quote_request"), details)
    assert sent.status_code == 302 and "/quotes/" in sent.url
    quote = Quote.objects.get()
    assert (
        quote.status == QuoteStatus.REQUESTED and quote.request_message == "Kan het voor vrijdag?"
    )
    assert [
        (line.description, line.quantity) for line in QuoteLine.objects.filter(quote=quote)
    ] == [("Fietsbel", 2)]
    assert Message.objects.get(kind=MessageKind.QUOTE_REQUESTED).to == "winkel@example.test"
    page = client.get(sent.url).text
    assert "we are preparing your quote" in page


def test_quote_requests_are_limited_per_ip(shop, products):
    cache.clear()
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_from_cart": True}
    )
    client = Client()
    client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 1})
    details = {
        "email": "vraag@example.test",
        "first_name": "Vera",
        "last_name": "Vraag",
        "street": "Kerkstraat 1",
        "postcode": "1234 AB",
        "city": "Dorp",
        "country": "NL",
    }
    codes = [client.post(url(shop, "quote_request"), details).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert Quote.objects.count() == 5


def test_the_quotes_module_off_hides_every_quote_page(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    update_workflow_settings(
        shop=shop, user=None, section="modules", values={"quotes_enabled": False}
    )
    client = Client()
    for name in ("quote_page",):
        assert client.get(link(shop, quote, name)).status_code == 404
    response = client.post(
        link(shop, quote, "quote_accept"), {"revision": "1", "name": "K", "terms": "on"}
    )
    assert response.status_code == 404
