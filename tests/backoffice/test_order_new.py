"""A phone order: staff place an order for a customer with the same place_order service."""

import pytest
from django.urls import reverse

from kantoor.catalog.selectors import stock_level_from_ledger
from kantoor.customers.models import Customer
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff(shop, make_staff):
    user = make_staff(shop)
    user.name = "Femke de Boer"
    user.save()
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def order_data(products, **overrides):
    bell, book, _ = products
    data = {
        "email": "Klaas@Example.test",
        "first_name": "Klaas",
        "last_name": "Vaak",
        "company": "",
        "phone": "030 123 4567",
        "language": "nl",
        "shipping_method": "delivery",
        "note": "Belde om 10 uur",
        "billing-name": "Klaas Vaak",
        "billing-company": "",
        "billing-street": "Dorpsstraat 2",
        "billing-postcode": "1234 AB",
        "billing-city": "Ergens",
        "billing-country": "NL",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": str(bell.pk),
        "lines-0-quantity": "3",
        "lines-1-product": str(book.pk),
        "lines-1-quantity": "1",
    }
    data.update(overrides)
    return data


def test_the_new_order_page_lists_the_catalogue(staff_client, shop, products):
    response = staff_client.get(url("order_new", shop))
    assert response.status_code == 200
    assert "Fietsbel (BEL-01)" in response.text
    assert "Place order" in response.text


def test_staff_place_a_phone_order_with_place_order(staff_client, shop, products, staff):
    bell = products[0]
    response = staff_client.post(url("order_new", shop), order_data(products))

    order = Order.objects.get(shop=shop)
    assert response.status_code == 302
    assert response["Location"] == url("order", shop, number=order.number)
    assert order.email == "klaas@example.test"
    assert order.note == "Belde om 10 uur"
    assert [(li.sku, li.quantity) for li in order.lines.order_by("position")] == [
        ("BEL-01", 3),
        ("BOEK-01", 1),
    ]
    bell.refresh_from_db()
    assert bell.stock_level == 7 == stock_level_from_ledger(product=bell)
    placed = OrderEvent.objects.get(order=order, kind=OrderEventKind.PLACED)
    assert (placed.actor, placed.actor_label) == (staff, "Femke de Boer")
    assert Customer.objects.get(shop=shop, email="klaas@example.test").phone == "030 123 4567"
    assert f"Order {order.number} placed." in staff_client.get(response["Location"]).text


def test_an_existing_customer_is_found_and_filled_in(staff_client, shop, products, make_order):
    make_order(shop, [products[0]], email="jan@example.test")
    jan = Customer.objects.get(shop=shop, email="jan@example.test")

    found = staff_client.get(url("order_new", shop), {"find": "jan"})
    assert f"?customer={jan.pk}" in found.text

    chosen = staff_client.get(url("order_new", shop), {"customer": jan.pk})
    assert 'value="jan@example.test"' in chosen.text
    assert "Ordering for Jan Jansen" in chosen.text

    staff_client.post(
        url("order_new", shop), order_data(products, email="jan@example.test", first_name="Jan")
    )
    assert Order.objects.filter(customer=jan).count() == 2


def test_a_separate_delivery_address_is_used_when_ticked(staff_client, shop, products):
    data = order_data(
        products,
        separate_delivery="on",
        **{
            "delivery-name": "Buurman",
            "delivery-street": "Kerkstraat 9",
            "delivery-postcode": "9999 ZZ",
            "delivery-city": "Elders",
            "delivery-country": "BE",
        },
    )
    staff_client.post(url("order_new", shop), data)
    order = Order.objects.get(shop=shop)
    assert (order.delivery_street, order.delivery_country) == ("Kerkstraat 9", "BE")
    assert order.billing_street == "Dorpsstraat 2"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "geen-adres"}, "Enter an e-mail address in the right format"),
        ({"first_name": ""}, "Enter the customer&#x27;s first name."),
        ({"billing-city": ""}, "Enter the city."),
        ({"lines-0-product": "999999"}, "Choose a product from your catalogue."),
        ({"lines-0-quantity": "0"}, "A quantity must be between 1 and 999."),
        ({"lines-0-product": ""}, "Choose a product from your catalogue."),
        ({"shipping_method": "drone"}, "Select a valid choice"),
        ({"lines-0-quantity": "11"}, "Not enough in stock: Fietsbel"),
        ({"separate_delivery": "on"}, "Enter the street and house number."),
    ],
)
def test_bad_input_gets_a_form_error_keeps_what_was_typed_and_writes_nothing(
    staff_client, shop, products, overrides, message
):
    response = staff_client.post(url("order_new", shop), order_data(products, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert 'id="error-summary"' in response.text
    assert 'value="Dorpsstraat 2"' in response.text
    assert not Order.objects.exists()
    for product in products:
        product.refresh_from_db()
        assert product.stock_level == stock_level_from_ledger(product=product)


def test_another_shops_product_cannot_be_ordered(
    staff_client, shop, other_shop, products, make_product
):
    foreign = make_product(other_shop, sku="X-1")
    response = staff_client.post(
        url("order_new", shop), order_data(products, **{"lines-0-product": str(foreign.pk)})
    )
    assert "Choose a product from your catalogue." in response.text
    assert not Order.objects.exists()
