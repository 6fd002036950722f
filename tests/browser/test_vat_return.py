"""The VAT return in a real browser: from Statistics to the summary of the year, into box 3b and
its reverse-charged invoice."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kantoor.invoices.models import Invoice
from tests.browser.test_backoffice import log_in
from tests.reports.test_vat_return import BELGIAN_VAT_NUMBER, customer, order


@pytest.fixture
def shop(make_shop):
    return make_shop(vat_number="NL123456789B01", legal_name="Fietsen Jansen B.V.")


@pytest.fixture
def invoiced(transactional_db, shop, products, make_order):
    bell, book, voucher = products
    make_order(shop, [bell, book, voucher], [2, 1, 1])
    belgian = order(
        shop,
        [bell, book],
        [3, 2],
        customer(
            "BE",
            company="Fietsen Peeters BV",
            vat_number=BELGIAN_VAT_NUMBER,
            email="inkoop@peeters.test",
        ),
    )
    return Invoice.objects.get(order=belgian)


def test_the_owner_opens_the_vat_return_and_drills_into_box_3b(
    page, screenshot, shop, owner, invoiced
):
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/statistics/")
    page.get_by_role("link", name="VAT return", exact=True).click()
    page.get_by_label("Month, quarter or year").select_option("year")
    page.get_by_label("Year", exact=True).fill(str(timezone.localdate().year))
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_contain_text(str(timezone.localdate().year))
    expect(page.locator("[data-icp]")).to_contain_text(BELGIAN_VAT_NUMBER)
    screenshot("backoffice-vat-return-1280")
    page.locator('tr[data-box="3b"] a').click()
    expect(page.locator("h1")).to_contain_text("Box 3b")
    rows = page.locator("[data-box-invoices] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(invoiced.number)
    screenshot("backoffice-vat-return-box-1280")
    page.get_by_role("link", name="VAT return,").click()
    expect(page.locator("[data-vat-boxes]")).to_be_visible()
