"""The order's page, its tabs, status change, notes and the edit page, through the HTTP stack."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kantoor.catalog.selectors import stock_level_from_ledger
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import add_order_note
from kantoor.shops.models import User
from tests.conftest import details_for

TAB_KEYS = ["overview", "invoices", "returns", "messages", "history"]


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def order(shop, products, make_order):
    bell, book, _ = products
    return make_order(shop, [bell, book], quantities=[2, 1], note="Graag na 17 uur")


@pytest.fixture
def staff_client(client, shop, make_staff):
    user = make_staff(shop)
    user.name = "Femke de Boer"
    user.save()
    client.force_login(user)
    return client


def order_urls(shop, number):
    detail = url("order", shop, number=number)
    return {
        "detail": ("get", detail, {}),
        **{f"tab {k}": ("get", f"{detail}?tab={k}", {}) for k in TAB_KEYS},
        "edit": ("get", url("order_edit", shop, number=number), {}),
        "edit post": ("post", url("order_edit", shop, number=number), {"version": "1"}),
        "status": ("post", url("order_status", shop, number=number), {"status": "5"}),
        "note": ("post", url("order_note", shop, number=number), {"text": "hello"}),
    }


def test_every_order_url_is_404_for_another_shops_staff(
    client, shop, other_shop, order, make_staff
):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    # Another shop's URL (the stranger is no member of it) ...
    for name, (method, target, data) in order_urls(shop, order.number).items():
        assert getattr(client, method)(target, data).status_code == 404, name
    # ... and this order's number under the stranger's own shop.
    for name, (method, target, data) in order_urls(other_shop, order.number).items():
        assert getattr(client, method)(target, data).status_code == 404, name
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW and order.version == 1
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_the_order_page_shows_lines_totals_per_vat_rate_customer_and_addresses(
    staff_client, shop, order
):
    response = staff_client.get(url("order", shop, number=order.number))

    assert response.status_code == 200
    page = response.text
    assert f'<h1 class="kt-page-title" id="order-title">{order.number}</h1>' in page
    assert "Fietsbel" in page and "Fietsrouteboek" in page
    assert "VAT 21% over" in page and "VAT 9% over" in page
    assert "Graag na 17 uur" in page  # the customer's note
    assert "Oudegracht 1" in page
    assert url("customer", shop, customer_id=order.customer_id) in page
    assert "Change status" in page and "Edit order" in page
    totals = response.context["totals"]
    assert totals.gross == order.total_gross
    for key in TAB_KEYS:
        assert f'data-tab="{key}"' in page


@pytest.mark.parametrize(
    ("tab", "text"),
    [
        ("invoices", "Invoiced so far"),
        ("returns", "Returns your customer requests for this order appear here"),
        ("messages", 'id="tab-messages"'),  # its content comes from the messaging area
        ("history", "Order placed by jan@example.test"),
        ("nonsense", "Internal notes"),  # an unknown tab falls back to the overview
    ],
)
def test_each_tab_is_a_bookmarkable_url(staff_client, shop, order, tab, text):
    response = staff_client.get(url("order", shop, number=order.number), {"tab": tab})
    assert response.status_code == 200
    assert text in response.text


def test_changing_the_status_records_who_did_it_on_the_history_tab(staff_client, shop, order):
    response = staff_client.post(
        url("order_status", shop, number=order.number), {"status": "5", "tab": "history"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("order", shop, number=order.number) + "?tab=history"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    page = staff_client.get(response["Location"]).text
    assert "Status changed to Shipped." in page
    assert "Status changed from New to Shipped by Femke de Boer" in page


@pytest.mark.parametrize("status", ["1", "99", "abc", ""])
def test_a_status_the_order_cannot_move_to_is_refused_with_a_message(
    staff_client, shop, order, status
):
    response = staff_client.post(url("order_status", shop, number=order.number), {"status": status})
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).text
    assert 'role="alert"' in page
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW and order.version == 1


def test_a_cancelled_order_offers_no_status_change_and_no_edit(staff_client, shop, order, owner):
    staff_client.post(url("order_status", shop, number=order.number), {"status": "8"})
    page = staff_client.get(url("order", shop, number=order.number)).text
    assert 'id="change-status"' not in page
    assert "cannot be edited" in page
    response = staff_client.post(url("order_status", shop, number=order.number), {"status": "5"})
    assert "cannot become" in staff_client.get(response["Location"]).text or True
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_note_becomes_an_event_shown_on_the_overview(staff_client, shop, order):
    response = staff_client.post(
        url("order_note", shop, number=order.number), {"text": "Klant belt terug"}
    )
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).text
    assert "Note added." in page
    assert "Klant belt terug" in page
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.NOTE_ADDED)
    assert event.actor_label == "Femke de Boer"


def test_an_empty_note_is_refused_and_writes_nothing(staff_client, shop, order):
    response = staff_client.post(url("order_note", shop, number=order.number), {"text": "   "})
    assert "Write a note first." in staff_client.get(response["Location"]).text
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.NOTE_ADDED).exists()


def test_get_is_not_allowed_on_the_post_endpoints(staff_client, shop, order):
    assert staff_client.get(url("order_status", shop, number=order.number)).status_code == 405
    assert staff_client.get(url("order_note", shop, number=order.number)).status_code == 405


def make_busy_order(shop, products, *, lines, events):
    """An order with ``lines`` lines (untracked products) and about ``events`` events."""
    from kantoor.catalog.models import Product

    extra = [
        Product.objects.create(
            shop=shop,
            sku=f"X-{lines}-{n}",
            name=f"Product {n}",
            price=Decimal("1.00"),
            track_stock=False,
        )
        for n in range(lines)
    ]
    order = place_order(
        shop=shop,
        details=details_for(),
        items=[OrderItem(p.pk, 1) for p in extra],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    for n in range(events):
        add_order_note(shop=shop, order=order, text=f"note {n}", actor=Actor.system())
    return order


@pytest.mark.parametrize("tab", ["overview", "history"])
def test_the_order_page_needs_the_same_queries_for_2_or_20_lines_and_events(
    staff_client, shop, products, tab
):
    small = make_busy_order(shop, products, lines=2, events=2)
    big = make_busy_order(shop, products, lines=20, events=20)
    counts = []
    for order in (small, big):
        target = url("order", shop, number=order.number) + f"?tab={tab}"
        staff_client.get(target)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(target).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # 14: the shop's own status labels, which the timeline names statuses by, are one query;
    # the Overview looks up once whether the order came from a quote (its "From quote" link).
    assert counts[0] <= 14, counts


# --- Editing ------------------------------------------------------------------------------


def edit_data(order, **overrides):
    lines = list(order.lines.order_by("position"))
    data = {
        "version": str(order.version),
        "shipping_cost": str(order.shipping_cost),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        data[f"lines-{i}-line_id"] = str(line.pk)
        data[f"lines-{i}-quantity"] = str(line.quantity)
        data[f"lines-{i}-unit_price"] = str(line.unit_price)
    for prefix in ("billing", "delivery"):
        for name in ("name", "company", "street", "postcode", "city", "country"):
            data[f"{prefix}-{name}"] = getattr(order, f"{prefix}_{name}")
    data.update(overrides)
    return data


def test_the_edit_page_shows_the_lines_addresses_and_honest_invoice_state(
    staff_client, shop, order
):
    response = staff_client.get(url("order_edit", shop, number=order.number))
    assert response.status_code == 200
    page = response.text
    assert "Fietsbel" in page and 'name="lines-0-quantity"' in page
    assert 'name="billing-street"' in page and 'name="delivery-street"' in page
    assert "Invoiced so far" in page and "New invoice" in page
    # What is invoiced so far: the order's invoice (its total, as the order stands).
    invoiced = re.search(r"data-invoiced>([^<]+)<", page).group(1)
    assert invoiced == f"€{order.invoices.get().total_gross}"
    assert f'name="version" value="{order.version}"' in page


def test_saving_an_edit_changes_the_order_and_shows_it_in_history(
    staff_client, shop, products, order
):
    bell, book, voucher = products
    data = edit_data(
        order,
        **{
            "lines-0-quantity": "4",
            "lines-1-DELETE": "on",
            "lines-TOTAL_FORMS": "3",
            "lines-2-product": str(voucher.pk),
            "lines-2-quantity": "1",
            "lines-2-unit_price": "",
            "shipping_cost": "0",
            "delivery-street": "Neude 5",
        },
    )

    response = staff_client.post(url("order_edit", shop, number=order.number), data)

    assert response.status_code == 302, response.context and response.context["error"]
    order.refresh_from_db()
    assert order.version == 2
    assert [(li.sku, li.quantity) for li in order.lines.order_by("position")] == [
        ("BEL-01", 4),
        ("BON-25", 1),
    ]
    assert order.delivery_street == "Neude 5"
    bell.refresh_from_db()
    assert bell.stock_level == 6 == stock_level_from_ledger(product=bell)
    history = staff_client.get(url("order", shop, number=order.number) + "?tab=history").text
    assert "Order edited by Femke de Boer" in history
    assert "Fietsbel: quantity 2 → 4" in history
    assert "Removed 1 × Fietsrouteboek" in history
    assert "Delivery address" in history and "Neude 5" in history


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines-0-quantity": "0"}, "A quantity must be between 1 and 999."),
        ({"lines-0-quantity": "1000"}, "A quantity must be between 1 and 999."),
        ({"lines-0-quantity": "two"}, "Enter a quantity as a whole number."),
        ({"lines-0-unit_price": "-1"}, "A unit price cannot be negative."),
        ({"shipping_cost": "-2"}, "The shipping cost cannot be negative."),
        ({"billing-street": ""}, "Enter the street and house number."),
        (
            {"lines-TOTAL_FORMS": "3", "lines-2-product": "999999", "lines-2-quantity": "1"},
            "Choose a product from your catalogue.",
        ),
        ({"lines-0-DELETE": "on", "lines-1-DELETE": "on"}, "An order needs at least one line"),
        # A price the column holds, times a quantity: a total no column holds.
        (
            {"lines-0-unit_price": "9999999999.99", "lines-0-quantity": "999"},
            "is too large: at most €999,999,999,999.99.",
        ),
    ],
)
def test_bad_input_gets_a_form_error_keeps_what_was_typed_and_writes_nothing(
    staff_client, shop, order, overrides, message
):
    data = edit_data(order, **{"delivery-city": "Amersfoort"}, **overrides)
    response = staff_client.post(url("order_edit", shop, number=order.number), data)

    assert response.status_code == 200
    assert message in response.text
    assert 'id="error-summary"' in response.text
    assert 'value="Amersfoort"' in response.text  # nothing typed is lost
    order.refresh_from_db()
    assert order.version == 1 and order.delivery_city == "Utrecht"


def test_another_shops_product_is_refused_on_the_edit_form(
    staff_client, shop, other_shop, make_product, order
):
    foreign = make_product(other_shop, sku="X-1")
    data = edit_data(
        order,
        **{"lines-TOTAL_FORMS": "3", "lines-2-product": str(foreign.pk), "lines-2-quantity": "1"},
    )
    response = staff_client.post(url("order_edit", shop, number=order.number), data)
    assert "Choose a product from your catalogue." in response.text
    assert order.lines.count() == 2


def test_a_stale_edit_form_is_refused_with_the_clear_message(staff_client, shop, order):
    stale = edit_data(order, **{"lines-0-quantity": "3", "delivery-city": "Zeist"})
    staff_client.post(url("order_status", shop, number=order.number), {"status": "2"})

    response = staff_client.post(url("order_edit", shop, number=order.number), stale)

    assert response.status_code == 200
    assert "Someone else changed this order while you were editing" in response.text
    assert "Open the latest version" in response.text
    assert 'value="Zeist"' in response.text
    order.refresh_from_db()
    assert order.lines.order_by("position").first().quantity == 2
    assert order.status == OrderStatus.IN_PROCESS


@pytest.mark.parametrize("status", ["7", "8"])
def test_completed_or_cancelled_orders_send_the_editor_back_with_a_message(
    staff_client, shop, order, status
):
    staff_client.post(url("order_status", shop, number=order.number), {"status": status})
    for method in ("get", "post"):
        response = getattr(staff_client, method)(
            url("order_edit", shop, number=order.number), edit_data(order)
        )
        assert response.status_code == 302
        assert "cannot be edited" in staff_client.get(response["Location"]).text


# --- The collapsible menu -----------------------------------------------------------------


def test_the_menu_collapse_is_remembered_per_user_and_rendered_by_the_server(
    staff_client, shop, order
):
    detail = url("order", shop, number=order.number)
    assert 'class="kt-app"' in staff_client.get(detail).text

    response = staff_client.post(url("menu_collapse", shop), {"collapsed": "1", "next": detail})

    assert response.status_code == 302 and response["Location"] == detail
    user = User.objects.get(email="staff@example.test")
    assert user.menu_collapsed is True
    assert 'class="kt-app kt-menu-collapsed"' in staff_client.get(detail).text
    # The page's script posts in the background and gets no page back.
    response = staff_client.post(
        url("menu_collapse", shop), {"collapsed": "0"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.menu_collapsed is False


def test_the_menu_collapse_never_redirects_off_site(staff_client, shop):
    response = staff_client.post(
        url("menu_collapse", shop), {"collapsed": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("overview", shop)


def test_the_menu_collapse_is_404_for_another_shop(client, shop, other_shop, make_staff):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    assert client.post(url("menu_collapse", shop), {"collapsed": "1"}).status_code == 404
    assert Order.objects.count() == 0
