"""Invoice numbers stay gapless and unique under concurrent checkouts (PostgreSQL)."""

import threading

import pytest
from django.db import connection, transaction

from kantoor.invoices.models import Invoice
from kantoor.orders.models import Order
from tests.conftest import details_for


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_get_gapless_unique_invoice_numbers_with_rollbacks(shop, products):
    """8 threads place 200 orders at once; every 5th is rolled back after taking its numbers."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency under row locks is a PostgreSQL test; SQLite serialises writers")
    from kantoor.orders.services import Actor, OrderItem, place_order

    untracked = products[2]
    threads, per_thread = 8, 25
    committed, errors = [], []
    start = threading.Barrier(threads)

    class RollBack(Exception):
        pass

    def worker(index: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                try:
                    with transaction.atomic():
                        order = place_order(
                            shop=shop,
                            details=details_for(email=f"t{index}@example.test"),
                            items=[OrderItem(untracked.pk, 1)],
                            shipping_method="delivery",
                            actor=Actor.system(),
                        )
                        if i % 5 == 4:
                            raise RollBack
                    committed.append(order.pk)
                except RollBack:
                    pass
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    expected = threads * per_thread * 4 // 5
    invoices = list(Invoice.objects.filter(shop=shop).values_list("number", "order_id"))
    numbers = sorted(number for number, _ in invoices)
    assert len(numbers) == len(set(numbers)) == expected == len(committed)
    year = numbers[0][3:7]
    assert numbers == [f"INV{year}-{n:04d}" for n in range(1, expected + 1)]
    # one invoice per committed order, none for a rolled-back one
    assert sorted(order_id for _, order_id in invoices) == sorted(committed)
    assert Order.objects.filter(shop=shop).count() == expected
