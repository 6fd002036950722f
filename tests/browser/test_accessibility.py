"""WCAG 2.1 AA beyond what axe-core sees: every main page at phone width, a focus ring that can
be seen, icon-only links with names, tables that scroll by keyboard.

axe-core itself runs on every page of every browser test (conftest.py); these tests open the
pages no other test opens at 390 px, and check what axe cannot (focus is not one of its rules).
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kantoor.customers.models import Customer
from kantoor.orders.models import Order
from kantoor.shops.contrast import contrast_ratio
from kantoor.shops.models import Shop
from tests.browser.test_backoffice import log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MIN_FOCUS_CONTRAST = 3.0  # WCAG 2.1 1.4.11: a focus indicator against what is around it

# The focused element's outline and the first opaque background behind it (outlines are drawn
# outside the element, on its parent's background), as #rrggbb.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const hex = (colour) => {
    const m = colour.match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?/);
    if (!m || (m[4] !== undefined && Number(m[4]) < 1)) return null;
    return '#' + [m[1], m[2], m[3]].map(v => Number(v).toString(16).padStart(2, '0')).join('');
  };
  let behind = null;
  for (let node = el.parentElement; node && !behind; node = node.parentElement) {
    behind = hex(getComputedStyle(node).backgroundColor);
  }
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.getAttribute('aria-label') || '').trim(),
    id: el.id, classes: el.className && el.className.baseVal === undefined ? el.className : '',
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outline: hex(style.outlineColor), own: hex(style.backgroundColor), behind: behind || '#ffffff',
  };
}"""


@pytest.fixture
def demo_shop(transactional_db):
    call_command("seed_demo", orders=60, verbosity=0)
    return Shop.objects.get(slug="demo")


def focus_problems(page, presses: int) -> list[str]:
    """Tab through the page; what is wrong with the focus indicator of each element reached."""
    problems, seen = [], set()
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        name = (
            f"<{focus['tag']} id={focus['id']!r} class={focus['classes']!r}> {focus['text'][:30]!r}"
        )
        if focus["tag"] == "body" or name in seen:
            continue
        seen.add(name)
        if focus["outlineStyle"] in ("none", "hidden") or focus["outlineWidth"] < 2:
            problems.append(f"{name}: no outline of 2px or more")
            continue
        if focus["outline"] is None:
            problems.append(f"{name}: a see-through outline")
            continue
        ratio = contrast_ratio(focus["outline"], focus["behind"])
        if ratio < MIN_FOCUS_CONTRAST:
            problems.append(
                f"{name}: outline {focus['outline']} on {focus['behind']} is {ratio:.1f}:1"
            )
    return problems


def test_every_focused_control_shows_a_ring_of_3_to_1(page, screenshot, demo_shop):
    log_in(page, "demo@kantoor.test", "kantoor-demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    # The current menu item too: its own shadow used to replace the focus ring.
    current = page.locator('nav[aria-label="Main menu"] a[aria-current="page"]')
    page.locator("#user-menu").focus()
    while not current.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS_STYLE)
    assert focus["outlineStyle"] == "solid" and focus["outlineWidth"] >= 2, focus
    assert contrast_ratio(focus["outline"], focus["behind"]) >= MIN_FOCUS_CONTRAST, focus
    assert contrast_ratio(focus["outline"], focus["own"]) >= MIN_FOCUS_CONTRAST, focus
    screenshot("a11y-focus-current-menu-item-1280")

    assert focus_problems(page, presses=40) == []
    page.goto(f"/backoffice/{demo_shop.slug}/orders/")
    assert focus_problems(page, presses=40) == []
    page.locator("#user-menu").focus()
    page.keyboard.press("Tab")
    screenshot("a11y-focus-orders-1280")
    page.goto(f"/backoffice/{demo_shop.slug}/settings/workflow/")
    assert focus_problems(page, presses=30) == []

    page.set_viewport_size(PHONE)
    page.goto(f"/backoffice/{demo_shop.slug}/")
    assert focus_problems(page, presses=25) == []
    page.locator("a.kt-brand").focus()
    screenshot("a11y-focus-brand-390")


def test_the_back_office_at_phone_width(page, screenshot, demo_shop):
    shop = demo_shop
    page.set_viewport_size(PHONE)
    page.goto("/backoffice/login/")
    screenshot("a11y-backoffice-login-390")
    log_in(page, "demo@kantoor.test", "kantoor-demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    # The brand keeps its name when its word makes room.
    expect(page.get_by_role("link", name="Kantoor", exact=True)).to_be_visible()
    screenshot("a11y-overview-390")

    # The overview table scrolls by keyboard: a labelled region in the tab order.
    region = page.locator('[aria-labelledby="recent-title"] .table-responsive')
    expect(region).to_have_attribute("role", "region")
    expect(region).to_have_accessible_name("Recent orders")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The keyboard scroll is animated: wait for it to move rather than read it at once.
    page.wait_for_function(
        "el => el.scrollWidth > el.clientWidth && el.scrollLeft > 0",
        arg=region.element_handle(),
    )
    screenshot("a11y-overview-table-focused-390")

    page.goto(f"/backoffice/{shop.slug}/orders/")
    # The pager's arrows keep their names when the words make room.
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    expect(page.get_by_role("link", name="Last")).to_be_visible()
    screenshot("a11y-orders-390")
    page.get_by_role("link", name="Last").click()
    expect(page).to_have_url(re.compile(r"last=1"))
    expect(page.get_by_role("link", name="First")).to_be_visible()

    order = Order.objects.filter(shop=shop).order_by("-created_at").first()
    customer = Customer.objects.filter(shop=shop).first()
    for path in [
        f"orders/{order.number}/",
        f"orders/{order.number}/?tab=invoices",
        f"orders/{order.number}/edit/",
        "orders/new/",
        "invoices/",
        "payments/",
        "customers/",
        f"customers/{customer.pk}/",
        "settings/",
        "settings/workflow/",
        "settings/workflow/?tab=numbers",
        "settings/workflow/?tab=returns",
        "settings/payments/",
        "settings/emails/",
    ]:
        page.goto(f"/backoffice/{shop.slug}/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("a11y-settings-emails-390")
    page.goto(f"/backoffice/{shop.slug}/settings/workflow/")
    screenshot("a11y-settings-statuses-390")
    page.get_by_role("button", name="Open the menu").click()
    page.wait_for_selector("#kt-sidebar.show:not(.showing)")
    screenshot("a11y-menu-open-390")


def test_the_storefront_at_phone_width(page, screenshot, demo_shop):
    shop = demo_shop
    # Give the demo customer a few of the seeded orders (and so their invoices) to look at.
    klant = Customer.objects.get(shop=shop, email="klant@kantoor.test")
    some = Order.objects.filter(shop=shop).order_by("-created_at")[:3]
    Order.objects.filter(pk__in=[order.pk for order in some]).update(customer=klant)
    page.set_viewport_size(PHONE)
    page.goto(f"/shop/{shop.slug}/")
    screenshot("a11y-storefront-products-390")
    product = page.locator(".sf-product-card a").first
    product.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"/shop/{shop.slug}/cart/")
    page.goto(f"/shop/{shop.slug}/account/login/")
    page.get_by_label("E-mail address").fill("klant@kantoor.test")
    page.get_by_label("Password").fill("kantoor-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    screenshot("a11y-storefront-account-390")
    page.get_by_role("link", name=re.compile("View order")).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("a11y-storefront-order-390")
    page.goto(f"/shop/{shop.slug}/checkout/")
    page.set_viewport_size(DESKTOP)
    page.goto(f"/shop/{shop.slug}/account/")
