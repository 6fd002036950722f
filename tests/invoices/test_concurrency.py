"""Invoice numbers stay gapless and unique under concurrent checkouts (PostgreSQL)."""

import pytest
from django.db import connection

from kantoor.invoices.models import Invoice
from kantoor.orders.models import Order
from tests.conftest import place_orders_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_get_gapless_unique_invoice_numbers_with_rollbacks(shop, products):
    """8 threads place 200 orders at once; every 5th is rolled back after taking its numbers."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency under row locks is a PostgreSQL test; SQLite serialises writers")
    untracked = products[2]
    threads, per_thread = 8, 25
    committed = [order.pk for order in place_orders_concurrently(shop, untracked)]

    expected = threads * per_thread * 4 // 5
    invoices = list(Invoice.objects.filter(shop=shop).values_list("number", "order_id"))
    numbers = sorted(number for number, _ in invoices)
    assert len(numbers) == len(set(numbers)) == expected == len(committed)
    year = numbers[0][3:7]
    assert numbers == [f"INV{year}-{n:04d}" for n in range(1, expected + 1)]
    # one invoice per committed order, none for a rolled-back one
    assert sorted(order_id for _, order_id in invoices) == sorted(committed)
    assert Order.objects.filter(shop=shop).count() == expected
