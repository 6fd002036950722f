"""The VAT return summary (btw-aangifte) and the ICP listing: the boxes add up to the invoices of
the period, a credit invoice lowers the box of its rate, reverse charge goes to 3b and the ICP,
0 % outside the EU to 3a, 0 % at home to 1e; and the pages, downloads and refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.invoices.documents.document import (
    EXPORT,
    INTRA_COMMUNITY,
    STANDARD,
    ZERO_RATED,
    vat_category,
)
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.services import credit_invoice
from kantoor.reports.csv_files import cell
from kantoor.reports.errors import InvalidPeriod
from kantoor.reports.periods import period_of, vat_period
from kantoor.reports.selectors import box_invoices, icp_listing, vat_return, whole_euros
from kantoor.reports.services import refresh_statistics

BELGIAN_VAT_NUMBER = "BE0123456789"


def refreshed_vat_return(*, shop, period):
    """The summary as the page shows it: the daily aggregates brought up to date first."""
    refresh_statistics(shop=shop)
    return vat_return(shop=shop, period=period)


def refreshed_box_invoices(*, shop, **kwargs):
    refresh_statistics(shop=shop)
    return box_invoices(shop=shop, **kwargs)


@pytest.fixture
def shop(make_shop):
    """A Dutch shop with a VAT number: it reverse-charges EU businesses."""
    return make_shop(vat_number="NL123456789B01", legal_name="Fietsen Jansen B.V.")


def customer(country: str, *, company: str = "", vat_number: str = "", email: str):
    return CustomerDetails(
        email=email,
        first_name="Anna",
        last_name="Peeters",
        company=company,
        vat_number=vat_number,
        language="en",
        billing=AddressData(
            name="Anna Peeters",
            company=company,
            street="Grote Markt 1",
            postcode="1000",
            city="Brussel" if country == "BE" else "New York",
            country=country,
        ),
    )


def order(shop, products, quantities, details):
    return place_order(
        shop=shop,
        details=details,
        items=[OrderItem(p.pk, q) for p, q in zip(products, quantities, strict=True)],
        shipping_method="delivery",
        actor=Actor.customer(details.email),
    )


def debit_invoice(placed) -> Invoice:
    return Invoice.objects.get(order=placed, kind=InvoiceKind.DEBIT)


@pytest.fixture
def world(shop, other_shop, products, make_product, make_order):
    """Invoices of this year: a Dutch consumer (21 %, 9 %, 0 %), a Belgian business (reverse
    charged), an American customer (0 % goods: an export); one of last year; one of another
    shop."""
    bell, book, voucher = products
    home = make_order(shop, [bell, book, voucher], [2, 1, 1])
    belgian = order(
        shop,
        [bell, book],
        [3, 2],
        customer(
            "BE",
            company="Fietsen Peeters BV",
            vat_number="be 0123.456.789",
            email="inkoop@peeters.test",
        ),
    )
    american = order(shop, [voucher], [2], customer("US", email="bob@example.test"))
    last_year = timezone.now() - datetime.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=last_year):
        old = make_order(shop, [bell], [5], email="old@example.test")
    other = make_order(other_shop, [make_product(other_shop, sku="X-1", price="50.00")], [1])
    return {
        "home": home,
        "belgian": belgian,
        "american": american,
        "old": old,
        "other": other,
        "year": period_of(timezone.localdate().year, "year"),
    }


def invoices_of(shop, period):
    return Invoice.objects.filter(shop=shop, issued_on__gte=period.start, issued_on__lte=period.end)


def test_the_boxes_add_up_to_the_invoices_of_the_period(shop, world):
    period = world["year"]
    summary = refreshed_vat_return(shop=shop, period=period)
    invoices = invoices_of(shop, period).aggregate(net=Sum("total_net"), vat=Sum("total_vat"))
    assert summary.turnover == invoices["net"]
    assert sum(summary.box(code).vat for code in ("1a", "1b", "1c")) == invoices["vat"]
    assert summary.vat_due == invoices["vat"]
    # Only this shop's invoices of this year count.
    assert invoices_of(shop, period).count() == 3  # not last year's, not the other shop's
    assert summary.box("1c").turnover == 0


def test_each_kind_of_supply_lands_in_its_box(shop, world, products):
    bell, book, voucher = products
    summary = refreshed_vat_return(shop=shop, period=world["year"])
    home, belgian, american = (debit_invoice(world[key]) for key in ("home", "belgian", "american"))
    # 0 % goods at home: 1e; the Belgian business (reverse charged): 3b; 0 % to the US: 3a.
    assert summary.box("1e").turnover == voucher.price
    assert summary.box("3b").turnover == belgian.total_net
    assert belgian.total_vat == 0 and belgian.vat_reverse_charged
    assert (
        summary.box("3a").turnover
        == american.lines.filter(vat_rate=0).aggregate(s=Sum("total_net"))["s"]
    )
    nine = [row for row in home.vat_breakdown if Decimal(row["rate"]) == 9]
    assert summary.box("1b").turnover == Decimal(nine[0]["net"])
    assert summary.box("1b").vat == Decimal(nine[0]["vat"])
    assert summary.box("1a").vat > 0


def test_the_icp_lists_the_reverse_charged_supplies_per_vat_number(shop, world):
    belgian = debit_invoice(world["belgian"])
    rows = icp_listing(shop=shop, period=world["year"])
    assert [(row.country, row.vat_number, row.amount) for row in rows] == [
        ("BE", BELGIAN_VAT_NUMBER, belgian.total_net)
    ]
    assert rows[0].amount_whole == whole_euros(belgian.total_net)


def test_a_credit_invoice_lowers_the_box_of_its_rate(shop, owner, world):
    period = world["year"]
    before = refreshed_vat_return(shop=shop, period=period)
    home = debit_invoice(world["home"])
    bell_line = home.lines.get(sku="BEL-01")
    credit = credit_invoice(
        shop=shop, invoice=home, actor=Actor.staff(owner), line_ids=[bell_line.pk]
    )
    after = refreshed_vat_return(shop=shop, period=period)
    assert credit.total_net < 0
    assert after.box("1a").turnover == before.box("1a").turnover + credit.total_net
    assert after.box("1a").vat == before.box("1a").vat + credit.total_vat
    assert after.box("1b") == before.box("1b")
    # The credit invoice stands behind box 1a, with its negative amount.
    rows = {
        row.invoice.number: row
        for row in refreshed_box_invoices(shop=shop, period=period, box="1a").rows
    }
    assert rows[credit.number].turnover == credit.total_net


def test_last_years_invoice_counts_in_last_year_only(shop, world):
    old = debit_invoice(world["old"])
    last_year = refreshed_vat_return(shop=shop, period=period_of(old.issued_on.year, "year"))
    assert last_year.turnover == old.total_net
    page = refreshed_box_invoices(shop=shop, period=world["year"], box="1a")
    ids = {row.invoice.pk for row in page.rows}
    assert ids and old.pk not in ids
    assert debit_invoice(world["other"]).pk not in ids


def test_the_drill_down_lists_the_invoices_of_a_box(shop, world):
    numbers = {
        box: [
            row.invoice.number
            for row in refreshed_box_invoices(shop=shop, period=world["year"], box=box).rows
        ]
        for box in ("1a", "1b", "1e", "3a", "3b")
    }
    home, belgian, american = (debit_invoice(world[key]) for key in ("home", "belgian", "american"))
    assert numbers["3b"] == [belgian.number]
    assert numbers["3a"] == [american.number]
    assert numbers["1e"] == [home.number]
    assert numbers["1b"] == [home.number]
    assert home.number in numbers["1a"] and belgian.number not in numbers["1a"]


def test_the_classification_is_the_documents_one():
    assert vat_category(vat_rate=21, reverse_charged=True, customer_country="BE") == INTRA_COMMUNITY
    assert vat_category(vat_rate=21, reverse_charged=False, customer_country="US") == STANDARD
    assert vat_category(vat_rate=0, reverse_charged=False, customer_country="US") == EXPORT
    assert vat_category(vat_rate=0, reverse_charged=False, customer_country="NL") == ZERO_RATED
    assert vat_category(vat_rate=0, reverse_charged=False, customer_country="") == ZERO_RATED


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime.date(2026, 3, 1), datetime.date(2026, 2, 1), "ends before it starts"),
        (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1), "at most a year"),
        (datetime.date(1976, 1, 1), datetime.date(2026, 1, 1), "Choose a year"),
    ],
)
def test_an_inverted_or_too_long_period_is_refused(start, end, message):
    with pytest.raises(InvalidPeriod, match=message):
        vat_period(start, end)


def test_periods():
    assert vat_period(datetime.date(2024, 2, 29), datetime.date(2025, 2, 28)).end.year == 2025
    quarter = period_of(2026, "q2")
    assert (quarter.start, quarter.end, quarter.slug) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        "2026-q2",
    )
    assert period_of(2024, "m02").end == datetime.date(2024, 2, 29)
    with pytest.raises(InvalidPeriod):
        period_of(2026, "q5")


def test_csv_cells_are_dutch_and_harmless():
    assert cell(Decimal("-1234.50")) == "-1234,50"
    for text in ("=SUM(A1)", "+31", "-x", "@cmd", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("Fietsen") == "Fietsen"


# --- The pages ----------------------------------------------------------------------------------


def url(shop, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def year_query(world):
    return {"period": "year", "year": world["year"].start.year}


def test_the_page_shows_the_boxes_and_the_icp(staff, shop, world):
    response = staff.get(url(shop, "vat_return"), year_query(world))
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("1a", "1b", "1c", "1e", "3a", "3b", "5a", "5b"):
        assert f'data-box="{code}"' in page
    assert BELGIAN_VAT_NUMBER in page
    assert url(shop, "vat_return_box", box="3b") + "?period=year" in page
    assert "purchase invoices" in page  # the note on 5b


def test_the_page_without_a_period_shows_the_last_quarter(staff, shop):
    assert staff.get(url(shop, "vat_return")).status_code == 200


def test_the_statistics_page_links_to_the_vat_return(staff, shop):
    page = staff.get(url(shop, "statistics")).content.decode()
    assert url(shop, "vat_return") in page


def test_staff_of_another_shop_get_404(client, shop, other_shop, make_staff, world):
    client.force_login(make_staff(other_shop, email="andere@example.test"))
    for name, kwargs in (
        ("vat_return", {}),
        ("vat_return_box", {"box": "1a"}),
        ("vat_return_csv", {}),
        ("vat_return_icp_csv", {}),
        ("vat_return_pdf", {}),
    ):
        assert client.get(url(shop, name, **kwargs), year_query(world)).status_code == 404


def test_the_drill_down_page_lists_the_box_invoices(staff, shop, world):
    belgian = debit_invoice(world["belgian"])
    home = debit_invoice(world["home"])
    response = staff.get(url(shop, "vat_return_box", box="3b"), year_query(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-invoice="{belgian.number}"' in page
    assert f'data-invoice="{home.number}"' not in page
    assert staff.get(url(shop, "vat_return_box", box="9z"), year_query(world)).status_code == 404


def test_the_drill_down_pages_through_many_invoices(staff, shop, products, make_order, world):
    for _ in range(3):
        make_order(shop, [products[2]], [1])
    response = staff.get(url(shop, "vat_return_box", box="1e"), year_query(world))
    assert response.status_code == 200
    stale = staff.get(url(shop, "vat_return_box", box="1e"), {**year_query(world), "after": "x~y"})
    assert stale.status_code == 200


def test_the_csv_files_are_for_dutch_excel(staff, shop, world):
    response = staff.get(url(shop, "vat_return_csv"), year_query(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()]
    assert rows[1][0] == "1a"
    summary = refreshed_vat_return(shop=shop, period=world["year"])
    assert rows[1][2] == format(summary.box("1a").turnover, "f").replace(".", ",")
    assert "," in rows[1][2] and "." not in rows[1][2]
    icp = staff.get(url(shop, "vat_return_icp_csv"), year_query(world)).content.decode("utf-8")
    assert icp.startswith("\ufeff") and f"BE;{BELGIAN_VAT_NUMBER};" in icp


def test_the_pdf_for_the_accountant(staff, shop, world):
    response = staff.get(url(shop, "vat_return_pdf"), year_query(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "query",
    [
        {"period": "year", "year": "50000"},
        {"period": "q9", "year": "2026"},
        {"period": "year", "year": "twee"},
        {"period": "year"},
    ],
)
@pytest.mark.parametrize("name", ["vat_return", "vat_return_csv", "vat_return_pdf"])
def test_a_bad_period_is_a_clear_message(staff, shop, query, name):
    response = staff.get(url(shop, name), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose another period" in page
    assert 'id="error-summary"' in page
