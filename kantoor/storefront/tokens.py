"""Unguessable links: the order confirmation page and the password (re)set link."""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing

from kantoor.orders.models import Order

_CONFIRMATION_SALT = "kantoor.storefront.order-confirmation"


def confirmation_token(order: Order) -> str:
    return confirmation_token_for(shop_id=order.shop_id, order_id=order.pk)


def confirmation_token_for(*, shop_id: int, order_id: int) -> str:
    return signing.dumps({"s": shop_id, "o": order_id}, salt=_CONFIRMATION_SALT)


def order_id_from_token(token: str, *, shop) -> int | None:
    """The order id a confirmation token opens at this shop, or None."""
    try:
        data = signing.loads(token, salt=_CONFIRMATION_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != shop.pk:
        return None
    order_id = data.get("o")
    return order_id if isinstance(order_id, int) else None


class CustomerPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Password (re)set links for storefront customers, never valid for staff users.

    The hash covers the customer's password hash and last log-in, so a link stops working
    once it has been used or the customer has logged in since.
    """

    key_salt = "kantoor.storefront.tokens.CustomerPasswordTokenGenerator"


password_token_generator = CustomerPasswordTokenGenerator()
