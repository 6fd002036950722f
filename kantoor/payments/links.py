"""Payment links: ``/pay/<token>``, one per debit invoice, unguessable and bound to the invoice.

The token is the invoice's shop and id signed with the project's SECRET_KEY (HMAC-SHA256, salted
for this purpose only): it cannot be made without the key, and it opens only the invoice it names.
It does not expire: a link in an e-mail keeps working; once the invoice is paid, the page says so.
The token is the same every time it is made for an invoice (no timestamp in it), so every e-mail
and page gives one link; links made before (with a timestamp, ``signing.dumps``) still open.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from kantoor.core.links import absolute_url

__all__ = ["absolute_url", "invoice_from_token", "payment_link_path", "payment_link_url"]

_SALT = "kantoor.payments.payment-link"


_SIGNER = signing.Signer(salt=_SALT)


def payment_link_token(*, shop_id: int, invoice_id: int) -> str:
    return _SIGNER.sign_object({"s": shop_id, "i": invoice_id})


def invoice_from_token(token: str) -> tuple[int, int] | None:
    """(shop id, invoice id) that a payment-link token opens, or None for a bad token."""
    try:
        data = _SIGNER.unsign_object(token)
    except (signing.BadSignature, ValueError):
        try:  # a link made before tokens lost their timestamp (its signature covers it)
            data = signing.loads(token, salt=_SALT)
        except (signing.BadSignature, ValueError):
            return None
    if not isinstance(data, dict):
        return None
    shop_id, invoice_id = data.get("s"), data.get("i")
    if not isinstance(shop_id, int) or not isinstance(invoice_id, int):
        return None
    return shop_id, invoice_id


def payment_link_path(*, shop_id: int, invoice_id: int) -> str:
    """The path of the invoice's payment page (prefix it with the site's address for e-mail)."""
    token = payment_link_token(shop_id=shop_id, invoice_id=invoice_id)
    return reverse("pay:invoice", kwargs={"token": token})


def payment_link_url(*, shop_id: int, invoice_id: int) -> str:
    """The full payment link of an invoice, as written in an e-mail."""
    return absolute_url(payment_link_path(shop_id=shop_id, invoice_id=invoice_id))
