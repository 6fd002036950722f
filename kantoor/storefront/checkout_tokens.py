"""The checkout form's one-time token: one order per rendered checkout form.

The token is made when the checkout form is shown and kept in the session, per shop; the form
sends it back. ``place_order`` writes it on the order (unique per shop), inside the order's
transaction, so two POSTs of one form (a double click, a retry, four at once) place one order:
a concurrent second one fails on the index and is sent to the first order's confirmation; a
later one finds the used token in the session and goes there too. A token the session did not
hand out is refused (the page has expired), so a client cannot make up tokens of its own.
"""

from __future__ import annotations

import secrets

from kantoor.shops.models import Shop

TOKEN_BYTES = 24  # 32 characters once encoded


def _key(shop: Shop) -> str:
    return f"checkout:{shop.pk}"


def _state(session, shop: Shop) -> dict:
    state = session.get(_key(shop))
    return state if isinstance(state, dict) else {}


def form_token(session, shop: Shop) -> str:
    """The token for the checkout form being shown (made once, kept until an order uses it)."""
    state = _state(session, shop)
    token = state.get("token")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        session[_key(shop)] = {**state, "token": token}
    return token


def is_current(session, shop: Shop, token: str) -> bool:
    """Whether ``token`` is the one this session's checkout form was given and not used yet."""
    current = _state(session, shop).get("token")
    return bool(token) and isinstance(current, str) and secrets.compare_digest(current, token)


def placed_order_id(session, shop: Shop, token: str) -> int | None:
    """The order the session placed with ``token``, when it did (the form was sent again)."""
    placed = _state(session, shop).get("placed")
    if not token or not isinstance(placed, dict):
        return None
    used, order_id = placed.get("token"), placed.get("order")
    if isinstance(used, str) and secrets.compare_digest(used, token) and isinstance(order_id, int):
        return order_id
    return None


def token_used(session, shop: Shop, *, token: str, order_id: int) -> None:
    """The order is placed: the token is spent (the next form gets a new one)."""
    session[_key(shop)] = {"placed": {"token": token, "order": order_id}}
