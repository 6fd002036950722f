"""Quotes: the rules of making, revising, sending, accepting, declining, expiring and converting
(kantoor/quotes/services)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from kantoor.catalog.models import Product
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import send_due_messages
from kantoor.orders.models import Order
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import Quote, QuoteEvent, QuoteLine, QuoteStatus
from kantoor.quotes.pricing import quote_pricing
from kantoor.quotes.services import (
    QuoteDetails,
    QuoteError,
    QuoteLineInput,
    accept_quote,
    cancel_quote,
    convert_quote,
    create_quote,
    decline_quote,
    duplicate_quote,
    expire_quotes,
    extend_quote,
    send_quote,
    update_quote,
)
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings

CUSTOMER = Actor.customer("klant@example.test")


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


def prospect(**changes):
    values = {
        "email": "Klant@Example.test",
        "first_name": "Karin",
        "last_name": "Klant",
        "street": "Dorpsstraat 4",
        "postcode": "1234 AB",
        "city": "Ergens",
        "language": "nl",
    }
    values.update(changes)
    return QuoteDetails(**values)


def bell_and_fitting(products, **bell):
    return [
        QuoteLineInput(product_id=products[0].pk, quantity=3, **bell),
        QuoteLineInput(
            product_id=None,
            quantity=1,
            unit_price=Decimal("45.00"),
            description="Montage aan huis",
            vat_rate=Decimal("21"),
        ),
    ]


def make_quote(shop, products, staff, **bell):
    return create_quote(
        shop=shop, details=prospect(), lines=bell_and_fitting(products, **bell), actor=staff
    )


def sent_quote(shop, products, staff, **bell):
    quote = make_quote(shop, products, staff, **bell)
    return send_quote(shop=shop, quote_id=quote.pk, actor=staff)


def accept(shop, quote, **changes):
    values = {
        "revision": quote.sent_revision,
        "name": "Karin Klant",
        "terms_accepted": True,
        "ip_address": "192.0.2.7",
        "actor": CUSTOMER,
    }
    values.update(changes)
    return accept_quote(shop=shop, quote_id=quote.pk, **values)


def test_a_new_quote_is_a_numbered_concept_with_catalogue_prices_proposed(shop, products, staff):
    quote = make_quote(shop, products, staff, discount_percent=Decimal("10"))
    assert quote.number.startswith(f"OFF{timezone.localdate().year}-")
    assert quote.status == QuoteStatus.CONCEPT and quote.revision == 1
    assert quote.email == "klant@example.test"
    assert quote.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    bell, fitting = QuoteLine.objects.filter(quote=quote).order_by("position")
    assert (bell.description, bell.unit_price, bell.vat_rate) == ("Fietsbel", Decimal("12.99"), 21)
    assert fitting.product_id is None and fitting.description == "Montage aan huis"
    pricing = quote_pricing(shop=shop, quote=quote, lines=[bell, fitting])
    # 3 x (12.99 - 10 %) = 3 x 11.69, the fitting, and the shop's shipping fee.
    assert pricing.totals.gross == Decimal("35.07") + Decimal("45.00") + shop.shipping_fee
    assert QuoteEvent.objects.get(quote=quote).kind == QuoteEventKind.CREATED


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        (
            [
                QuoteLineInput(
                    product_id=None,
                    quantity=-1,
                    unit_price=Decimal(1),
                    description="x",
                    vat_rate=Decimal(21),
                )
            ],
            "lines-0-quantity",
        ),
        ([QuoteLineInput(product_id=10**9, quantity=1)], "lines-0-product"),
        (
            [
                QuoteLineInput(
                    product_id=None, quantity=1, unit_price=Decimal(1), vat_rate=Decimal(21)
                )
            ],
            "lines-0-description",
        ),
        (
            [
                QuoteLineInput(
                    product_id=None,
                    quantity=1,
                    unit_price=Decimal("-1"),
                    description="x",
                    vat_rate=Decimal(21),
                )
            ],
            "lines-0-unit_price",
        ),
        (
            [
                QuoteLineInput(
                    product_id=None,
                    quantity=1,
                    unit_price=Decimal("1.001"),
                    description="x",
                    vat_rate=Decimal(21),
                )
            ],
            "lines-0-unit_price",
        ),
        (
            [QuoteLineInput(product_id=None, quantity=1, unit_price=Decimal("1"), description="x")],
            "lines-0-vat_rate",
        ),
    ],
)
def test_bad_lines_are_refused_by_their_field_and_nothing_is_written(shop, staff, lines, field):
    with pytest.raises(QuoteError) as refused:
        create_quote(shop=shop, details=prospect(), lines=lines, actor=staff)
    assert refused.value.field == field
    assert not Quote.objects.exists()


def test_a_product_of_another_shop_is_unknown(shop, other_shop, make_product, staff):
    theirs = make_product(other_shop, sku="X-1", name="Hun bel", price="5.00", vat_rate="21")
    with pytest.raises(QuoteError) as refused:
        create_quote(
            shop=shop,
            details=prospect(),
            lines=[QuoteLineInput(product_id=theirs.pk, quantity=1)],
            actor=staff,
        )
    assert refused.value.field == "lines-0-product"


def test_a_validity_in_the_past_is_refused(shop, products, staff):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(QuoteError) as refused:
        create_quote(
            shop=shop,
            details=prospect(valid_until=yesterday),
            lines=bell_and_fitting(products),
            actor=staff,
        )
    assert refused.value.field == "valid_until"
    assert not Quote.objects.exists()


def test_sending_makes_the_revision_the_customers_and_e_mails_the_link(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    assert quote.status == QuoteStatus.SENT and quote.sent_revision == 1
    message = Message.objects.get(kind=MessageKind.QUOTE)
    assert message.to == "klant@example.test" and message.data["quote_id"] == quote.pk
    result = send_due_messages()
    message.refresh_from_db()
    assert message.state == "sent", (result, message.last_error)
    [sent] = [m for m in mail.outbox if quote.number in m.subject]
    assert "/quotes/" in sent.body and "Karin" in sent.body
    with pytest.raises(QuoteError):
        send_quote(shop=shop, quote_id=quote.pk, actor=staff)  # sent already


def test_editing_a_sent_quote_starts_a_new_revision_the_customer_does_not_see_yet(
    shop, products, staff
):
    quote = sent_quote(shop, products, staff)
    edited = update_quote(
        shop=shop,
        quote_id=quote.pk,
        details=prospect(),
        lines=[QuoteLineInput(product_id=products[0].pk, quantity=5)],
        actor=staff,
    )
    assert edited.status == QuoteStatus.CONCEPT and edited.revision == 2
    assert edited.sent_revision == 1
    # The revision sent keeps its lines as they were.
    assert QuoteLine.objects.filter(quote=quote, revision=1).count() == 2
    assert QuoteLine.objects.filter(quote=quote, revision=2).count() == 1
    # Accepting the old revision now is refused: the shop is changing it.
    with pytest.raises(QuoteError) as refused:
        accept(shop, edited, revision=1)
    assert refused.value.code == "not_open"
    send_quote(shop=shop, quote_id=quote.pk, actor=staff)
    with pytest.raises(QuoteError) as refused:
        accept(shop, edited, revision=1)  # a superseded revision
    assert refused.value.code == "superseded"
    accepted = accept(shop, Quote.objects.get(pk=quote.pk))
    assert accepted.accepted_revision == 2


def test_accepting_records_name_time_ip_and_revision_and_tells_the_shop(shop, products, staff):
    shop.email = "winkel@example.test"
    shop.save(update_fields=["email"])
    quote = sent_quote(shop, products, staff)
    accepted = accept(shop, quote)
    assert accepted.status == QuoteStatus.ACCEPTED
    assert accepted.accepted_name == "Karin Klant" and accepted.accepted_ip == "192.0.2.7"
    assert accepted.accepted_revision == 1 and accepted.accepted_at is not None
    assert Message.objects.get(kind=MessageKind.QUOTE_ACCEPTED).to == "winkel@example.test"
    # An accepted quote is what was agreed: it cannot be edited or cancelled.
    with pytest.raises(QuoteError):
        update_quote(
            shop=shop,
            quote_id=quote.pk,
            details=prospect(),
            lines=bell_and_fitting(products),
            actor=staff,
        )
    with pytest.raises(QuoteError):
        cancel_quote(shop=shop, quote_id=quote.pk, actor=staff)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"name": "  "}, "name"), ({"terms_accepted": False}, "terms")],
)
def test_accepting_needs_a_name_and_the_terms(shop, products, staff, changes, field):
    quote = sent_quote(shop, products, staff)
    with pytest.raises(QuoteError) as refused:
        accept(shop, quote, **changes)
    assert refused.value.field == field
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT


def test_an_expired_quote_cannot_be_accepted_until_staff_extend_it(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(QuoteError) as refused:
        accept(shop, quote)
    assert refused.value.code == "expired"
    assert expire_quotes() == {"expired": 1, "reminded": 0}
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.EXPIRED
    extend_quote(
        shop=shop,
        quote_id=quote.pk,
        valid_until=timezone.localdate() + datetime.timedelta(days=7),
        actor=staff,
    )
    assert accept(shop, Quote.objects.get(pk=quote.pk)).status == QuoteStatus.ACCEPTED


def test_a_reminder_goes_once_within_the_shops_days(shop, products, staff):
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quote_reminder_days": 3}
    )
    shop = Shop.objects.get(pk=shop.pk)
    quote = sent_quote(shop, products, staff)
    assert expire_quotes()["reminded"] == 0  # 30 days left
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=2)
    )
    assert expire_quotes()["reminded"] == 1
    assert expire_quotes()["reminded"] == 0
    assert Message.objects.filter(kind=MessageKind.QUOTE_REMINDER).count() == 1


def test_declining_records_the_reason(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    declined = decline_quote(
        shop=shop, quote_id=quote.pk, revision=1, reason="Te duur", actor=CUSTOMER
    )
    assert declined.status == QuoteStatus.REJECTED and declined.declined_reason == "Te duur"
    with pytest.raises(QuoteError):
        accept(shop, declined)


def test_converting_makes_an_order_with_exactly_the_quotes_lines_after_the_catalogue_changed(
    shop, products, staff
):
    quote = sent_quote(shop, products, staff, discount_percent=Decimal("10"))
    lines = list(QuoteLine.objects.filter(quote=quote, revision=1))
    expected = quote_pricing(shop=shop, quote=quote, lines=lines).totals.gross
    # The catalogue and the shop change between sending and converting.
    Product.objects.filter(pk=products[0].pk).update(
        price=Decimal("99.99"), vat_rate=Decimal("9"), name="Nieuwe naam"
    )
    Shop.objects.filter(pk=shop.pk).update(shipping_fee=Decimal("50.00"))
    shop = Shop.objects.get(pk=shop.pk)
    accept(shop, quote)
    order = convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
    assert order.total_gross == expected
    assert [
        (line.name, line.quantity, line.unit_price, line.vat_rate) for line in order.lines.all()
    ] == [
        ("Fietsbel", 3, Decimal("11.69"), Decimal("21.00")),
        ("Montage aan huis", 1, Decimal("45.00"), Decimal("21.00")),
    ]
    [invoice] = Invoice.objects.filter(order=order)
    assert invoice.total_gross == expected
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONVERTED and quote.order == order
    # Twice: the same order, no second one.
    assert convert_quote(shop=shop, quote_id=quote.pk, actor=staff) == order
    assert Order.objects.count() == 1 and Invoice.objects.count() == 1


def test_acceptance_converts_at_once_when_the_shop_wants_it(shop, products, staff):
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_convert_on_acceptance": True}
    )
    shop = Shop.objects.get(pk=shop.pk)
    quote = sent_quote(shop, products, staff)
    accepted = accept(shop, quote)
    assert accepted.status == QuoteStatus.CONVERTED and accepted.order is not None


def test_converting_is_refused_by_name_when_a_product_is_short(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    Product.objects.filter(pk=products[0].pk).update(stock_level=1)
    with pytest.raises(QuoteError) as refused:
        convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
    assert "Fietsbel" in refused.value.message
    assert not Order.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT


def test_a_concept_cannot_be_converted_and_another_shop_cannot_touch_it(
    shop, other_shop, products, staff
):
    quote = make_quote(shop, products, staff)
    with pytest.raises(QuoteError):
        convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
    for step in (
        lambda: send_quote(shop=other_shop, quote_id=quote.pk, actor=staff),
        lambda: convert_quote(shop=other_shop, quote_id=quote.pk, actor=staff),
        lambda: cancel_quote(shop=other_shop, quote_id=quote.pk, actor=staff),
    ):
        with pytest.raises(QuoteError) as refused:
            step()
        assert refused.value.code == "not_found"


def test_a_duplicate_is_a_new_concept_with_the_same_lines(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    copy = duplicate_quote(shop=shop, quote_id=quote.pk, actor=staff)
    assert copy.number != quote.number and copy.status == QuoteStatus.CONCEPT
    assert QuoteLine.objects.filter(quote=copy).count() == 2


@pytest.mark.django_db(transaction=True)
def test_staff_and_the_customer_converting_at_once_make_one_order(shop, products, staff):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent row locks are a PostgreSQL test; SQLite serialises writers")
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_convert_on_acceptance": True}
    )
    shop = Shop.objects.get(pk=shop.pk)
    quote = sent_quote(shop, products, staff)
    start = threading.Barrier(4)
    outcomes = []

    def worker(index):
        try:
            start.wait()
            if index % 2:
                convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
            else:
                accept(shop, quote)
            outcomes.append("ok")
        except QuoteError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Order.objects.filter(shop=shop).count() == 1
    assert Invoice.objects.filter(shop=shop).count() == 1
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.CONVERTED
    assert "ok" in outcomes


def test_a_quote_without_an_address_is_accepted_but_not_converted_at_once(shop, products, staff):
    update_workflow_settings(
        shop=shop, user=None, section="quotes", values={"quotes_convert_on_acceptance": True}
    )
    shop = Shop.objects.get(pk=shop.pk)
    quote = create_quote(
        shop=shop,
        details=QuoteDetails(email="alleen@example.test"),
        lines=bell_and_fitting(products),
        actor=staff,
    )
    send_quote(shop=shop, quote_id=quote.pk, actor=staff)
    accepted = accept(shop, Quote.objects.get(pk=quote.pk))
    assert accepted.status == QuoteStatus.ACCEPTED and accepted.order_id is None
    assert not Order.objects.exists()
    assert QuoteEvent.objects.filter(quote=quote, kind=QuoteEventKind.CONVERSION_REFUSED).exists()
    with pytest.raises(QuoteError) as refused:
        convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
    assert refused.value.code == "no_address"


def test_a_withdrawn_quote_says_so_to_the_customer(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    cancel_quote(shop=shop, quote_id=quote.pk, actor=staff)
    with pytest.raises(QuoteError) as refused:
        accept(shop, quote)
    assert refused.value.code == "rejected"


def test_a_converted_quote_says_it_became_an_order_when_edited(shop, products, staff):
    quote = sent_quote(shop, products, staff)
    convert_quote(shop=shop, quote_id=quote.pk, actor=staff)
    with pytest.raises(QuoteError) as refused:
        update_quote(
            shop=shop, quote_id=quote.pk, details=prospect(), lines=[], actor=staff
        )  # refused for what it is, before the empty lines
    assert "has become an order" in refused.value.message
