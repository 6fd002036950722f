"""The Payments page (My orders > Payments) through the HTTP stack: the shop's own payments only,
filters and search in the URL, bad filters reported, empty states, htmx, keyset pages."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kantoor.invoices.models import Invoice
from kantoor.payments.models import Payment, PaymentState, Provider


def list_url(shop, query=""):
    return reverse("backoffice:payments", kwargs={"shop_slug": shop.slug}) + query


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-payment="(\d+)"', response.text)]


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def make_payment(order, *, provider=Provider.MOLLIE, state=PaymentState.PAID, amount=None, **kw):
    invoice = Invoice.objects.filter(order=order).order_by("id").first()
    at = kw.pop("created_at", timezone.now())
    return Payment.objects.create(
        shop_id=order.shop_id,
        invoice=invoice,
        order=order,
        provider=provider,
        provider_payment_id=kw.pop("provider_payment_id", f"tr_{uuid.uuid4().hex[:10]}"),
        method=kw.pop("method", "ideal"),
        amount=amount or invoice.total_gross,
        state=state,
        created_at=at,
        updated_at=at,
        paid_at=at if state == PaymentState.PAID else None,
        **kw,
    )


@pytest.fixture
def order(shop, products, make_order):
    return make_order(shop, products[:2])


def test_another_shops_staff_gets_404(client, shop, other_shop, make_staff):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    assert client.get(list_url(shop)).status_code == 404
    assert client.get(list_url(shop, "?state=paid&q=ORD")).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, shop):
    response = client.get(list_url(shop))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_menu_links_to_the_page(staff_client, shop):
    html = staff_client.get(reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})).text
    assert f'href="{list_url(shop)}"' in html


def test_empty_state_says_what_the_page_is_for(staff_client, shop):
    response = staff_client.get(list_url(shop))
    assert response.status_code == 200
    assert 'id="payments-empty"' in response.text
    assert "No payments yet" in response.text


def test_the_list_shows_the_shops_payments_with_their_invoice_and_order(
    staff_client, shop, other_shop, order, make_product, make_order
):
    mine = make_payment(order, method="creditcard", amount=Decimal("10.00"))
    gift = make_product(other_shop, sku="BON", price="5.00", track_stock=False, stock=0)
    theirs = make_payment(make_order(other_shop, [gift], email="x@example.test"))
    response = staff_client.get(list_url(shop))
    assert response.status_code == 200
    assert shown(response) == [mine.pk]
    assert theirs.pk not in shown(response)
    html = response.text
    invoice = mine.invoice
    order_url = reverse("backoffice:order", kwargs={"shop_slug": shop.slug, "number": order.number})
    assert f'href="{order_url}?tab=invoices&amp;invoice={invoice.number}"' in html
    assert "Credit card" in html and "Mollie" in html
    assert 'data-status="payment-paid"' in html
    assert "Jan Jansen" in html
    assert "1 payment" in html


def test_filters_state_provider_date_and_search(staff_client, shop, order, products, make_order):
    other_order = make_order(shop, products[:1], email="piet@example.test")
    paid = make_payment(order)
    failed = make_payment(order, state=PaymentState.FAILED, provider=Provider.DEMO)
    old = make_payment(
        other_order,
        provider=Provider.MANUAL,
        method="banktransfer",
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    assert set(shown(staff_client.get(list_url(shop, "?state=paid")))) == {paid.pk, old.pk}
    assert shown(staff_client.get(list_url(shop, "?state=failed"))) == [failed.pk]
    assert shown(staff_client.get(list_url(shop, "?provider=manual"))) == [old.pk]
    response = staff_client.get(list_url(shop, "?provider=demo&provider=mollie"))
    assert set(shown(response)) == {paid.pk, failed.pk}
    assert "Paid through: Demo (test mode)" in response.text  # a chip that removes it
    today = timezone.localdate().isoformat()
    assert set(shown(staff_client.get(list_url(shop, f"?date_from={today}")))) == {
        paid.pk,
        failed.pk,
    }
    before = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert shown(staff_client.get(list_url(shop, f"?date_to={before}"))) == [old.pk]
    assert shown(staff_client.get(list_url(shop, f"?q={other_order.number}"))) == [old.pk]
    assert shown(staff_client.get(list_url(shop, f"?q={old.provider_payment_id}"))) == [old.pk]
    response = staff_client.get(list_url(shop, "?q=NOTHING-LIKE-THIS"))
    assert shown(response) == [] and 'id="payments-no-match"' in response.text


def test_bad_filters_are_reported_and_left_out(staff_client, shop, order):
    payment = make_payment(order)
    for query, message in [
        ("?state=lost", "Select a valid choice"),
        ("?provider=paypal", "Select a valid choice"),
        ("?date_from=yesterday", "Enter a valid date"),
        ("?date_from=2026-05-02&date_to=2026-05-01", "The end date is before the start date."),
        ("?after=garbage", "That page link is no longer valid"),
        ("?q=" + "x" * 101, "at most 100 characters"),
    ]:
        response = staff_client.get(list_url(shop, query))
        assert response.status_code == 200, query
        assert message in response.text, query
    assert shown(staff_client.get(list_url(shop, "?state=lost"))) == [payment.pk]


def test_htmx_gets_only_the_results(staff_client, shop, order):
    make_payment(order)
    partial = staff_client.get(list_url(shop, "?state=paid"), headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="payment-list"')
    assert "<html" not in partial.text
    assert "HX-Request" in partial["Vary"]


def test_keyset_pages(staff_client, shop, order, monkeypatch):
    monkeypatch.setattr("kantoor.payments.selectors.PAYMENT_LIST_PAGE_SIZE", 50)
    start = timezone.now() - datetime.timedelta(days=1)
    payments = [
        make_payment(
            order, state=PaymentState.FAILED, created_at=start + datetime.timedelta(minutes=i)
        )
        for i in range(55)
    ]
    newest_first = [p.pk for p in reversed(payments)]
    first = staff_client.get(list_url(shop))
    assert shown(first) == newest_first[:50]
    assert "55 payments" in first.text
    next_href = re.search(r'href="[^"?]*(\?after=[^"]+)" rel="next"', first.text).group(1)
    second = staff_client.get(list_url(shop, next_href.replace("&amp;", "&")))
    assert shown(second) == newest_first[50:]
    assert 'rel="next"' not in second.text
    last = staff_client.get(list_url(shop, "?last=1"))
    assert shown(last) == newest_first[-50:]


def test_the_page_costs_the_same_queries_for_one_or_many_payments(
    staff_client, shop, order, products, make_order
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_payment(order)
    staff_client.get(list_url(shop))
    with CaptureQueriesContext(connection) as one:
        staff_client.get(list_url(shop))
    for i in range(10):
        make_payment(make_order(shop, products[2:], email=f"k{i}@example.test"))
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(list_url(shop))
    assert len(shown(response)) == 11
    assert len(many.captured_queries) == len(one.captured_queries)
