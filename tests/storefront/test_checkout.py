from decimal import Decimal

from django.test import Client

from kantoor.customers.models import Customer
from kantoor.orders.models import Order
from kantoor.storefront.tokens import confirmation_token
from tests.storefront.conftest import post_checkout, url


def fill_cart(client, shop, *pairs):
    for product, quantity in pairs:
        client.post(url(shop, "cart_add"), {"product_id": product.pk, "quantity": quantity})


def test_checkout_page_renders_with_summary(client, shop, products):
    fill_cart(client, shop, (products[0], 2))
    response = client.get(url(shop, "checkout"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Place order" in html
    assert "€32.93" in html  # 2 x 12.99 + 6.95 shipping


def test_guest_checkout_places_one_order_and_empties_the_cart(
    client, shop, products, checkout_data
):
    bel, boek, bon = products
    fill_cart(client, shop, (bel, 2), (boek, 1), (bon, 1))
    response = post_checkout(client, shop, checkout_data)

    order = Order.objects.get(shop=shop)
    assert response.status_code == 302
    assert response.url == url(shop, "confirmation", token=confirmation_token(order))
    lines = {line.sku: (line.quantity, line.unit_price) for line in order.lines.all()}
    assert lines == {
        "BEL-01": (2, Decimal("12.99")),
        "BOEK-01": (1, Decimal("9.95")),
        "BON-25": (1, Decimal("25.00")),
    }
    # 25.98 + 9.95 + 25.00 + 6.95 shipping
    assert order.total_gross == Decimal("67.88")
    assert order.shipping_cost == Decimal("6.95")
    assert order.email == "anna@example.test"
    assert order.billing_street == "Kerkstraat 12"
    assert order.delivery_city == "Amsterdam"
    assert order.customer.email == "anna@example.test"
    assert not order.customer.has_account
    assert client.session[f"cart:{shop.pk}"] == {}

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert order.number in html
    assert "€67.88" in html
    assert "What happens next" in html
    assert "Kerkstraat 12" in html


def test_pickup_and_other_delivery_address(client, shop, products, checkout_data):
    fill_cart(client, shop, (products[0], 1))
    post_checkout(client, shop, {**checkout_data, "shipping_method": "pickup"})
    order = Order.objects.get(shop=shop)
    assert order.shipping_method == "pickup"
    assert order.shipping_cost == Decimal("0.00")
    assert order.total_gross == Decimal("12.99")

    fill_cart(client, shop, (products[0], 1))
    post_checkout(
        client,
        shop,
        {
            **checkout_data,
            "other_delivery": "on",
            "delivery_name": "Oma de Vries",
            "delivery_street": "Dorpsweg 3",
            "delivery_postcode": "9999 ZZ",
            "delivery_city": "Ergens",
            "delivery_country": "BE",
        },
    )
    order = Order.objects.filter(shop=shop).latest("pk")
    assert (order.delivery_name, order.delivery_street, order.delivery_country) == (
        "Oma de Vries",
        "Dorpsweg 3",
        "BE",
    )
    assert order.billing_street == "Kerkstraat 12"


def test_missing_fields_show_errors_and_keep_what_was_typed(client, shop, products, checkout_data):
    fill_cart(client, shop, (products[0], 1))
    data = {**checkout_data, "street": "", "email": "not-an-address", "other_delivery": "on"}
    response = post_checkout(client, shop, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter an e-mail address in the right format" in html
    assert "Enter your street and house number." in html
    assert "Enter the street and house number of the delivery address." in html
    assert 'value="Anna"' in html and 'value="not-an-address"' in html
    assert Order.objects.count() == 0
    assert client.session[f"cart:{shop.pk}"] == {str(products[0].pk): 1}


def test_empty_cart_checkout_writes_nothing(client, shop, products, checkout_data):
    response = post_checkout(client, shop, checkout_data)
    assert response.status_code == 302
    assert "Your cart is empty" in client.get(response.url).content.decode()
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


def test_order_error_is_shown_and_the_cart_stays(client, shop, products, checkout_data):
    fill_cart(client, shop, (products[0], 5))
    products[0].stock_level = 2  # someone else bought most of them in the meantime
    products[0].save(update_fields=["stock_level"])
    response = post_checkout(client, shop, checkout_data)
    assert response.status_code == 200
    assert "Not enough in stock" in response.content.decode()
    assert Order.objects.count() == 0
    assert client.session[f"cart:{shop.pk}"] == {str(products[0].pk): 5}


def test_pickup_is_refused_when_the_shop_does_not_offer_it(
    client, make_shop, make_product, checkout_data
):
    shop = make_shop(slug="geen-afhalen", name="Geen afhalen", allows_pickup=False)
    product = make_product(shop)
    fill_cart(client, shop, (product, 1))
    response = post_checkout(client, shop, {**checkout_data, "shipping_method": "pickup"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Order.objects.count() == 0


def test_checkout_without_csrf_token_is_refused(shop, products, checkout_data):
    client = Client(enforce_csrf_checks=True)
    client.get(url(shop, "home"))
    session = client.session
    session[f"cart:{shop.pk}"] = {str(products[0].pk): 1}
    session.save()
    response = post_checkout(client, shop, checkout_data)
    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_checkout_summary_follows_the_shipping_method(client, shop, products):
    fill_cart(client, shop, (products[0], 1))
    html = client.get(url(shop, "checkout_summary"), {"shipping_method": "pickup"}).content
    assert "€12.99" in html.decode() and "Free" in html.decode()


def test_confirmation_token_opens_only_its_own_order(
    client, shop, other_shop, products, make_product, make_order
):
    first = make_order(shop, products[:1])
    second = make_order(shop, products[1:2])
    foreign = make_order(other_shop, [make_product(other_shop, sku="A-1", name="Ander")])

    assert client.get(url(shop, "confirmation", token=confirmation_token(first))).status_code == 200
    # another shop's order through this shop, a tampered token, a token of another order
    assert (
        client.get(url(shop, "confirmation", token=confirmation_token(foreign))).status_code == 404
    )
    token = confirmation_token(first)
    assert client.get(url(shop, "confirmation", token=token[:-2] + "xx")).status_code == 404
    assert client.get(url(other_shop, "confirmation", token=token)).status_code == 404
    html = client.get(url(shop, "confirmation", token=confirmation_token(second))).content.decode()
    assert second.number in html and first.number not in html


def test_prices_excluding_vat_checkout_adds_vat(client, make_shop, make_product, checkout_data):
    shop = make_shop(slug="zakelijk", name="Zakelijk", prices_include_vat=False)
    product = make_product(shop, price="100.00", vat_rate="21")
    fill_cart(client, shop, (product, 1))
    html = client.get(url(shop, "cart")).content.decode()
    # 100 + 6.95 shipping = 106.95 net, VAT 22.46 → 129.41
    assert "€129.41" in html and "VAT 21%" in html
    post_checkout(client, shop, checkout_data)
    assert Order.objects.get(shop=shop).total_gross == Decimal("129.41")
