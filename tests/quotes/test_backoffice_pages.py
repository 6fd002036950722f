"""The back office's quotes through the real HTTP stack: the Quotes list (search, tabs, filters,
pages, bulk actions), the editor (a product line and a free line; refusals next to their field),
a quote's page with its tabs and steps (send, extend, cancel, duplicate, convert), the order's
link back to its quote, and the walls: another shop's staff and a switched-off module get 404."""

import datetime
import re
import urllib.parse
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from kantoor.backoffice.quotes import urls as quote_urls
from kantoor.backoffice.quotes.tabs import timeline_entry
from kantoor.catalog.models import Product
from kantoor.core.actors import Actor
from kantoor.customers.models import Address, Customer
from kantoor.invoices.models import Invoice
from kantoor.messaging.models import Message, MessageKind
from kantoor.orders.models import Order
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import Quote, QuoteEvent, QuoteLine, QuoteStatus
from kantoor.quotes.selectors import QUOTE_LIST_PAGE_SIZE, customer_revision
from kantoor.quotes.services import accept_quote, create_quote, send_quote
from kantoor.shops.services import update_workflow_settings
from tests.quotes.test_services import bell_and_fitting, make_quote, prospect, sent_quote


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


def quote_page(shop, quote, tab=""):
    return url("quote", shop, quote_number=quote.number) + (f"?tab={tab}" if tab else "")


def flashes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def user(shop, make_staff):
    user = make_staff(shop)
    user.name = "Femke de Boer"
    user.save()
    return user


@pytest.fixture
def staff(user):
    return Actor.staff(user)


@pytest.fixture
def staff_client(client, user):
    client.force_login(user)
    return client


def editor_data(products, **overrides):
    """The editor's form as a browser posts it: a prospect, a bell at the catalogue price and a
    free line for fitting it."""
    bell = products[0]
    data = {
        "customer": "",
        "email": "Karin@Example.test",
        "first_name": "Karin",
        "last_name": "Klant",
        "company": "Klant & Co",
        "vat_number": "",
        "phone": "06 1234 5678",
        "street": "Dorpsstraat 4",
        "postcode": "1234ab",
        "city": "Ergens",
        "country": "NL",
        "language": "nl",
        "shipping_method": "delivery",
        "valid_until": "",
        "note": "Graag tot ziens!",
        "internal_note": "Belde op dinsdag",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": str(bell.pk),
        "lines-0-description": "",
        "lines-0-quantity": "3",
        "lines-0-unit_price": "",
        "lines-0-discount_percent": "10",
        "lines-0-vat_rate": "",
        "lines-1-product": "",
        "lines-1-description": "Montage aan huis",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "45.00",
        "lines-1-discount_percent": "",
        "lines-1-vat_rate": "21.00",
    }
    data.update(overrides)
    return data


# --- The list ----------------------------------------------------------------------------------


def test_the_menu_opens_the_quotes_list_and_an_empty_shop_is_told_what_it_is_for(
    staff_client, shop
):
    overview = staff_client.get(url("overview", shop)).text
    assert f'href="{url("quotes", shop)}"' in overview
    page = staff_client.get(url("quotes", shop))
    assert page.status_code == 200
    assert "Coming soon" not in page.text
    assert 'id="quotes-empty"' in page.text and "Write your first quote" in page.text


def test_the_list_searches_by_number_name_and_e_mail(staff_client, shop, products, staff):
    karin = make_quote(shop, products, staff)
    piet = create_quote(
        shop=shop,
        details=prospect(email="piet@bakker.test", first_name="Piet", last_name="Bakker"),
        lines=bell_and_fitting(products),
        actor=staff,
    )
    listed = staff_client.get(url("quotes", shop))
    assert karin.number in listed.text and piet.number in listed.text
    assert "2 quotes" in listed.text
    for query, found, other in (
        (piet.number, piet, karin),
        (piet.number.lower(), piet, karin),
        ("karin klant", karin, piet),
        ("bakker", piet, karin),
        ("PIET@bakker.test", piet, karin),
        ("bakker.te", piet, karin),
    ):
        page = staff_client.get(url("quotes", shop), {"q": query}).text
        assert f'data-quote="{found.number}"' in page, query
        assert f'data-quote="{other.number}"' not in page, query
    nothing = staff_client.get(url("quotes", shop), {"q": "niemand"}).text
    assert 'id="quotes-no-match"' in nothing and "Search: “niemand”" in nothing


