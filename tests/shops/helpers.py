"""Small row makers for the shops tests."""

from decimal import Decimal

from django.utils import timezone

from kantoor.orders.models import Order


def order_with_number(shop, number: str) -> Order:
    """An order row with a given number (as an import from an older system would leave)."""
    now = timezone.now()
    return Order.objects.create(
        shop=shop,
        number=number,
        email="old@example.test",
        first_name="Old",
        last_name="Order",
        billing_name="Old Order",
        billing_street="Straat 1",
        billing_postcode="1234 AB",
        billing_city="Utrecht",
        billing_country="NL",
        delivery_name="Old Order",
        delivery_street="Straat 1",
        delivery_postcode="1234 AB",
        delivery_city="Utrecht",
        delivery_country="NL",
        shipping_method="delivery",
        shipping_cost=Decimal("0"),
        shipping_vat_rate=Decimal("21"),
        prices_include_vat=True,
        currency="EUR",
        total_net=Decimal("0"),
        total_vat=Decimal("0"),
        total_gross=Decimal("0"),
        language="nl",
        created_at=now,
        updated_at=now,
    )
