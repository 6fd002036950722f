"""The signed link a quote's e-mail carries: it opens that quote for whoever has it (a prospect
has no account to log in to)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from kantoor.core.links import absolute_url

_SALT = "kantoor.quotes.view"


def quote_token(*, shop_id: int, quote_id: int) -> str:
    return signing.dumps({"s": shop_id, "q": quote_id}, salt=_SALT)


def quote_id_from_token(token: str, *, shop_id: int) -> int | None:
    """The quote a token opens at this shop, or None (forged, or another shop's)."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != shop_id:
        return None
    quote_id = data.get("q")
    return quote_id if isinstance(quote_id, int) else None


def quote_page_url(*, shop_slug: str, shop_id: int, quote_id: int) -> str:
    """The absolute address of the quote's page for the customer (signed; in the e-mails)."""
    token = quote_token(shop_id=shop_id, quote_id=quote_id)
    return absolute_url(
        reverse("storefront:quote_page", kwargs={"shop_slug": shop_slug, "token": token})
    )
