"""Four POSTs of one checkout form at once place one order (PostgreSQL, threads)."""

import pytest
from django.test import Client

from kantoor.catalog.models import MovementReason, StockMovement
from kantoor.invoices.models import Invoice
from kantoor.messaging.models import Message
from kantoor.orders.models import Order
from tests.payments.test_concurrency import needs_postgres, run_at_once
from tests.storefront.conftest import checkout_token, url
from tests.storefront.test_checkout import fill_cart
from tests.storefront.test_checkout_token import confirmed_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_concurrent_posts_of_one_checkout_form_place_one_order(shop, products, checkout_data):
    needs_postgres()
    browser = Client()
    fill_cart(browser, shop, (products[0], 2), (products[2], 1))
    form = {**checkout_data, "checkout_token": checkout_token(browser, shop)}
    cookie = browser.cookies["sessionid"].value
    responses = []

    def post():
        tab = Client()  # one browser (one session cookie), four requests
        tab.cookies["sessionid"] = cookie
        responses.append(tab.post(url(shop, "checkout"), form))

    run_at_once([post] * 4)

    order = Order.objects.get(shop=shop)
    assert [(r.status_code, confirmed_order(shop, r)) for r in responses] == [(302, order.pk)] * 4
    assert Invoice.objects.filter(shop=shop).count() == 1
    sales = StockMovement.objects.filter(shop=shop, reason=MovementReason.SALE)
    assert list(sales.values_list("quantity", flat=True)) == [-2]
    products[0].refresh_from_db()
    assert products[0].stock_level == 8
    assert Message.objects.filter(order=order).count() == 1  # one confirmation e-mail
    assert browser.get(url(shop, "cart")).context["cart_count"] == 0