def test_the_tabs_and_filters_narrow_the_list(staff_client, shop, products, staff):
    concept = make_quote(shop, products, staff)
    later = sent_quote(shop, products, staff)
    soon = create_quote(
        shop=shop,
        details=prospect(valid_until=timezone.localdate() + datetime.timedelta(days=3)),
        lines=bell_and_fitting(products),
        actor=staff,
    )
    send_quote(shop=shop, quote_id=soon.pk, actor=staff)
    requested = create_quote(
        shop=shop, details=prospect(), lines=bell_and_fitting(products), actor=staff, requested=True
    )

    def shown(**params):
        page = staff_client.get(url("quotes", shop), params).text
        return {
            q.number
            for q in (concept, later, soon, requested)
            if f'data-quote="{q.number}"' in page
        }

    assert shown() == {concept.number, later.number, soon.number, requested.number}
    assert shown(view="sent") == {later.number, soon.number}
    assert shown(view="requested") == {requested.number}
    assert shown(view="expiring") == {soon.number}
    assert shown(view="accepted") == set()
    assert shown(status="concept") == {concept.number}
    assert shown(status=["concept", "requested"]) == {concept.number, requested.number}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert shown(date_from=tomorrow) == set()
    assert shown(date_to=timezone.localdate().isoformat()) == shown()
    # The tab and the chips are links that keep the rest of the filter.
    page = staff_client.get(url("quotes", shop), {"view": "sent", "status": "sent"}).text
    assert 'aria-current="page">Sent</a>' in page
    assert "Status: Sent" in page
    # A status badge in the quote colours (kind "quote").
    assert '<span class="status-badge" data-status="quote-sent">Sent</span>' in page
    # A wrong filter is reported and left out.
    wrong = staff_client.get(url("quotes", shop), {"status": "paid", "date_from": "morgen"})
    assert wrong.status_code == 200 and "kt-ol-errors" in wrong.text


def test_keyset_pages_walk_more_than_a_page_of_quotes(staff_client, shop, products, staff):
    made = [make_quote(shop, products, staff) for _ in range(QUOTE_LIST_PAGE_SIZE + 3)]
    first = staff_client.get(url("quotes", shop))
    assert f"{len(made)} quotes" in first.text
    numbers = re.findall(r'data-quote="([^"]+)"', first.text)
    assert len(numbers) == QUOTE_LIST_PAGE_SIZE
    assert numbers[0] == made[-1].number  # newest first
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = staff_client.get(next_url)
    rest = re.findall(r'data-quote="([^"]+)"', second.text)
    assert rest == [q.number for q in reversed(made[:3])]
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
    # An edited page link gives the first page and says so.
    stale = staff_client.get(url("quotes", shop), {"after": "not-a-cursor"})
    assert "no longer valid" in stale.text


