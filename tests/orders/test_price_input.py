"""Prices typed in the back office's order edit form: "12,99" in Dutch, "12.99" always."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kantoor.backoffice.orders.forms import LineForm, OrderEditForm


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("nl", "12,99", Decimal("12.99")),
        ("nl", "12.99", Decimal("12.99")),
        ("nl", "0,5", Decimal("0.50")),
        ("en", "12.99", Decimal("12.99")),
        ("en", "12", Decimal("12")),
    ],
)
def test_a_price_is_read_as_the_language_writes_it(language, typed, expected):
    with translation.override(language):
        form = OrderEditForm({"version": "1", "shipping_cost": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["shipping_cost"] == expected
        line = LineForm({"line_id": "1", "quantity": "1", "unit_price": typed})
        assert line.is_valid(), line.errors
        assert line.cleaned_data["unit_price"] == expected


@pytest.mark.parametrize("typed", ["12,999", "abc", "1.234,50"])
def test_a_price_that_is_not_an_amount_is_refused_with_a_message(typed):
    with translation.override("nl"):
        form = OrderEditForm({"version": "1", "shipping_cost": typed})
        assert not form.is_valid()
        assert form.errors["shipping_cost"]


def test_the_form_shows_a_price_as_the_language_writes_it():
    with translation.override("nl"):
        html = str(OrderEditForm(initial={"shipping_cost": Decimal("6.95")})["shipping_cost"])
    assert 'value="6,95"' in html and 'inputmode="decimal"' in html
    assert 'type="text"' in html  # a number box would show "6,95" as empty


@pytest.fixture
def restore_language():
    """The locale middleware activates Dutch in this thread; later tests expect English."""
    with translation.override(translation.get_language()):
        yield


@pytest.mark.parametrize("typed", ["4,50", "4.50"])
@pytest.mark.usefixtures("restore_language")
def test_a_dutch_owner_saves_an_edit_with_a_comma(client, shop, owner, products, make_order, typed):
    order = make_order(shop, products[:1])
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    line = order.lines.get()
    data = {
        "version": str(order.version),
        "shipping_cost": typed,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-line_id": str(line.pk),
        "lines-0-quantity": "1",
        "lines-0-unit_price": "11,50" if "," in typed else "11.50",
    }
    for prefix in ("billing", "delivery"):
        for name in ("name", "company", "street", "postcode", "city", "country"):
            data[f"{prefix}-{name}"] = getattr(order, f"{prefix}_{name}")
    url = reverse("backoffice:order_edit", kwargs={"shop_slug": shop.slug, "number": order.number})

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    order.refresh_from_db()
    assert order.shipping_cost == Decimal("4.50")
    assert order.lines.get().unit_price == Decimal("11.50")
    page = client.get(url).content.decode()
    assert 'value="4,50"' in page and 'value="11,50"' in page
