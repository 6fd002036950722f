"""What the shop owner sees: the overview's figures, the menu, coming-soon pages, the switcher."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kantoor.backoffice.menu import all_entries
from kantoor.core.statuses import DEFAULT_COLOURS, OrderStatus
from kantoor.orders.models import Order
from kantoor.orders.selectors import order_key_figures


def overview_url(shop):
    return reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})


def backdate(order, when):
    Order.objects.filter(pk=order.pk).update(created_at=when)


@pytest.fixture
def now():
    # Mid-month and mid-day, so "today" and "this month" have room on both sides.
    return timezone.make_aware(datetime.datetime(2026, 3, 18, 12, 0))


@pytest.fixture
def known_orders(shop, products, make_order, now):
    """Given: two orders today (one cancelled), one earlier this month, one last month."""
    bel, boek, _bon = products
    today_new = make_order(shop, [bel])  # 12.99 + 6.95 shipping
    today_cancelled = make_order(shop, [boek])
    earlier = make_order(shop, [bel, boek])
    last_month = make_order(shop, [bel])
    backdate(today_new, now - datetime.timedelta(hours=1))
    backdate(today_cancelled, now - datetime.timedelta(hours=2))
    backdate(earlier, now - datetime.timedelta(days=5))
    backdate(last_month, now - datetime.timedelta(days=30))
    Order.objects.filter(pk=today_cancelled.pk).update(status=OrderStatus.CANCELLED)
    Order.objects.filter(pk=earlier.pk).update(status=OrderStatus.SHIPPED)
    return today_new, today_cancelled, earlier, last_month


def test_key_figures_count_today_new_and_this_months_revenue(shop, other_shop, known_orders, now):
    today_new, _cancelled, earlier, _last_month = known_orders

    figures = order_key_figures(shop=shop, now=now)

    assert figures.orders_today == 2
    assert figures.orders_new == 2  # today's new one and last month's, still new
    assert figures.revenue_this_month == today_new.total_gross + earlier.total_gross
    assert figures.revenue_this_month == Decimal("12.99") + Decimal("6.95") + Decimal(
        "12.99"
    ) + Decimal("9.95") + Decimal("6.95")
    # Another shop's figures are its own.
    assert order_key_figures(shop=other_shop, now=now).orders_new == 0


def test_overview_shows_figures_and_recent_orders(client, shop, owner, known_orders):
    client.force_login(owner)

    response = client.get(overview_url(shop))

    html = response.text
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.orders_new == 2
    for order in known_orders:
        assert f'data-order="{order.number}"' in html
    # Newest first.
    numbers = [o.number for o in response.context["orders"]]
    assert numbers == [o.number for o in known_orders]
    assert "Jan Jansen" in html
    assert "€19.94" in html  # today_new's total, with its currency
    background, text = DEFAULT_COLOURS[OrderStatus.SHIPPED]
    assert 'data-status="order-shipped"' in html
    colours = client.get(reverse("shops:status_colours", kwargs={"shop_slug": shop.slug})).text
    assert f'[data-status="order-shipped"]{{background-color:{background};color:{text}}}' in colours
    assert ">Shipped<" in html
    assert "No orders yet" not in html


def test_overview_lists_at_most_ten_orders(client, shop, owner, products, make_order):
    for _ in range(11):
        make_order(shop, products[2:])  # a gift voucher: no stock to run out of
    client.force_login(owner)
    assert len(client.get(overview_url(shop)).context["orders"]) == 10


def test_overview_of_a_shop_without_orders_shows_the_empty_state(client, shop, owner):
    client.force_login(owner)

    response = client.get(overview_url(shop))

    assert "No orders yet" in response.text
    assert "<table" not in response.text
    assert response.context["figures"].revenue_this_month == Decimal("0.00")


def test_overview_does_not_show_other_shops_orders(
    client, shop, other_shop, owner, make_product, make_order
):
    stranger_product = make_product(other_shop, sku="X-1")
    stranger_order = make_order(other_shop, [stranger_product])
    client.force_login(owner)

    response = client.get(overview_url(shop))

    assert stranger_order.number not in [o.number for o in response.context["orders"]]
    assert "No orders yet" in response.text


def test_overview_orders_link_nowhere_yet(client, shop, owner, known_orders):
    client.force_login(owner)
    html = client.get(overview_url(shop)).text
    for order in known_orders:
        assert f"/{order.number}" not in html


@pytest.mark.parametrize(
    "entry", [e for e in all_entries() if not e.available], ids=lambda e: e.key
)
def test_coming_soon_page_carries_the_entry_title_and_marks_it_active(client, shop, owner, entry):
    client.force_login(owner)

    response = client.get(reverse(entry.url_name, kwargs={"shop_slug": shop.slug}))

    html = response.text
    assert response.status_code == 200
    assert f'<h1 class="kt-page-title">{entry.label}</h1>' in html
    assert escape(str(entry.description)) in html
    assert "Coming soon" in html
    assert f"<title>{entry.label} · {shop.name} · Kantoor</title>" in html
    active = [
        item["entry"].key
        for group in response.context["menu"]
        for item in group["entries"]
        if item["active"]
    ]
    assert active == [entry.key]
    assert f'data-menu-key="{entry.key}" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1


def test_menu_marks_the_overview_on_the_overview(client, shop, owner):
    client.force_login(owner)
    html = client.get(overview_url(shop)).text
    assert 'data-menu-key="overview" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1


def test_language_switcher_sets_the_page_language(client, shop, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "nl", "next": overview_url(shop)})
    html = client.get(overview_url(shop)).text
    assert '<html lang="nl">' in html


def test_switcher_lists_only_the_users_shops(client, make_shop, make_staff):
    first = make_shop(slug="eerste", name="Eerste Winkel")
    second = make_shop(slug="tweede", name="Tweede Winkel")
    stranger = make_shop(slug="vreemd", name="Vreemde Winkel")
    user = make_staff(first)
    make_staff(second)
    client.force_login(user)

    home = client.get(reverse("backoffice:home"))
    page = client.get(overview_url(first))

    assert [s.slug for s in home.context["shops"]] == ["eerste", "tweede"]
    assert stranger.name not in home.text
    for html in (home.text, page.text):
        assert overview_url(second) in html
        assert overview_url(stranger) not in html
    assert 'id="shop-switcher"' in page.text


def test_one_shop_has_no_switcher(client, shop, owner):
    client.force_login(owner)
    assert 'id="shop-switcher"' not in client.get(overview_url(shop)).text


def test_overview_takes_a_fixed_number_of_queries(
    client, shop, owner, products, make_order, django_assert_max_num_queries
):
    for _ in range(5):
        make_order(shop, products[2:])
    client.force_login(owner)
    # session, user, membership + shop (+ workflow settings), two figure queries, recent
    # orders, the user's shops, the shop's status colours
    with django_assert_max_num_queries(8):
        assert client.get(overview_url(shop)).status_code == 200
