import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from kantoor.numbering.models import DocumentKind, NumberSeries
from kantoor.numbering.selectors import preview_next_number
from kantoor.numbering.services import allocate_number, allocate_numbers
from kantoor.orders.models import Order
from tests.conftest import place_orders_concurrently

D = datetime.date


def test_a_new_shop_has_a_series_per_kind(shop):
    assert set(NumberSeries.objects.filter(shop=shop).values_list("kind", flat=True)) == set(
        DocumentKind.values
    )


def test_numbers_count_up_per_shop_and_kind(shop, other_shop):
    with transaction.atomic():
        a1 = allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 5, 1))
        a2 = allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 5, 1))
        b1 = allocate_number(shop=other_shop, kind=DocumentKind.ORDER, on=D(2026, 5, 1))
        i1 = allocate_number(shop=shop, kind=DocumentKind.INVOICE, on=D(2026, 5, 1))
    assert (a1, a2, b1, i1) == ("ORD2026-0001", "ORD2026-0002", "ORD2026-0001", "INV2026-0001")


def test_yearly_restart_and_continuous_series(shop):
    with transaction.atomic():
        assert (
            allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2025, 12, 31))
            == "ORD2025-0001"
        )
        assert (
            allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 1, 1)) == "ORD2026-0001"
        )
    NumberSeries.objects.filter(shop=shop, kind=DocumentKind.QUOTE).update(
        prefix="Q", yearly_restart=False, padding=6
    )
    with transaction.atomic():
        assert allocate_number(shop=shop, kind=DocumentKind.QUOTE, on=D(2025, 12, 31)) == "Q000001"
        assert allocate_number(shop=shop, kind=DocumentKind.QUOTE, on=D(2026, 1, 1)) == "Q000002"


def test_a_rolled_back_document_frees_its_number(shop):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 1, 5))
        raise Boom
    with transaction.atomic():
        assert (
            allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 1, 5)) == "ORD2026-0001"
        )


def test_block_allocation_and_preview(shop):
    assert (
        preview_next_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 2, 2)) == "ORD2026-0001"
    )
    with transaction.atomic():
        numbers = allocate_numbers(shop=shop, kind=DocumentKind.ORDER, count=3, on=D(2026, 2, 2))
    assert numbers == ["ORD2026-0001", "ORD2026-0002", "ORD2026-0003"]
    assert (
        preview_next_number(shop=shop, kind=DocumentKind.ORDER, on=D(2026, 2, 2)) == "ORD2026-0004"
    )


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused(shop):
    with pytest.raises(RuntimeError):
        allocate_number(shop=shop, kind=DocumentKind.ORDER)


def test_series_validation_refuses_a_bad_prefix(shop):
    series = NumberSeries.objects.get(shop=shop, kind=DocumentKind.ORDER)
    series.prefix = "ORD{jaar}"
    with pytest.raises(ValidationError) as info:
        series.full_clean()
    assert "prefix" in info.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_get_gapless_unique_numbers_with_rollbacks(shop, products):
    """8 threads place 200 orders at once; every 5th is rolled back after taking its number."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency under row locks is a PostgreSQL test; SQLite serialises writers")
    untracked = products[2]  # no stock to run out under 200 orders
    threads, per_thread = 8, 25
    committed = [order.number for order in place_orders_concurrently(shop, untracked)]

    expected = threads * per_thread * 4 // 5
    numbers = sorted(Order.objects.filter(shop=shop).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == expected == len(committed)
    year = numbers[0][3:7]
    assert numbers == [f"ORD{year}-{n:04d}" for n in range(1, expected + 1)]
