"""Storefront server time (p50/p95) and SQL statements per request, with the demo shop seeded.

In-process through django.test.Client (no HTTP server), after VACUUM ANALYZE; per page
3 warm-up + --requests timed requests: the product list (/shop/demo/), a product page, the
cart with 3 items, the checkout page (GET) and a checkout POST (a guest order through
place_order; the cart is refilled, untimed, before each POST). The demo shop is seeded with
seed_demo to --orders orders (an already seeded database is reused). Budget: p95 under 50 ms
for the product list and the checkout page.

    python benchmarks/storefront.py [--orders 100000] [--requests 30] [--database-url URL]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import time

from _common import database_url, emit, machine, setup_django, summary_ms

SHOP = "demo"
WARM_UP = 3
BUDGET_MS = {"product_list": 50, "checkout": 50}
CART = [(0, 1), (1, 2), (2, 1)]  # (product index, quantity): 3 items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the demo shop")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    args = parser.parse_args()
    setup_django(
        database_url(args.database_url),
        ALLOWED_HOSTS="testserver",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    # As in the web server: a placed order's e-mail is handed to the sender thread (not started
    # here) instead of being sent inside the request; benchmarks/messages.py measures sending.
    from kantoor.messaging import embedded

    embedded._started.set()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from kantoor.orders.models import Order
    from kantoor.shops.models import Shop

    # Static URLs without a collected manifest (no collectstatic needed to measure pages).
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    started = time.monotonic()
    call_command("seed_demo", shop=SHOP, orders=args.orders)
    print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
    shop = Shop.objects.get(slug=SHOP)
    products = _products_for_cart(shop, orders=WARM_UP + args.requests + 2)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    orders = Order.objects.filter(shop=shop).count()

    pages = {}
    for name, request in _pages(products).items():
        seconds, statements, status = _measure(request, args.requests)
        pages[name] = {
            **{f"{k}_ms": v for k, v in summary_ms(seconds).items()},
            "sql_statements": statements,
            "status": status,
        }
        print(
            f"{name:14} p50 {pages[name]['p50_ms']:7.2f} ms  p95 {pages[name]['p95_ms']:7.2f} ms"
            f"  {statements} SQL statements",
            flush=True,
        )
    emit(
        {
            "name": "storefront",
            "orders": orders,
            "requests": args.requests,
            "pages": pages,
            "budget_p95_ms": BUDGET_MS,
            "within_budget": {k: pages[k]["p95_ms"] < v for k, v in BUDGET_MS.items()},
            "machine": machine(),
        }
    )


def _products_for_cart(shop, *, orders: int):
    """Three products for sale with stock for every checkout POST of this run."""
    from kantoor.catalog.models import Product
    from kantoor.catalog.services import correct_stock

    products = list(
        Product.objects.filter(shop=shop, active=True, track_stock=True).order_by(
            "-stock_level", "pk"
        )[:3]
    )
    for (_index, quantity), product in zip(CART, products, strict=True):
        needed = orders * quantity
        if product.stock_level < needed:
            correct_stock(
                shop=shop, product=product, quantity=needed, note="storefront benchmark stock"
            )
    return products


def _fill_cart(client, products) -> None:
    for index, quantity in CART:
        response = client.post(
            f"/shop/{SHOP}/cart/add/", {"product_id": products[index].pk, "quantity": quantity}
        )
        assert response.status_code == 302, response.status_code


def _pages(products) -> dict:
    """Per page: (set-up before each request, the request) on its own client."""
    from django.test import Client

    browsing = Client()
    with_cart = Client()
    _fill_cart(with_cart, products)
    buyer = Client()
    sku = products[0].sku
    checkout_form = {
        "email": "benchmark@voorbeeld.test",
        "first_name": "Bart",
        "last_name": "Bench",
        "company": "",
        "vat_number": "",
        "phone": "",
        "street": "Oudegracht 1",
        "postcode": "3511 AA",
        "city": "Utrecht",
        "country": "NL",
        "shipping_method": "delivery",
        "note": "",
    }
    return {
        "product_list": (None, lambda: browsing.get(f"/shop/{SHOP}/"), 200),
        "product": (None, lambda: browsing.get(f"/shop/{SHOP}/p/{sku}/"), 200),
        "cart": (None, lambda: with_cart.get(f"/shop/{SHOP}/cart/"), 200),
        "checkout": (None, lambda: with_cart.get(f"/shop/{SHOP}/checkout/"), 200),
        "checkout_post": (
            lambda: _open_checkout(buyer, products),
            lambda: buyer.post(
                f"/shop/{SHOP}/checkout/", {**checkout_form, "checkout_token": _token(buyer)}
            ),
            302,
        ),
    }


def _open_checkout(client, products) -> None:
    """Fill the cart and open the checkout page, which hands out the form's one-time token."""
    _fill_cart(client, products)
    response = client.get(f"/shop/{SHOP}/checkout/")
    assert response.status_code == 200, response.status_code


def _token(client) -> str:
    return next(
        (value or {}).get("token", "")
        for key, value in client.session.items()
        if key.startswith("checkout:")
    )


def _measure(request, timed: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepare, call, expected = request
    seconds = []
    for round_ in range(WARM_UP + timed + 1):
        if prepare:
            prepare()
        if round_ == WARM_UP + timed:
            # One more, untimed, to count the SQL statements (capturing slows a request).
            with CaptureQueriesContext(connection) as queries:
                response = call()
            break
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
        if response.status_code != expected:
            raise SystemExit(
                f"{response.request['PATH_INFO']} answered {response.status_code}, "
                f"expected {expected}"
            )
        if round_ >= WARM_UP:
            seconds.append(elapsed)
    return seconds, len(queries.captured_queries), response.status_code


if __name__ == "__main__":
    main()
