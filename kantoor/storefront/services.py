"""Storefront actions that are not a domain service: reorder planning, account e-mails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kantoor.catalog.models import Product
from kantoor.catalog.selectors import products_for_sale
from kantoor.core.links import absolute_url
from kantoor.core.pricing import MAX_QUANTITY
from kantoor.core.throttle import Throttle, Throttled, check_all, client_ip, hit_all
from kantoor.customers.models import Customer
from kantoor.orders.models import Order, OrderLine
from kantoor.shops.models import Shop
from kantoor.storefront.cart import Cart
from kantoor.storefront.tokens import password_token_generator


@dataclass(frozen=True)
class ReorderPlan:
    added: tuple[tuple[Product, int], ...]  # (product, quantity to add)
    unavailable: tuple[str, ...]  # names of what can no longer be ordered
    reduced: tuple[str, ...]  # names of products added with less than ordered before


def plan_reorder(
    *, shop: Shop, lines: Iterable[OrderLine], products: dict[int, Product], cart: dict[int, int]
) -> ReorderPlan:
    """What ordering these lines again puts in the cart (pure: no queries, no writes).

    A product can be ordered again when it is still for sale at this shop and, when its stock
    is tracked, in stock; quantities are limited by the stock and the cart's maximum.
    """
    wanted: dict[int, int] = {}
    names: dict[int, str] = {}
    unavailable: list[str] = []
    for line in lines:
        product = products.get(line.product_id) if line.product_id else None
        if (
            product is None
            or product.shop_id != shop.pk
            or not product.active
            or not product.in_stock
        ):
            if line.name not in unavailable:
                unavailable.append(line.name)
            continue
        wanted[product.pk] = wanted.get(product.pk, 0) + line.quantity
        names[product.pk] = product.name
    added: list[tuple[Product, int]] = []
    reduced: list[str] = []
    for product_id, quantity in wanted.items():
        product = products[product_id]
        room = MAX_QUANTITY - cart.get(product_id, 0)
        if product.track_stock:
            room = min(room, product.stock_level - cart.get(product_id, 0))
        if room <= 0:
            unavailable.append(product.name)
            continue
        if quantity > room:
            reduced.append(product.name)
            quantity = room
        added.append((product, quantity))
    return ReorderPlan(added=tuple(added), unavailable=tuple(unavailable), reduced=tuple(reduced))


def reorder_into_cart(*, shop: Shop, order: Order, cart: Cart) -> ReorderPlan:
    """Put an earlier order's products that are still for sale back in the cart."""
    lines = list(order.lines.all())
    product_ids = {line.product_id for line in lines if line.product_id}
    products = {p.pk: p for p in products_for_sale(shop=shop).filter(pk__in=product_ids)}
    plan = plan_reorder(shop=shop, lines=lines, products=products, cart=dict(cart.items))
    for product, quantity in plan.added:
        cart.set(product.pk, cart.quantity_of(product.pk) + quantity)
    return plan


# Password e-mails (a reset, or a sign-up with a known address) per address and per IP address.
PASSWORD_MAILS_PER_ADDRESS = Throttle("password-mail-address", limit=3, window=60 * 60)
PASSWORD_MAILS_PER_IP = Throttle("password-mail-ip", limit=10, window=60 * 60)


def send_password_link(*, request, shop: Shop, customer: Customer) -> bool:
    """E-mail the customer a link to set a (new) password, in their language. Sends nothing
    (returns False) when the address or the requesting IP address had its share of such mails
    this hour: the page says the same either way, so it tells nobody whether the address exists.
    The link is on settings.BASE_URL, never on the request's Host header."""
    pairs = (
        (PASSWORD_MAILS_PER_ADDRESS, f"{shop.pk}:{customer.email}"),
        (PASSWORD_MAILS_PER_IP, client_ip(request)),
    )
    try:
        check_all(*pairs)
    except Throttled:
        return False
    hit_all(*pairs)
    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    token = password_token_generator.make_token(customer)
    path = reverse(
        "storefront:password_set",
        kwargs={"shop_slug": shop.slug, "uidb64": uid, "token": token},
    )
    context = {
        "shop": shop,
        "customer": customer,
        "link": absolute_url(path),
        "has_account": customer.has_account,
    }
    with translation.override(customer.language or shop.default_language):
        subject = render_to_string("storefront/emails/password_subject.txt", context)
        body = render_to_string("storefront/emails/password_body.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        None,
        [customer.email],
        fail_silently=False,
    )
    return True