def test_the_htmx_request_gets_only_the_results(staff_client, shop, products, staff):
    make_quote(shop, products, staff)
    part = staff_client.get(url("quotes", shop), {"q": "karin"}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div id="quote-list"')


def test_bulk_extend_and_cancel_say_what_happened(staff_client, shop, products, staff):
    sent = sent_quote(shop, products, staff)
    concept = make_quote(shop, products, staff)
    back = "view=sent&next=https://evil.test"
    response = staff_client.post(
        url("quotes_bulk", shop),
        {"quote": [sent.pk, concept.pk], "action": "extend-14", "back": back},
    )
    assert (
        response.status_code == 302 and response["Location"] == url("quotes", shop) + "?view=sent"
    )
    said = flashes(response)
    assert "1 quote extended by 14 days." in said
    assert any(concept.number in m and "Only a sent or expired quote" in m for m in said)
    response = staff_client.post(
        url("quotes_bulk", shop), {"quote": [sent.pk, concept.pk], "action": "cancel"}
    )
    assert "2 quotes cancelled." in flashes(response)
    assert set(Quote.objects.values_list("status", flat=True)) == {QuoteStatus.REJECTED}
    for data, message in (
        ({"action": "cancel"}, "Select the quotes first."),
        ({"quote": ["x"], "action": "cancel"}, "The selection contains an unknown quote."),
        ({"quote": [sent.pk], "action": "extend-9999"}, "Choose what to do"),
        ({"quote": [10**12], "action": "cancel"}, "None of the selected quotes"),
    ):
        said = flashes(staff_client.post(url("quotes_bulk", shop), data))
        assert any(message in m for m in said), (data, said)


def test_bulk_extension_starts_from_the_last_day_or_today(staff_client, shop, products, staff):
    sent = sent_quote(shop, products, staff)
    before = sent.valid_until
    staff_client.post(url("quotes_bulk", shop), {"quote": [sent.pk], "action": "extend-7"})
    sent.refresh_from_db()
    assert sent.valid_until == before + datetime.timedelta(days=7)


# --- The editor --------------------------------------------------------------------------------


def test_staff_make_a_quote_with_a_product_line_and_a_free_line(staff_client, shop, products, user):
    page = staff_client.get(url("quote_new", shop))
    assert page.status_code == 200
    assert "Fietsbel (BEL-01) · €12.99" in page.text and "No product: a free line" in page.text
    default_day = timezone.localdate() + datetime.timedelta(days=30)
    assert f'value="{default_day.isoformat()}"' in page.text  # the shop's usual validity

    response = staff_client.post(url("quote_new", shop), editor_data(products))

    quote = Quote.objects.get(shop=shop)
    assert response.status_code == 302 and response["Location"] == quote_page(shop, quote)
    assert f"Quote {quote.number} saved as a concept." in flashes(response)
    assert quote.status == QuoteStatus.CONCEPT and quote.revision == 1
    assert (quote.email, quote.company, quote.postcode) == (
        "karin@example.test",
        "Klant & Co",
        "1234 AB",
    )
    assert quote.valid_until == default_day
    assert quote.note == "Graag tot ziens!" and quote.internal_note == "Belde op dinsdag"
    bell, fitting = QuoteLine.objects.filter(quote=quote).order_by("position")
    assert (bell.product_id, bell.description, bell.unit_price) == (
        products[0].pk,
        "Fietsbel",
        Decimal("12.99"),
    )
    assert (bell.quantity, bell.discount_percent, bell.vat_rate) == (
        3,
        Decimal("10"),
        Decimal("21"),
    )
    assert (fitting.product_id, fitting.description, fitting.unit_price) == (
        None,
        "Montage aan huis",
        Decimal("45"),
    )
    assert QuoteEvent.objects.get(quote=quote).actor_label == "Femke de Boer"
    shown = staff_client.get(quote_page(shop, quote)).text
    # 3 x 11.69 (10 % off 12.99) + 45.00 + shipping 6.95
    assert "€35.07" in shown and "€45.00" in shown and "€87.02" in shown
    assert "€12.99 less 10% discount" in shown and "Free line" in shown


def test_an_edited_price_and_a_chosen_vat_rate_win_over_the_catalogue(staff_client, shop, products):
    data = editor_data(products, **{"lines-0-unit_price": "11.50", "lines-0-vat_rate": "9.00"})
    staff_client.post(url("quote_new", shop), data)
    bell = QuoteLine.objects.get(product=products[0])
    assert (bell.unit_price, bell.vat_rate) == (Decimal("11.50"), Decimal("9"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lines-0-quantity": "-2"}, ("lines", 0, "quantity"), "A quantity must be between 1 and"),
        (
            {"lines-0-product": "999999"},
            ("lines", 0, "product"),
            "Choose a product from your catalogue.",
        ),
        (
            {"valid_until": "2001-01-01"},
            ("form", "valid_until"),
            "The validity date cannot be in the past.",
        ),
        ({"lines-1-vat_rate": ""}, ("lines", 1, "vat_rate"), "Choose the VAT rate of the line."),
        ({"lines-1-description": ""}, ("lines", 1, "description"), "Describe the line."),
        ({"lines-1-unit_price": "1.234"}, ("lines", 1, "unit_price"), "A price is 0 or more"),
        (
            {"lines-0-discount_percent": "120"},
            ("lines", 0, "discount_percent"),
            "A discount is a percentage",
        ),
        ({"email": "geen-adres"}, ("form", "email"), "Enter an e-mail address in the right format"),
        ({"postcode": "12345"}, ("form", "postcode"), "postcode"),
        ({"shipping_method": "drone"}, ("form", "shipping_method"), "Select a valid choice"),
    ],
)
def test_a_refusal_is_shown_next_to_its_field_and_nothing_is_written(
    staff_client, shop, products, changes, field, message
):
    response = staff_client.post(url("quote_new", shop), editor_data(products, **changes))
    assert response.status_code == 400
    if field[0] == "lines":
        errors = response.context["formset"].forms[field[1]].errors[field[2]]
    else:
        errors = response.context["form"].errors[field[1]]
    assert any(message.lower() in e.lower() for e in errors), errors
    assert 'id="error-summary"' in response.text
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()
    # Nothing typed is lost.
    assert "Montage aan huis" in response.text or changes.get("lines-1-description") == ""


def test_a_removed_row_does_not_shift_the_refusal_to_another_row(staff_client, shop, products):
    data = editor_data(
        products,
        **{
            "lines-TOTAL_FORMS": "3",
            "lines-0-DELETE": "on",
            "lines-2-product": "",
            "lines-2-description": "Gratis koffie",
            "lines-2-quantity": "0",
            "lines-2-unit_price": "0",
            "lines-2-vat_rate": "9.00",
        },
    )
    response = staff_client.post(url("quote_new", shop), data)
    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert "quantity" in forms[2].errors and not forms[1].errors and not forms[0].errors


def test_no_line_at_all_is_refused_with_the_reason_on_top(staff_client, shop, products):
    data = editor_data(products, **{"lines-0-DELETE": "on", "lines-1-DELETE": "on"})
    response = staff_client.post(url("quote_new", shop), data)
    assert response.status_code == 400
    assert "Add at least one line to the quote." in response.text
    assert not Quote.objects.exists()


def test_a_customer_is_found_and_their_details_are_filled_in(
    staff_client, shop, products, make_order
):
    make_order(shop, products[:1], email="jan@example.test")
    customer = Customer.objects.get(shop=shop, email="jan@example.test")
    Address.objects.create(
        shop=shop,
        customer=customer,
        name="Jan Jansen",
        street="Kerkstraat 9",
        postcode="3511 BB",
        city="Utrecht",
        is_default_billing=True,
    )
    found = staff_client.get(url("quote_new", shop), {"find": "jansen"}).text
    assert f'href="?customer={customer.pk}"' in found
    chosen = staff_client.get(url("quote_new", shop), {"customer": customer.pk})
    assert "A quote for Jan Jansen" in chosen.text
    assert chosen.context["form"].initial["street"] == "Kerkstraat 9"
    data = editor_data(products, customer=str(customer.pk), email="jan@example.test")
    staff_client.post(url("quote_new", shop), data)
    assert Quote.objects.get(shop=shop).customer == customer
    # Another shop's customer is not to be had.
    assert staff_client.get(url("quote_new", shop), {"customer": 10**9}).status_code == 404


def test_editing_a_sent_quote_makes_revision_2_the_customer_sees_once_sent(
    staff_client, shop, products, staff
):
    quote = sent_quote(shop, products, staff)
    page = staff_client.get(url("quote_edit", shop, quote_number=quote.number))
    assert page.status_code == 200
    assert "Saving makes revision 2, a concept: the customer keeps seeing revision 1" in page.text
    initial = page.context["formset"].initial
    assert initial[0]["product"] == products[0].pk and initial[0]["vat_rate"] == ""
    assert initial[1]["description"] == "Montage aan huis" and initial[1]["vat_rate"] == "21.00"

    data = editor_data(products, **{"lines-0-quantity": "5", "email": quote.email})
    response = staff_client.post(url("quote_edit", shop, quote_number=quote.number), data)

    assert response.status_code == 302
    assert any("saved as revision 2" in m for m in flashes(response))
    quote.refresh_from_db()
    assert (quote.status, quote.revision, quote.sent_revision) == (QuoteStatus.CONCEPT, 2, 1)
    assert customer_revision(quote) == 1
    assert QuoteLine.objects.get(quote=quote, revision=1, position=1).quantity == 3
    assert QuoteLine.objects.get(quote=quote, revision=2, position=1).quantity == 5
    overview = staff_client.get(quote_page(shop, quote)).text
    assert "The customer sees revision 1. Revision 2 below is a concept" in overview
    assert "Send the new version" in overview


def test_an_accepted_quote_cannot_be_edited(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    accept_quote(
        shop=shop,
        quote_id=quote.pk,
        revision=1,
        name="Karin Klant",
        terms_accepted=True,
        ip_address="192.0.2.7",
        actor=Actor.customer(quote.email),
    )
    for method in (staff_client.get, staff_client.post):
        response = method(url("quote_edit", shop, quote_number=quote.number))
        assert response.status_code == 302 and response["Location"] == quote_page(shop, quote)
        assert (
            f"Quote {quote.number} has been accepted: it is what was agreed"
            in flashes(response)[-1]
        )
    assert QuoteLine.objects.filter(quote=quote).count() == 2
    overview = staff_client.get(quote_page(shop, quote)).text
    assert "Karin Klant" in overview and "192.0.2.7" in overview and "data-acceptance" in overview
    assert "Convert to order" in overview and "Edit quote" not in overview


# --- A quote's page and its steps --------------------------------------------------------------


def test_send_puts_the_e_mail_on_the_sent_messages_tab(staff_client, shop, products, staff):
    quote = make_quote(shop, products, staff)
    page = staff_client.get(quote_page(shop, quote)).text
    assert "Send to the customer" in page and "the customer sees nothing of it" in page
    assert "No e-mails yet" in staff_client.get(quote_page(shop, quote, "messages")).text

    response = staff_client.post(url("quote_send", shop, quote_number=quote.number))

    assert response.status_code == 302 and response["Location"] == quote_page(shop, quote)
    assert f"Quote {quote.number} sent to klant@example.test." in flashes(response)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.sent_revision == 1
    [message] = Message.objects.filter(shop=shop, kind=MessageKind.QUOTE)
    tab = staff_client.get(quote_page(shop, quote, "messages")).text
    assert f'data-message="{message.pk}"' in tab and "to klant@example.test" in tab
    # Sending again is refused with the reason, and the page no longer offers it.
    again = staff_client.post(url("quote_send", shop, quote_number=quote.number))
    assert "cannot be sent now" in flashes(again)[-1]
    assert "Send to the customer" not in staff_client.get(quote_page(shop, quote)).text


def test_extend_moves_the_last_day(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    day = timezone.localdate() + datetime.timedelta(days=60)
    response = staff_client.post(
        url("quote_extend", shop, quote_number=quote.number), {"valid_until": day.isoformat()}
    )
    assert response.status_code == 302
    assert any("extended" in m for m in flashes(response))
    quote.refresh_from_db()
    assert quote.valid_until == day
    for bad, said in (
        ("", "Choose the new last day"),
        ("2001-01-01", "Choose a day from today on."),
    ):
        response = staff_client.post(
            url("quote_extend", shop, quote_number=quote.number), {"valid_until": bad}
        )
        assert said in flashes(response)[-1]
    quote.refresh_from_db()
    assert quote.valid_until == day


def test_cancel_with_a_reason_reads_on_the_history_tab(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    response = staff_client.post(
        url("quote_cancel", shop, quote_number=quote.number), {"reason": "Klant koos een ander"}
    )
    assert any("cancelled" in m for m in flashes(response))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED
    history = staff_client.get(quote_page(shop, quote, "history")).text
    assert "Quote cancelled by Femke de Boer" in history and "Klant koos een ander" in history
    assert "Revision 1 sent to klant@example.test by Femke de Boer" in history
    assert "Quote made by Femke de Boer" in history
    again = staff_client.post(url("quote_cancel", shop, quote_number=quote.number))
    assert "cannot be cancelled" in flashes(again)[-1]


def test_duplicate_opens_the_copy(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    response = staff_client.post(url("quote_duplicate", shop, quote_number=quote.number))
    copy = Quote.objects.exclude(pk=quote.pk).get(shop=shop)
    assert response["Location"] == quote_page(shop, copy)
    assert copy.status == QuoteStatus.CONCEPT and QuoteLine.objects.filter(quote=copy).count() == 2
    assert any(copy.number in m and quote.number in m for m in flashes(response))


def test_convert_places_the_order_and_the_order_links_back(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    response = staff_client.post(url("quote_convert", shop, quote_number=quote.number))
    order = Order.objects.get(shop=shop)
    assert response.status_code == 302
    assert response["Location"] == url("order", shop, number=order.number)
    assert any(order.number in m and quote.number in m for m in flashes(response))
    assert Invoice.objects.filter(order=order).count() == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CONVERTED and quote.order == order
    order_page = staff_client.get(url("order", shop, number=order.number)).text
    assert "data-from-quote" in order_page
    assert f'href="{quote_page(shop, quote)}">{quote.number}</a>' in order_page
    shown = staff_client.get(quote_page(shop, quote)).text
    assert f'href="{url("order", shop, number=order.number)}">{order.number}</a>' in shown
    assert "Convert to order" not in shown
    assert "Converted into order" in staff_client.get(quote_page(shop, quote, "history")).text
    # An order not made from a quote has no such card.
    update_workflow_settings(
        shop=shop, user=None, section="modules", values={"quotes_enabled": False}
    )
    assert "data-from-quote" not in staff_client.get(url("order", shop, number=order.number)).text


def test_a_conversion_refused_for_stock_says_which_product(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    Product.objects.filter(pk=products[0].pk).update(stock_level=1)
    response = staff_client.post(url("quote_convert", shop, quote_number=quote.number))
    assert response.status_code == 302 and response["Location"] == quote_page(shop, quote)
    said = flashes(response)[-1]
    assert "Fietsbel" in said and "stock" in said.lower()
    assert not Order.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT


def test_a_concept_cannot_be_converted(staff_client, shop, products, staff):
    quote = make_quote(shop, products, staff)
    response = staff_client.post(url("quote_convert", shop, quote_number=quote.number))
    assert "can be converted once it is sent or accepted" in flashes(response)[-1]
    assert not Order.objects.exists()


def test_the_three_tabs_render(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    for tab, marker in (
        ("", 'id="quote-lines"'),
        ("messages", "data-messages-table"),
        ("history", 'id="timeline"'),
        ("nonsense", 'id="quote-lines"'),
    ):
        page = staff_client.get(quote_page(shop, quote, tab))
        assert page.status_code == 200 and marker in page.text, tab
    events = set(QuoteEvent.objects.filter(quote=quote).values_list("kind", flat=True))
    assert events == {QuoteEventKind.CREATED, QuoteEventKind.SENT}


def test_every_event_kind_has_its_own_sentence(shop, products, staff):
    quote = make_quote(shop, products, staff)
    fallback = "by "
    for kind in QuoteEventKind:
        event = QuoteEvent(
            quote=quote, kind=kind, actor_label="Femke", data={}, created_at=timezone.now()
        )
        entry = timeline_entry(event)
        assert entry.icon != "circle-dot", kind
        assert entry.title and (
            fallback in entry.title or kind in ("expired", "reminded", "conversion_refused")
        ), kind


# --- The walls ---------------------------------------------------------------------------------


def quote_url_names() -> list[str]:
    return [pattern.name for pattern in quote_urls.urlpatterns if isinstance(pattern, URLPattern)]


def every_quote_url(shop, quote) -> list[tuple[str, str]]:
    """(name, URL) of every quote page: those of one quote with ``quote``'s number."""
    found = []
    for pattern in quote_urls.urlpatterns:
        takes_number = "quote_number" in pattern.pattern.converters
        kwargs = {"quote_number": quote.number} if takes_number else {}
        found.append((pattern.name, url(pattern.name, shop, **kwargs)))
    return found


# The methods each quote page answers (anything else gets 405 before the shop is looked at).
METHODS = {
    "quotes": ("get",),
    "quote": ("get",),
    "quote_new": ("get", "post"),
    "quote_edit": ("get", "post"),
    **dict.fromkeys(
        (
            "quotes_bulk",
            "quote_send",
            "quote_duplicate",
            "quote_extend",
            "quote_cancel",
            "quote_convert",
        ),
        ("post",),
    ),
}


def ask(client, name, target, data=None):
    """Every answer of a quote page to the methods it takes."""
    return [getattr(client, method)(target, data or {}) for method in METHODS[name]]


def test_the_walk_covers_every_quote_page():
    assert set(quote_url_names()) == set(METHODS)
    # ... and every one of them is part of the quotes module (off: 404).
    for pattern in quote_urls.urlpatterns:
        assert getattr(pattern.callback, "kantoor_module", None) == "quotes", pattern.name


def test_another_shops_staff_get_404_on_every_quote_url(
    client, shop, other_shop, products, staff, make_staff
):
    quote = sent_quote(shop, products, staff)
    client.force_login(make_staff(other_shop, email="vreemd@example.test"))
    for name, target in every_quote_url(shop, quote):
        for response in ask(client, name, target, editor_data(products)):
            assert response.status_code == 404, name
    # Their own shop has no quote of that number either.
    for name, target in every_quote_url(other_shop, quote):
        if quote.number in target:
            for response in ask(client, name, target, editor_data(products)):
                assert response.status_code == 404, name
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and Quote.objects.count() == 1


def test_a_switched_off_module_answers_404_on_every_quote_url(staff_client, shop, products, staff):
    quote = sent_quote(shop, products, staff)
    update_workflow_settings(
        shop=shop, user=None, section="modules", values={"quotes_enabled": False}
    )
    for name, target in every_quote_url(shop, quote):
        for response in ask(staff_client, name, target):
            assert response.status_code == 404, name
    assert f'href="{url("quotes", shop)}"' not in staff_client.get(url("overview", shop)).text


HOSTILE = ["\u00b2", "9" * 5000, "-1", "1e999", "NaN", "<script>", "0", "' OR 1=1 --", "\ud7ff"]


def test_hostile_input_on_every_quote_url_is_no_server_error(shop, products, staff, user, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    client.force_login(user)
    quote = sent_quote(shop, products, staff)
    names = list(editor_data(products)) + ["quote", "action", "back", "reason", "find", "tab"]
    names += ["q", "view", "status", "date_from", "date_to", "after", "before", "last"]
    failures = []
    for name, target in every_quote_url(shop, quote):
        for bad in HOSTILE:
            query = urllib.parse.urlencode(dict.fromkeys(names, bad))
            for response in (
                client.get(f"{target}?{query}"),
                client.post(target, {**editor_data(products), **dict.fromkeys(names, bad)}),
                client.post(target, dict.fromkeys(names, bad)),
            ):
                if response.status_code >= 500:
                    failures.append((name, bad[:20], response.status_code))
    assert failures == []


def test_the_list_needs_the_same_queries_for_2_or_20_quotes(staff_client, shop, products, staff):
    counts = []
    for wanted in (2, 20):
        while Quote.objects.filter(shop=shop).count() < wanted:
            make_quote(shop, products, staff)
        staff_client.get(url("quotes", shop))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url("quotes", shop)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_quote_page_needs_the_same_queries_for_2_or_20_lines(
    staff_client, shop, products, staff
):
    few = make_quote(shop, products, staff)
    many = create_quote(
        shop=shop,
        details=prospect(),
        lines=bell_and_fitting(products) * 10,
        actor=staff,
    )
    counts = []
    for quote in (few, many):
        for tab in ("", "messages", "history"):
            staff_client.get(quote_page(shop, quote, tab))
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(quote_page(shop, quote)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
