"""What every storefront view needs: the shop from the URL, the customer, the cart."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from kantoor.shops.models import Language
from kantoor.shops.selectors import shop_by_slug, workflow_settings_for
from kantoor.storefront import customer_session
from kantoor.storefront.cart import Cart


def shop_view(view):
    """Resolve ``shop_slug`` (404 for an unknown shop); set request.shop/customer/cart."""

    @wraps(view)
    def wrapper(request, shop_slug, *args, **kwargs):
        shop = shop_by_slug(slug=shop_slug)
        request.shop = shop
        request.customer = customer_session.current_customer(request, shop=shop)
        request.cart = Cart(request.session, shop)
        return view(request, *args, **kwargs)

    return wrapper


def customer_required(view):
    """Send a visitor who is not logged in at this shop to the log-in page, then back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.customer is None:
            login = reverse("storefront:login", kwargs={"shop_slug": request.shop.slug})
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def page(request, template: str, context: dict | None = None, status: int = 200):
    context = {
        "shop": request.shop,
        "customer": request.customer,
        "cart_count": request.cart.count,
        "guest_returns": guest_returns_on(request.shop),
        **(context or {}),
    }
    return render(request, template, context, status=status)


def guest_returns_on(shop) -> bool:
    """Whether the footer offers the guest return page (returns, self-service and guests on)."""
    settings = workflow_settings_for(shop=shop)
    return bool(
        settings.returns_enabled and settings.returns_self_service and settings.returns_for_guests
    )


def shop_url(request, name: str, **kwargs) -> str:
    return reverse(f"storefront:{name}", kwargs={"shop_slug": request.shop.slug, **kwargs})


def current_language() -> str:
    language = (translation.get_language() or "").split("-")[0]
    return language if language in Language.values else Language.DUTCH
