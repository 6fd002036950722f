"""The invoice list (My orders > Invoices): filters, search, pages, count, links."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kantoor.backoffice.menu import entry_by_key
from kantoor.core.actors import Actor
from kantoor.invoices.list_selectors import InvoiceFilters, count_invoices, invoice_list
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.services import credit_invoice


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


@pytest.fixture
def invoices(shop, products, make_order):
    """Three orders (Jan, Piet, Klaas) and a credit invoice for Piet's."""
    jan = make_order(shop, products[:1], email="jan@example.test")
    piet = make_order(shop, products[:2], email="piet@example.test")
    klaas = make_order(shop, products[2:], email="klaas@example.test")
    credit = credit_invoice(
        shop=shop, invoice=Invoice.objects.get(order=piet), actor=Actor.system()
    )
    return {
        "jan": Invoice.objects.get(order=jan),
        "piet": Invoice.objects.get(order=piet, kind=InvoiceKind.DEBIT),
        "klaas": Invoice.objects.get(order=klaas),
        "credit": credit,
    }


def numbers(response):
    return [invoice.number for invoice in response.context["page"].invoices]


def test_the_menu_entry_is_available_and_opens_the_list(staff_client, shop, invoices):
    assert entry_by_key("invoices").available
    response = staff_client.get(url("invoices", shop))
    assert response.status_code == 200
    html = response.content.decode()
    for invoice in invoices.values():
        assert f'data-invoice="{invoice.number}"' in html
        assert url("invoice", shop, invoice_number=invoice.number) in html
        assert url("invoice_download", shop, invoice_number=invoice.number, fmt="pdf") in html
    assert 'data-status="invoice-credited"' in html
    assert "4 invoices" in html
    # Newest first: the credit invoice (issued last) on top.
    assert numbers(response)[0] == invoices["credit"].number


def test_filters_and_search_in_the_url(staff_client, shop, invoices):
    target = url("invoices", shop)
    assert numbers(staff_client.get(target, {"type": "credit"})) == [invoices["credit"].number]
    assert set(numbers(staff_client.get(target, {"state": "unpaid"}))) == {
        invoices["jan"].number,
        invoices["klaas"].number,
    }
    by_name = staff_client.get(target, {"q": "klaas@"})
    assert numbers(by_name) == [invoices["klaas"].number]
    by_number = staff_client.get(target, {"q": invoices["jan"].number.lower()})
    assert numbers(by_number) == [invoices["jan"].number]
    by_order = staff_client.get(target, {"q": invoices["piet"].order_number})
    assert set(numbers(by_order)) == {invoices["piet"].number, invoices["credit"].number}
    assert numbers(staff_client.get(target, {"q": "%"})) == []  # no wildcard from the box
    assert set(numbers(staff_client.get(target, {"q": "jansen"}))) == {
        invoice.number for invoice in invoices.values()
    }
    today = invoices["jan"].issued_on
    future = (today + datetime.timedelta(days=1)).isoformat()
    assert numbers(staff_client.get(target, {"date_from": future})) == []
    assert len(numbers(staff_client.get(target, {"date_to": today.isoformat()}))) == 4
    html = staff_client.get(target, {"type": "credit", "q": "piet"}).content.decode()
    assert "Type: Credit invoice" in html and "Search: “piet”" in html  # chips


def test_bad_filters_are_reported_not_a_500(staff_client, shop, invoices):
    target = url("invoices", shop)
    response = staff_client.get(
        target, {"type": "bogus", "date_from": "2026-13-01", "after": "nonsense"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "That page link is no longer valid" in html
    response = staff_client.get(target, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_no_match_and_empty_states(staff_client, shop, invoices, other_shop, make_staff):
    response = staff_client.get(url("invoices", shop), {"q": "nobody-at-all"})
    assert 'id="invoices-no-match"' in response.content.decode()
    staff_client.force_login(make_staff(other_shop, email="other@example.test"))
    response = staff_client.get(url("invoices", other_shop))
    assert 'id="invoices-empty"' in response.content.decode()


def test_htmx_gets_only_the_results(staff_client, shop, invoices):
    response = staff_client.get(url("invoices", shop), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="invoice-list"') or 'id="invoice-list"' in html
    assert "<html" not in html


def test_keyset_pages_walk_every_invoice_once(shop, products, make_order):
    for i in range(7):
        make_order(shop, products[:1], email=f"c{i}@example.test")
    filters = InvoiceFilters()
    seen, page = [], invoice_list(shop=shop, filters=filters, page_size=3)
    seen += [i.number for i in page.invoices]
    while page.next_cursor:
        page = invoice_list(shop=shop, filters=filters, after=page.next_cursor, page_size=3)
        seen += [i.number for i in page.invoices]
    assert len(seen) == 7 == len(set(seen))
    assert page.is_last
    back = invoice_list(shop=shop, filters=filters, before=page.previous_cursor, page_size=3)
    assert [i.number for i in back.invoices] == seen[3:6]
    last = invoice_list(shop=shop, filters=filters, last=True, page_size=3)
    assert [i.number for i in last.invoices] == seen[-3:]


def test_the_count_is_capped(shop, products, make_order):
    for i in range(4):
        make_order(shop, products[:1], email=f"c{i}@example.test")
    count = count_invoices(shop=shop, filters=InvoiceFilters(), cap=3)
    assert not count.exact and count.value == 3
    assert count_invoices(shop=shop, filters=InvoiceFilters()).value == 4


def test_the_list_shows_only_this_shops_invoices(
    staff_client, shop, other_shop, invoices, make_product, make_order
):
    make_order(other_shop, [make_product(other_shop, sku="X-1")], email="vreemd@example.test")
    response = staff_client.get(url("invoices", shop), {"q": "vreemd"})
    assert response.context["page"].invoices == []
    # Numbers are per shop: the same number exists in both; ours opens our own order.
    response = staff_client.get(url("invoice", shop, invoice_number=invoices["jan"].number))
    assert invoices["jan"].order_number in response["Location"]


def test_totals_show_signed(staff_client, shop, invoices):
    html = staff_client.get(url("invoices", shop), {"type": "credit"}).content.decode()
    assert invoices["credit"].total_gross < Decimal("0")
    assert "-" in html.split(f'data-invoice="{invoices["credit"].number}"')[1].split("</tr>")[0]
