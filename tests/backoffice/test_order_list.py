"""The back-office order list through the HTTP stack: scoping, filters in the URL, htmx,
bulk status change, no N+1 queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import change_order_status
from tests.orders.test_list_selectors import START, bulk, details

S = OrderStatus


def list_url(shop, query=""):
    return reverse("backoffice:orders", kwargs={"shop_slug": shop.slug}) + query


def bulk_url(shop):
    return reverse("backoffice:orders_bulk_status", kwargs={"shop_slug": shop.slug})


def shown(response) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)"', response.text)


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def make_many(shop, products, count, start=START, status=S.NEW, email_prefix="k"):
    rows = [
        (
            start + datetime.timedelta(minutes=i),
            status,
            details(f"{email_prefix}{i}@example.test", company="Velo BV" if i % 2 else ""),
            1 + i % 3,
        )
        for i in range(count)
    ]
    return bulk(shop, products, rows)


# --- Scoping ---------------------------------------------------------------------------------


def test_another_shops_staff_gets_404_for_every_list_url(client, shop, other_shop, make_staff):
    client.force_login(make_staff(other_shop, email="other@example.test"))
    assert client.get(list_url(shop)).status_code == 404
    assert client.get(list_url(shop, "?q=jan&status=1")).status_code == 404
    assert client.post(bulk_url(shop), {"order": ["1"], "status": S.SHIPPED}).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, shop):
    response = client.get(list_url(shop))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(bulk_url(shop), {"order": ["1"], "status": "5"}).status_code == 302


def test_the_list_shows_only_this_shops_orders(
    staff_client, shop, other_shop, products, make_product
):
    mine = make_many(shop, products, 3)
    gift = make_product(other_shop, sku="BON", price="5.00", track_stock=False, stock=0)
    theirs = bulk(other_shop, [gift] * 3, [(START, S.NEW, details("x@example.test"), 1)])
    response = staff_client.get(list_url(shop))
    assert response.status_code == 200
    numbers = shown(response)
    assert sorted(numbers) == sorted(o.number for o in mine)
    assert theirs[0].number not in numbers or theirs[0].number in {o.number for o in mine}
    assert "x@example.test" not in response.text


def test_bulk_status_with_another_shops_order_ids_changes_nothing(
    staff_client, shop, other_shop, products, make_product
):
    make_many(shop, products, 1)
    gift = make_product(other_shop, sku="BON", price="5.00", track_stock=False, stock=0)
    theirs = bulk(other_shop, [gift] * 3, [(START, S.NEW, details("x@example.test"), 1)])[0]

    response = staff_client.post(
        bulk_url(shop), {"order": [str(theirs.pk)], "status": S.SHIPPED}, follow=True
    )

    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == S.NEW
    assert not OrderEvent.objects.filter(order=theirs, kind=OrderEventKind.STATUS_CHANGED).exists()
    assert "None of the selected orders were found in this shop." in response.text


# --- What the list shows ---------------------------------------------------------------------


def test_empty_shop_says_what_the_list_is_for(staff_client, shop):
    response = staff_client.get(list_url(shop))
    assert 'id="orders-empty"' in response.text
    assert "No orders yet" in response.text


def test_no_matches_is_a_different_empty_state(staff_client, shop, products):
    make_many(shop, products, 2)
    response = staff_client.get(list_url(shop, "?q=nothing-matches-this"))
    assert 'id="orders-no-match"' in response.text
    assert 'id="orders-empty"' not in response.text


def test_columns_number_date_customer_status_items_total(staff_client, shop, products):
    order = make_many(shop, products, 1)[0]
    response = staff_client.get(list_url(shop))
    html = response.text
    assert order.number in html
    assert f'datetime="{timezone.localtime(order.created_at).isoformat()}"' in html
    assert "Jan Jansen" in html
    assert 'class="status-badge"' in html and "New" in html
    assert "€" in html and 'class="text-end kt-num"' in html
    assert f">{order.item_count}<" in html


def test_filters_search_and_sort_live_in_the_url(staff_client, shop, products):
    orders = make_many(shop, products, 6)
    change_order_status(shop=shop, order=orders[0], status=S.SHIPPED, actor=Actor.system())
    change_order_status(shop=shop, order=orders[1], status=S.CANCELLED, actor=Actor.system())

    by_status = shown(staff_client.get(list_url(shop, f"?status={S.SHIPPED}&status={S.CANCELLED}")))
    assert sorted(by_status) == sorted([orders[0].number, orders[1].number])

    assert shown(staff_client.get(list_url(shop, "?q=k3%40example"))) == [orders[3].number]
    assert shown(staff_client.get(list_url(shop, f"?q={orders[4].number}"))) == [orders[4].number]
    oldest_first = shown(staff_client.get(list_url(shop, "?sort=date")))
    assert oldest_first == [o.number for o in orders]
    day = START.date().isoformat()
    assert len(shown(staff_client.get(list_url(shop, f"?date_from={day}&date_to={day}")))) == 6
    assert shown(staff_client.get(list_url(shop, "?date_from=2031-01-01"))) == []


def test_customer_filter_shows_a_chip_with_their_name(staff_client, shop, products, make_order):
    make_many(shop, products, 2)
    order = make_order(shop, products[:1], email="klant@example.test")
    response = staff_client.get(list_url(shop, f"?customer={order.customer_id}"))
    assert shown(response) == [order.number]
    assert "Customer: Jan Jansen" in response.text


def test_another_shops_customer_is_a_form_error_not_a_leak(
    staff_client, shop, other_shop, products, make_product, make_order
):
    make_many(shop, products, 2)
    gift = make_product(other_shop, sku="BON", price="5.00", track_stock=False, stock=0)
    theirs = make_order(other_shop, [gift], email="geheim@example.test")
    response = staff_client.get(list_url(shop, f"?customer={theirs.customer_id}"))
    assert response.status_code == 200
    assert "That customer was not found in this shop." in response.text
    assert "geheim@example.test" not in response.text
    assert len(shown(response)) == 2  # the invalid filter is left out


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2026-13-45",
        "?date_from=2026-05-01&date_to=2026-04-01",
        "?status=99",
        "?status=abc",
        "?sort=drop-table",
        "?customer=-1",
        "?customer=abc",
        "?after=not-a-cursor",
        "?before=12~x",
        "?after=99999999999999999999999999~1",
        "?q=" + "x" * 300,
    ],
)
def test_bad_input_gives_a_clear_message_never_a_500(staff_client, shop, products, query):
    make_many(shop, products, 2)
    response = staff_client.get(list_url(shop, query))
    assert response.status_code == 200
    assert 'class="kt-ol-errors' in response.text
    if "date" not in query:  # the rest of the request still works: the list is shown
        assert len(shown(response)) == 2


def test_htmx_request_gets_only_the_list_and_varies_on_the_header(staff_client, shop, products):
    make_many(shop, products, 2)
    partial = staff_client.get(list_url(shop, "?q=k1"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="order-list"')
    assert "<html" not in partial.text
    assert "HX-Request" in partial["Vary"]
    full = staff_client.get(
        list_url(shop, "?q=k1"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in full.text


def test_tabs_are_saved_views_of_statuses(staff_client, shop, products):
    make_many(shop, products, 2)
    html = staff_client.get(list_url(shop, f"?status={S.NEW}")).text
    assert f'class="kt-tab active" href="{list_url(shop)}?status=1" data-view="new"' in html
    html = staff_client.get(list_url(shop)).text
    assert f'class="kt-tab active" href="{list_url(shop)}" data-view="all"' in html


# --- Pages -----------------------------------------------------------------------------------


def test_keyset_pages_next_previous_first_last(staff_client, shop, products):
    orders = make_many(shop, products, 120)
    newest_first = [o.number for o in reversed(orders)]

    first = staff_client.get(list_url(shop))
    assert shown(first) == newest_first[:50]
    assert "120 orders" in first.text
    next_href = re.search(r'href="[^"?]*(\?after=[^"]+)" rel="next"', first.text).group(1)

    second = staff_client.get(list_url(shop, next_href.replace("&amp;", "&")))
    assert shown(second) == newest_first[50:100]
    last_href = re.search(r'href="[^"?]*(\?last=1)" rel="last"', second.text).group(1)

    last = staff_client.get(list_url(shop, last_href))
    assert shown(last) == newest_first[-50:]
    assert 'rel="next"' not in last.text
    previous_href = re.search(r'href="[^"?]*(\?before=[^"]+)" rel="prev"', last.text).group(1)
    back = staff_client.get(list_url(shop, previous_href.replace("&amp;", "&")))
    assert shown(back) == newest_first[20:70]


def test_the_count_is_capped_and_says_so(staff_client, shop, products, monkeypatch):
    monkeypatch.setattr("kantoor.invoices.order_list.ORDER_LIST_COUNT_CAP", 10)
    make_many(shop, products, 12)
    from kantoor.invoices import order_list as list_selectors

    monkeypatch.setattr(
        "kantoor.backoffice.orders.list_views.count_orders",
        lambda **kw: list_selectors.count_orders(cap=10, **kw),
    )
    html = staff_client.get(list_url(shop)).text
    assert "More than 10 orders" in html


# --- Bulk status change ----------------------------------------------------------------------


def test_bulk_status_change_records_an_event_per_order_and_reports_refusals(
    staff_client, shop, products
):
    orders = make_many(shop, products, 4)
    change_order_status(shop=shop, order=orders[3], status=S.CANCELLED, actor=Actor.system())
    ids = [str(o.pk) for o in orders]

    response = staff_client.post(
        bulk_url(shop),
        {"order": ids, "status": S.IN_PROCESS, "back": "q=k&sort=date&evil=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(shop, "?q=k&sort=date")
    statuses = dict(Order.objects.filter(shop=shop).values_list("number", "status"))
    assert [statuses[o.number] for o in orders] == [S.IN_PROCESS] * 3 + [S.CANCELLED]
    events = OrderEvent.objects.filter(order__in=orders[:3], kind=OrderEventKind.STATUS_CHANGED)
    assert events.count() == 3
    assert {e.data["after"] for e in events} == {S.IN_PROCESS}
    page = staff_client.get(response["Location"])
    assert "3 orders moved to In process." in page.text
    assert f"{orders[3].number} was not changed" in page.text


def test_bulk_status_refuses_bad_input_and_writes_nothing(staff_client, shop, products):
    orders = make_many(shop, products, 2)
    ids = [str(o.pk) for o in orders]
    for data in (
        {"order": ids, "status": ""},
        {"order": ids, "status": S.NEW},
        {"order": ids, "status": "abc"},
        {"order": [], "status": S.SHIPPED},
        {"order": ["abc"], "status": S.SHIPPED},
        {"order": ["9" * 30], "status": S.SHIPPED},
    ):
        response = staff_client.post(bulk_url(shop), data, follow=True)
        assert response.status_code == 200
        assert "alert-danger" in response.text or "kt-flash" in response.text, data
    assert not OrderEvent.objects.filter(kind=OrderEventKind.STATUS_CHANGED).exists()
    assert set(Order.objects.values_list("status", flat=True)) == {S.NEW}


def test_bulk_status_is_post_only(staff_client, shop):
    assert staff_client.get(bulk_url(shop)).status_code == 405


# --- Queries ---------------------------------------------------------------------------------


def list_queries(client, shop, query=""):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(list_url(shop, query))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", ["", "?q=example&status=1", "?sort=-total", "?last=1"])
def test_no_n_plus_1_same_query_count_for_5_and_50_orders(staff_client, shop, products, query):
    make_many(shop, products, 5)
    few = list_queries(staff_client, shop, query)
    make_many(shop, products, 45, start=START + datetime.timedelta(days=1), email_prefix="m")
    many = list_queries(staff_client, shop, query)
    assert few == many
    assert many <= 12


def test_the_shops_own_status_names_are_used_in_filters_chips_and_bulk_choices(
    staff_client, shop, products
):
    from kantoor.shops.models import StatusAppearance

    make_many(shop, products, 2)
    StatusAppearance.objects.create(
        shop=shop,
        kind="order",
        code="being_packed",
        background="#e0e7ff",
        text="#312e81",
        label_en="In the packing room",
    )
    html = staff_client.get(list_url(shop, f"?status={S.BEING_PACKED}")).text
    assert "Status: In the packing room" in html  # chip
    assert 'id="id_status_9"' in html or "In the packing room</label>" in html  # filter option
    listed = staff_client.get(list_url(shop)).text
    assert ">In the packing room</option>" in listed  # the bulk change's choice
