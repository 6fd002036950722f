"""The back-office order list's reads: filters, search, sort and keyset pagination."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.checkout.services import (
    BulkOrderRequest,
    OrderItem,
    StatusChange,
    place_orders_in_bulk,
)
from kantoor.core.actors import Actor
from kantoor.core.keyset import InvalidCursor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.invoices.order_list import (
    OrderFilters,
    count_orders,
    filtered_orders,
    order_list,
)
from kantoor.orders.models import Order

S = OrderStatus
START = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))


def details(email, first_name="Jan", last_name="Jansen", company="", postcode="3511 AA"):
    return CustomerDetails(
        email=email,
        first_name=first_name,
        last_name=last_name,
        company=company,
        billing=AddressData(
            name=f"{first_name} {last_name}", street="Oudegracht 1", postcode=postcode, city="X"
        ),
    )


def bulk(shop, products, rows):
    """rows: (created_at, status, details, quantity) -> the orders, oldest first."""
    requests = [
        BulkOrderRequest(
            customer=None,
            details=row_details,
            items=[OrderItem(products[2].pk, quantity)],  # the gift card: no stock needed
            shipping_method="delivery",
            created_at=at,
            actor=Actor.system(),
            status_changes=(StatusChange(status, at, Actor.system()),) if status != S.NEW else (),
        )
        for at, status, row_details, quantity in rows
    ]
    numbers = place_orders_in_bulk(shop=shop, requests=requests)
    return list(Order.objects.filter(shop=shop, number__in=numbers).order_by("created_at", "pk"))


@pytest.fixture
def orders(shop, products):
    """12 orders over 12 days with known statuses, people and totals."""
    people = [
        details("jan@example.test"),
        details("piet@example.test", "Piet", "de Vries", company="Velo BV", postcode="1011 AB"),
        details("anna@voorbeeld.test", "Anna", "Bakker", postcode="9711 CD"),
    ]
    statuses = [S.NEW, S.IN_PROCESS, S.SHIPPED, S.CANCELLED]
    rows = [
        (START + datetime.timedelta(days=i), statuses[i % 4], people[i % 3], i % 5 + 1)
        for i in range(12)
    ]
    return bulk(shop, products, rows)


def numbers(page_or_orders):
    orders = getattr(page_or_orders, "orders", page_or_orders)
    return [order.number for order in orders]


def test_default_is_newest_first(shop, orders):
    page = order_list(shop=shop, filters=OrderFilters())
    assert numbers(page) == numbers(reversed(orders))
    assert page.is_first and page.is_last
    assert page.next_cursor is None and page.previous_cursor is None


def test_filter_by_several_statuses(shop, orders):
    page = order_list(shop=shop, filters=OrderFilters(statuses=(S.NEW, S.SHIPPED)))
    assert {o.status for o in page.orders} == {S.NEW, S.SHIPPED}
    assert len(page.orders) == 6


def test_filter_by_date_range_is_inclusive_in_local_days(shop, orders):
    day = START.date()
    filters = OrderFilters(
        date_from=day + datetime.timedelta(days=2), date_to=day + datetime.timedelta(days=4)
    )
    assert numbers(order_list(shop=shop, filters=filters)) == numbers(reversed(orders[2:5]))


def test_filter_by_customer(shop, orders, make_order, products):
    mine = make_order(shop, products[:1], email="klant@example.test")
    page = order_list(shop=shop, filters=OrderFilters(customer_id=mine.customer_id))
    assert numbers(page) == [mine.number]


@pytest.mark.parametrize(
    ("query", "expected_emails"),
    [
        ("piet@example.test", {"piet@example.test"}),  # e-mail
        ("VOORBEELD", {"anna@voorbeeld.test"}),  # e-mail fragment, any case
        ("bakk", {"anna@voorbeeld.test"}),  # last-name fragment
        ("Piet", {"piet@example.test"}),  # first name
        ("velo", {"piet@example.test"}),  # company
        ("1011 AB", {"piet@example.test"}),  # postcode
        ("9711", {"anna@voorbeeld.test"}),  # postcode fragment
        ("Jan Jansen", {"jan@example.test"}),  # full name
        ("nobody-has-this", set()),
        ("100%", set()),  # LIKE wildcards are matched literally
        ("_", set()),
    ],
)
def test_search_people(shop, orders, query, expected_emails):
    page = order_list(shop=shop, filters=OrderFilters(query=query))
    assert {o.email for o in page.orders} == expected_emails


def test_search_order_number_full_and_partial(shop, orders):
    target = orders[7]
    assert numbers(order_list(shop=shop, filters=OrderFilters(query=target.number))) == [
        target.number
    ]
    fragment = target.number[-3:]
    found = numbers(order_list(shop=shop, filters=OrderFilters(query=fragment)))
    assert target.number in found
    assert all(fragment in number for number in found)


def test_search_and_filters_combine(shop, orders):
    page = order_list(shop=shop, filters=OrderFilters(query="jan@", statuses=(S.NEW,)))
    assert page.orders and all(
        o.email == "jan@example.test" and o.status == S.NEW for o in page.orders
    )


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("date", lambda o: (o.created_at, o.pk), False),
        ("-date", lambda o: (o.created_at, o.pk), True),
        ("number", lambda o: (o.number, o.pk), False),
        ("-number", lambda o: (o.number, o.pk), True),
        ("total", lambda o: (o.total_gross, o.pk), False),
        ("-total", lambda o: (o.total_gross, o.pk), True),
    ],
)
def test_sort_orders(shop, orders, sort, key, reverse):
    page = order_list(shop=shop, filters=OrderFilters(sort=sort))
    assert numbers(page) == numbers(sorted(orders, key=key, reverse=reverse))


def walk(shop, filters, page_size):
    """Every page forwards with the next cursor, then back with the previous cursor."""
    forward, page = [], order_list(shop=shop, filters=filters, page_size=page_size)
    pages = [page]
    while True:
        forward += numbers(page)
        if page.next_cursor is None:
            break
        page = order_list(shop=shop, filters=filters, after=page.next_cursor, page_size=page_size)
        pages.append(page)
    backward = []
    while page.previous_cursor is not None:
        page = order_list(
            shop=shop, filters=filters, before=page.previous_cursor, page_size=page_size
        )
        backward = numbers(page) + backward
    return forward, backward, pages


@pytest.fixture
def ties(shop, products):
    """25 orders where many share the same date and the same total."""
    same = START + datetime.timedelta(days=30)
    rows = []
    for i in range(25):
        at = same if i % 3 else START + datetime.timedelta(hours=i)
        rows.append((at, S.NEW, details(f"k{i}@example.test"), 1 if i % 2 else 2))
    return bulk(shop, products, rows)


@pytest.mark.parametrize("sort", ["-date", "date", "-number", "number", "-total", "total"])
def test_keyset_pages_have_no_duplicates_or_gaps_with_equal_dates_and_totals(shop, ties, sort):
    filters = OrderFilters(sort=sort)
    everything = numbers(order_list(shop=shop, filters=filters, page_size=100))
    assert len(everything) == 25

    forward, backward, pages = walk(shop, filters, page_size=4)

    assert forward == everything  # same order, nothing twice, nothing missing
    assert len(pages) == 7 and pages[0].is_first and pages[-1].is_last
    assert [len(p.orders) for p in pages] == [4, 4, 4, 4, 4, 4, 1]
    # Going back from the last page ends on the (full) first page.
    assert backward == everything[: len(backward)]
    assert backward[:4] == everything[:4]


def test_last_page_is_the_end_of_the_list_and_leads_back(shop, ties):
    filters = OrderFilters()
    everything = numbers(order_list(shop=shop, filters=filters, page_size=100))
    last = order_list(shop=shop, filters=filters, last=True, page_size=4)
    assert numbers(last) == everything[-4:]
    assert last.is_last and not last.is_first and last.next_cursor is None
    before = order_list(shop=shop, filters=filters, before=last.previous_cursor, page_size=4)
    assert numbers(before) == everything[-8:-4]
    assert before.next_cursor is not None


def test_a_short_list_has_one_page_also_as_last_page(shop, orders):
    page = order_list(shop=shop, filters=OrderFilters(), last=True)
    assert page.is_first and page.is_last and len(page.orders) == 12


@pytest.mark.parametrize("token", ["garbage", "12~x", "abc~12", "~", "NaN~3", "9" * 40 + "~1"])
def test_a_broken_cursor_is_refused(shop, orders, token):
    for sort in ("-date", "-total"):
        with pytest.raises(InvalidCursor):
            order_list(shop=shop, filters=OrderFilters(sort=sort), after=token)


def test_another_shops_orders_never_show(shop, other_shop, orders, make_product):
    gift = make_product(other_shop, sku="BON", price="5.00", track_stock=False, stock=0)
    theirs = bulk(other_shop, [gift, gift, gift], [(START, S.NEW, details("jan@example.test"), 1)])
    mine = {o.number for o in orders}
    for filters in (OrderFilters(), OrderFilters(query="jan"), OrderFilters(statuses=(S.NEW,))):
        shown = set(numbers(order_list(shop=shop, filters=filters)))
        assert shown <= mine
    assert numbers(order_list(shop=other_shop, filters=OrderFilters())) == numbers(theirs)


def test_count_is_exact_below_the_cap_and_bounded_above(shop, orders):
    assert count_orders(shop=shop, filters=OrderFilters()).value == 12
    exact = count_orders(shop=shop, filters=OrderFilters(statuses=(S.NEW,)))
    assert exact.exact and exact.value == 3

    capped = count_orders(shop=shop, filters=OrderFilters(), cap=5)
    assert not capped.exact and capped.value == 5
    assert capped.estimate is None or capped.estimate > 5


def test_filtered_orders_is_scoped_and_unordered(shop, orders):
    queryset = filtered_orders(shop=shop, filters=OrderFilters(query="anna"))
    assert queryset.count() == 4
    assert not queryset.query.order_by


def test_totals_sort_uses_the_amount_not_the_text(shop, products):
    bulk(
        shop,
        products,
        [
            (START, S.NEW, details("a@example.test"), 4),  # 100.00
            (START, S.NEW, details("b@example.test"), 1),  # 25.00
        ],
    )
    totals = [
        o.total_gross for o in order_list(shop=shop, filters=OrderFilters(sort="total")).orders
    ]
    assert totals == sorted(totals) and totals[-1] >= Decimal("100.00")


def test_a_whole_order_number_finds_that_order_in_any_case(shop, orders):
    target = orders[3]
    for query in (target.number, target.number.lower(), f"  {target.number} "):
        page = order_list(shop=shop, filters=OrderFilters(query=query))
        assert numbers(page) == [target.number]
    # A number of another shop is just text here: it finds nothing.
    assert numbers(order_list(shop=shop, filters=OrderFilters(query="OTHER-0001"))) == []
