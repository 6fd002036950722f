"""The invoice list's search shortcuts (the page itself: tests/backoffice/test_invoice_list.py)."""

import pytest

from kantoor.invoices.list_selectors import InvoiceFilters, count_invoices, invoice_list


@pytest.fixture
def invoices(shop, products, make_order):
    make_order(shop, products[:1], email="jan@example.test")
    make_order(shop, products[:1], email="jan@example.test")
    make_order(shop, products[:1], email="bojan@example.test")
    make_order(shop, products[:1], email="piet@example.test")


def emails(shop, query):
    page = invoice_list(shop=shop, filters=InvoiceFilters(query=query))
    return sorted(invoice.customer_email for invoice in page.invoices)


def test_a_whole_email_address_finds_that_customers_invoices(shop, invoices):
    assert emails(shop, "jan@example.test") == ["jan@example.test"] * 2
    assert emails(shop, "  JAN@Example.TEST ") == ["jan@example.test"] * 2
    count = count_invoices(shop=shop, filters=InvoiceFilters(query="jan@example.test"))
    assert (count.value, count.exact) == (2, True)


def test_part_of_an_address_still_searches_the_text(shop, invoices):
    assert emails(shop, "jan@example") == ["bojan@example.test"] + ["jan@example.test"] * 2
    # An address nobody has as a whole is searched as text: "an@example.test" is in two.
    assert emails(shop, "an@example.test") == ["bojan@example.test"] + ["jan@example.test"] * 2


def test_another_shops_customer_is_not_found(shop, other_shop, invoices, make_product, make_order):
    make_order(other_shop, [make_product(other_shop, sku="X-1")], email="klaas@example.test")
    assert emails(shop, "klaas@example.test") == []
    assert emails(other_shop, "klaas@example.test") == ["klaas@example.test"]
