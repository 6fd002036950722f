"""Staff edit an order, issue a credit invoice on its Invoices tab, download PDF and UBL."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.orders.models import Order
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_backoffice import log_in


@pytest.fixture
def order(transactional_db, shop, products, make_order):
    bel, boek, bon = products
    return make_order(shop, [bel, boek, bon], quantities=[2, 1, 1])


def test_staff_issue_a_credit_invoice_and_download_pdf_and_ubl(
    page, screenshot, shop, order, owner, tmp_path
):
    log_in(page, owner.email)
    # Edit the order: one bell instead of two.
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/edit/")
    page.locator('input[name="lines-0-quantity"]').fill("1")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Order {order.number} saved.")

    # The Invoices tab shows the difference; New invoice proposes the credit line by line.
    page.locator('[data-tab="invoices"]').click()
    expect(page).to_have_url(re.compile(r"\?tab=invoices$"))
    expect(page.locator("#invoicing-difference")).to_contain_text("-€12.99")
    screenshot("invoices-tab-difference-1280")
    page.locator("#new-invoice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New credit invoice")
    expect(page.locator("#proposal-lines tbody tr")).to_have_count(1)
    expect(page.locator("#proposal-lines")).to_contain_text("Fietsbel")
    screenshot("invoice-new-credit-1280")
    page.get_by_role("button", name="Issue credit invoice").click()

    credit = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT)
    assert credit.total_gross == Decimal("-12.99")
    expect(page.get_by_role("status").first).to_contain_text(
        f"Credit invoice {credit.number} issued."
    )
    expect(page).to_have_url(re.compile(rf"invoice={credit.number}"))
    highlighted = page.locator(".kt-inv-highlight")
    expect(highlighted).to_have_attribute("data-invoice", credit.number)
    expect(page.locator("#invoicing-difference")).to_contain_text("€0.00")
    screenshot("invoices-tab-credit-issued-1280")

    # Download the credit invoice as PDF and UBL.
    with page.expect_download() as info:
        highlighted.locator('[data-download="pdf"]').click()
    pdf = info.value
    assert pdf.suggested_filename == f"{credit.number}.pdf"
    pdf_path = tmp_path / pdf.suggested_filename
    pdf.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    with page.expect_download() as info:
        highlighted.locator('[data-download="ubl"]').click()
    ubl = info.value
    assert ubl.suggested_filename == f"{credit.number}.xml"
    ubl_path = tmp_path / ubl.suggested_filename
    ubl.save_as(ubl_path)
    assert b"<CreditNote" in ubl_path.read_bytes()
    # The PDF's first page as a picture, to look at.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(SCREENSHOTS / "invoice-credit-pdf-page1"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "invoice-credit-pdf-page1.png").exists()

    # Mark the original invoice paid by hand.
    debit = Invoice.objects.get(order=order, kind=InvoiceKind.DEBIT)
    page.locator(f'[data-invoice="{debit.number}"] [data-action="mark-paid"]').click()
    page.get_by_label("Note").fill("Bank transfer, statement 14")
    screenshot("invoice-mark-paid-1280")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Invoice {debit.number} marked")
    expect(page.locator(f'[data-invoice="{debit.number}"] .status-badge')).to_have_text("Paid")

    # The invoice list: open the credit invoice; it lands highlighted on the order's tab.
    page.locator('nav[aria-label="Main menu"] a[data-menu-key="invoices"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    expect(page.locator("#invoice-list tbody tr")).to_have_count(2)
    screenshot("invoice-list-1280")
    page.get_by_role("link", name=credit.number).click()
    expect(page.locator(".kt-inv-highlight")).to_have_attribute("data-invoice", credit.number)
    page.set_viewport_size({"width": 820, "height": 1100})
    screenshot("invoices-tab-820")
    page.goto(f"/backoffice/{shop.slug}/invoices/")
    screenshot("invoice-list-820")
    assert Order.objects.get(pk=order.pk).total_gross == sum(
        i.total_gross for i in Invoice.objects.filter(order=order)
    )
