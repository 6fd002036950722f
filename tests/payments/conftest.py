import pytest

from kantoor.core.actors import Actor
from kantoor.invoices.models import InvoiceKind


@pytest.fixture
def order(shop, products, make_order):
    return make_order(shop, products[:2])


@pytest.fixture
def invoice(order):
    return order.invoices.get(kind=InvoiceKind.DEBIT)


@pytest.fixture
def staff_actor(owner):
    return Actor.staff(owner)


MOLLIE_KEY = "test_" + "a" * 30
