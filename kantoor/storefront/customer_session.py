"""Storefront log-in: a customer session per shop, separate from staff (Django) auth.

The session holds, under ``customer:<shop id>``, the customer's id and an HMAC of their
password hash. Changing the password changes the hash, so every other session of that
customer ends; a session at one shop is no session at another.
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

from kantoor.customers.models import Customer
from kantoor.shops.models import Shop

_HMAC_SALT = "kantoor.storefront.customer_session"


def _key(shop: Shop) -> str:
    return f"customer:{shop.pk}"


def _password_hmac(customer: Customer) -> str:
    return salted_hmac(_HMAC_SALT, customer.password, algorithm="sha256").hexdigest()


def log_in(request, *, shop: Shop, customer: Customer) -> None:
    """Start the customer's session at this shop, under a new session key."""
    if customer.shop_id != shop.pk:
        raise ValueError("A customer can only log in at their own shop.")
    request.session.cycle_key()
    request.session[_key(shop)] = {"id": customer.pk, "hash": _password_hmac(customer)}
    request.customer = customer


def log_out(request, *, shop: Shop) -> None:
    request.session.pop(_key(shop), None)
    request.session.cycle_key()
    request.customer = None


def refresh(request, *, shop: Shop, customer: Customer) -> None:
    """Keep this session after the customer changed their own password."""
    request.session[_key(shop)] = {"id": customer.pk, "hash": _password_hmac(customer)}


def current_customer(request, *, shop: Shop) -> Customer | None:
    """The customer logged in at this shop in this session, or None."""
    data = request.session.get(_key(shop))
    if not isinstance(data, dict):
        return None
    customer = Customer.objects.filter(shop=shop, pk=data.get("id")).first()
    if (
        customer is None
        or not customer.has_account
        or not constant_time_compare(str(data.get("hash", "")), _password_hmac(customer))
    ):
        request.session.pop(_key(shop), None)
        return None
    return customer
