"""The signed link a customer follows a return through (guests have no account to log in to)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from kantoor.core.links import absolute_url

_SALT = "kantoor.returns.follow"


def return_token(*, shop_id: int, return_id: int) -> str:
    return signing.dumps({"s": shop_id, "r": return_id}, salt=_SALT)


def return_id_from_token(token: str, *, shop_id: int) -> int | None:
    """The return a token opens at this shop, or None (forged, or another shop's)."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != shop_id:
        return None
    return_id = data.get("r")
    return return_id if isinstance(return_id, int) else None


def return_page_url(*, shop_slug: str, shop_id: int, return_id: int) -> str:
    """The absolute address of the return's page for the customer (signed; in the e-mails)."""
    token = return_token(shop_id=shop_id, return_id=return_id)
    return absolute_url(
        reverse("storefront:return_page", kwargs={"shop_slug": shop_slug, "token": token})
    )
