"""Quotes in the back office, in a real browser: staff write a quote with a product line and a
free line, send it and find it under "Sent" (desktop and phone widths)."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.quotes.models import Quote, QuoteLine, QuoteStatus
from tests.browser.test_backoffice import log_in, menu_link

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def quote_shop(transactional_db, shop, products, make_order):
    make_order(shop, products[:1], email="jan@example.test")  # a customer to find
    return shop


def test_staff_write_send_and_find_a_quote(page, screenshot, quote_shop, owner):
    shop = quote_shop
    log_in(page, owner.email)
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/$"))
    menu_link(page, "quotes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quotes")
    expect(page.locator("#quotes-empty")).to_contain_text("No quotes yet")

    page.get_by_role("link", name="New quote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New quote")
    page.get_by_label("Find a customer").fill("jan")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=re.compile("jan@example.test")).click()
    expect(page.locator("#chosen-customer")).to_contain_text("A quote for")
    expect(page.get_by_label("E-mail address")).to_have_value("jan@example.test")

    page.locator("#id_lines-0-product").select_option(label="Fietsbel (BEL-01) · €12.99")
    page.locator("#id_lines-0-quantity").fill("2")
    page.locator("#id_lines-0-discount_percent").fill("10")
    page.get_by_role("button", name="Add a line").click()
    expect(page.locator("#id_lines-1-product")).to_be_focused()
    page.locator("#id_lines-1-description").fill("Montage aan huis")
    page.locator("#id_lines-1-unit_price").fill("45.00")
    page.locator("#id_lines-1-vat_rate").select_option(label="21%")
    page.get_by_label("Note to the customer").fill("Montage op een dag die u uitkomt.")
    screenshot("quotes-editor-1280")
    page.set_viewport_size(PHONE)
    screenshot("quotes-editor-390")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Save as concept").click()
    quote = Quote.objects.get(shop=shop)
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.number}/$"))
    expect(page.locator(".kt-flash").first).to_contain_text("saved as a concept")
    expect(page.locator("#quote-status")).to_contain_text("Concept")
    expect(page.locator("#quote-lines tbody tr")).to_have_count(3)  # 2 lines and the shipping
    assert [line.description for line in QuoteLine.objects.filter(quote=quote)] == [
        "Fietsbel",
        "Montage aan huis",
    ]

    page.get_by_role("button", name="Send to the customer").click()
    expect(page.locator("#quote-status")).to_contain_text("Sent")
    expect(page.locator(".kt-flash").first).to_contain_text("sent to jan@example.test")
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT
    screenshot("quotes-page-1280")
    page.get_by_role("button", name="Extend validity").click()
    expect(page.get_by_label("New last day")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#timeline")).to_contain_text("Revision 1 sent to jan@example.test")
    page.set_viewport_size(PHONE)
    screenshot("quotes-page-history-390")
    page.get_by_role("link", name="Overview").click()
    screenshot("quotes-page-390")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Quotes", exact=True).first.click()
    page.locator('.kt-tabs a[data-view="sent"]').click()
    expect(page.locator('.kt-tabs a[data-view="sent"]')).to_have_attribute("aria-current", "page")
    expect(page.locator(f'tr[data-quote="{quote.number}"]')).to_be_visible()
    expect(page.locator("#quote-count")).to_have_text("1 quote")
    screenshot("quotes-list-1280")
    page.set_viewport_size(PHONE)
    screenshot("quotes-list-390")
    page.set_viewport_size(DESKTOP)
    page.locator('.kt-tabs a[data-view="requested"]').click()
    expect(page.locator("#quotes-no-match")).to_be_visible()
    page.locator('.kt-tabs a[data-view="sent"]').click()
    # A click on the row (not only on the number) opens the quote.
    page.locator(f'tr[data-quote="{quote.number}"] td.kt-ol-customer').click()
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.number}/$"))

    # Editing the sent quote makes revision 2; the customer keeps seeing revision 1.
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("link", name="Edit quote").click()
    expect(page.locator("#new-revision-note")).to_contain_text("Saving makes revision 2")
    page.locator("#id_lines-0-quantity").fill("-1")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator(".kt-line-error").first).to_contain_text("A quantity must be between 1")
    screenshot("quotes-editor-error-1280")
    page.locator("#id_lines-0-quantity").fill("4")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#customer-sees")).to_contain_text("The customer sees revision 1")
    expect(page.locator("#quote-revision")).to_have_text("Revision 2")
    screenshot("quotes-page-revision-1280")
