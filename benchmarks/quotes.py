"""Quotes: the PDF (uncached), converting a quote into an order beside place_order for the same
lines in the same run, and the back-office Quotes list at --quotes quotes, on PostgreSQL.

Seeding: ``seed_demo`` brings the demo shop to --orders orders (and its quotes); then quotes are
added in bulk (untimed) until the shop has --quotes, two lines each, in every status, made over
the last two years (idempotent: a second run adds none). Timed in-process as the owner after
VACUUM ANALYZE: the list's first page, its saved tabs, a status filter, search by exact number,
by e-mail, by name fragment, a deep page (through its keyset cursor) and the last page; then
``quote_pdf`` of quotes never rendered; then, per round, one fresh sent quote converted
(``convert_quote``) and one ``place_order`` of the same three products and quantities.

    python benchmarks/quotes.py [--orders 20000] [--quotes 200000] [--requests 20]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from _common import emit, machine, summary_ms
from _pages import measure_pages, seeded_owner_client

SHOP = "demo"
PAGE_SIZE = 50
BUDGET_MS = {  # issue 12: the order list's budgets
    "first_page": 60,
    "requested": 80,
    "sent": 80,
    "expiring": 80,
    "status_accepted": 80,
    "number_exact": 40,
    "email": 150,
    "name_fragment": 150,
    "deep_page": 80,
    "last_page": 80,
}
PDF_BUDGET_P50_MS = 150
CONVERT_RATIO_BUDGET = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders in the demo shop")
    parser.add_argument("--quotes", type=int, default=200_000, help="quotes in the demo shop")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", help="default: $DATABASE_URL or the benchmark database")
    args = parser.parse_args()
    shop, client = seeded_owner_client(args.database_url, orders=args.orders)
    # As in the web server: e-mails are handed to the sender thread (not started here).
    from kantoor.messaging import embedded

    embedded._started.set()
    quotes = _seed_quotes(shop, args.quotes)
    requests, notes = _requests(shop, quotes)
    for name, note in notes.items():
        print(f"{name:17} {note}", flush=True)
    pages, _plans = measure_pages(
        client, requests, BUDGET_MS, timed=args.requests, explain_table=None
    )
    pdf = _measure_pdf(shop, rounds=args.requests)
    converting = _measure_converting(shop, rounds=args.requests)
    emit(
        {
            "name": "quotes",
            "quotes": quotes,
            "requests": args.requests,
            "pages": pages,
            "pdf": pdf,
            "converting": converting,
            "budget_p95_ms": BUDGET_MS,
            "within_budget": {
                **{k: pages[k]["p95_ms"] < v for k, v in BUDGET_MS.items()},
                "pdf_p50": pdf["p50_ms"] < PDF_BUDGET_P50_MS,
                "convert_ratio": converting["ratio_p50"] <= CONVERT_RATIO_BUDGET,
            },
            "machine": machine(),
        }
    )


def _seed_quotes(shop, wanted: int) -> int:
    """Quotes in every status, two product lines each, over two years (bulk, untimed)."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from kantoor.catalog.models import Product
    from kantoor.customers.models import Customer
    from kantoor.quotes.models import Quote, QuoteLine, QuoteStatus

    have = Quote.objects.filter(shop=shop).count()
    if have >= wanted:
        return have
    started = time.monotonic()
    products = list(Product.objects.filter(shop=shop, active=True).order_by("pk")[:20])
    customers = list(Customer.objects.filter(shop=shop).order_by("pk"))
    statuses = itertools.cycle([s.value for s in QuoteStatus if s != QuoteStatus.CONVERTED])
    now = timezone.now()
    today = timezone.localdate()
    span = 2 * 365 * 24 * 3600
    batch = 5000
    made = have
    while made < wanted:
        size = min(batch, wanted - made)
        with transaction.atomic():
            quotes = []
            for i in range(size):
                n = made + i
                customer = customers[n % len(customers)]
                created = now - datetime.timedelta(seconds=(n * 7919) % span)
                status = next(statuses)
                sent = status not in (QuoteStatus.CONCEPT, QuoteStatus.REQUESTED)
                quotes.append(
                    Quote(
                        shop=shop,
                        number=f"OFFB-{n + 1:07d}",
                        status=status,
                        revision=1,
                        sent_revision=1 if sent else 0,
                        customer=customer,
                        email=customer.email,
                        first_name=customer.first_name,
                        last_name=customer.last_name,
                        company=customer.company,
                        street="Dorpsstraat 1",
                        postcode="1234 AB",
                        city="Ergens",
                        language=customer.language or "nl",
                        shipping_fee=shop.shipping_fee,
                        valid_until=today + datetime.timedelta(days=(n % 60) - 20),
                        sent_at=created if sent else None,
                        created_at=created,
                        updated_at=created,
                    )
                )
            Quote.objects.bulk_create(quotes)
            QuoteLine.objects.bulk_create(
                [
                    QuoteLine(
                        shop=shop,
                        quote=quote,
                        revision=1,
                        position=position,
                        product=product,
                        sku=product.sku,
                        description=product.name,
                        quantity=1 + (quote.pk + position) % 4,
                        unit_price=product.price,
                        vat_rate=product.vat_rate,
                    )
                    for quote in quotes
                    for position, product in enumerate(
                        (
                            products[quote.pk % len(products)],
                            products[(quote.pk + 7) % len(products)],
                        ),
                        start=1,
                    )
                ]
            )
        made += size
        print(f"{made:,} quotes", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE quotes_quote")
        cursor.execute("VACUUM ANALYZE quotes_quoteline")
    print(f"quotes seeded in {time.monotonic() - started:.1f} s", flush=True)
    return Quote.objects.filter(shop=shop).count()


def _requests(shop, quotes: int):
    from kantoor.quotes.models import Quote
    from kantoor.quotes.selectors import QUOTE_KEYSET

    base = f"/backoffice/{SHOP}/quotes/"
    newest_first = Quote.objects.filter(shop=shop).order_by("-created_at", "-pk")
    middle = newest_first[quotes // 2]
    named = newest_first[quotes // 5]
    fragment = (named.last_name or named.email).split()[-1][:4].lower()
    pages_total = max(1, -(-quotes // PAGE_SIZE))
    page = min(1000, max(1, pages_total // 2))
    after = ""
    if page > 1:
        after = "?after=" + QUOTE_KEYSET.cursor(newest_first[(page - 1) * PAGE_SIZE - 1])
    requests = {
        "first_page": base,
        "requested": f"{base}?view=requested",
        "sent": f"{base}?view=sent",
        "expiring": f"{base}?view=expiring",
        "status_accepted": f"{base}?status=accepted",
        "number_exact": f"{base}?q={middle.number}",
        "email": f"{base}?q={named.email}",
        "name_fragment": f"{base}?q={fragment}",
        "deep_page": f"{base}{after}",
        "last_page": f"{base}?last=1",
    }
    notes = {"deep_page": f"is page {page:,} of {pages_total:,}", "name_fragment": fragment}
    return requests, notes


def _fresh_sent_quote(shop, products, owner, index):
    from kantoor.core.actors import Actor
    from kantoor.quotes.services import QuoteDetails, QuoteLineInput, create_quote, send_quote

    staff = Actor.staff(owner)
    quote = create_quote(
        shop=shop,
        details=QuoteDetails(
            email=f"bench-quote-{index}@example.test",
            first_name="Bench",
            last_name=f"Klant {index}",
            street="Dorpsstraat 1",
            postcode="1234 AB",
            city="Ergens",
        ),
        lines=[QuoteLineInput(product_id=p.pk, quantity=q) for p, q in products],
        actor=staff,
    )
    return send_quote(shop=shop, quote_id=quote.pk, actor=staff)


def _measure_pdf(shop, *, rounds: int) -> dict:
    """``quote_pdf`` of sent quotes never rendered before (the uncached time)."""
    from kantoor.quotes.models import Quote, QuoteStatus
    from kantoor.quotes.pdf import quote_pdf

    quotes = list(
        Quote.objects.filter(shop=shop, status=QuoteStatus.SENT)
        .exclude(number__startswith="OFFB-")
        .order_by("-pk")[: rounds + 2]
    )
    quotes += list(
        Quote.objects.filter(
            shop=shop, status=QuoteStatus.SENT, number__startswith="OFFB-"
        ).order_by("?")[: rounds + 2 - len(quotes)]
    )
    seconds = []
    for index, quote in enumerate(quotes):
        quote.shop = shop
        start = time.perf_counter()
        quote_pdf(quote=quote)
        if index >= 2:  # the first two warm the templates and fonts
            seconds.append(time.perf_counter() - start)
    figures = summary_ms(seconds)
    print(f"quote pdf         p50 {figures['p50']:7.2f} ms (budget {PDF_BUDGET_P50_MS} ms)")
    return {"p50_ms": figures["p50"], "p95_ms": figures["p95"], "rendered": len(seconds)}


def _measure_converting(shop, *, rounds: int) -> dict:
    """Per round: convert a fresh sent quote of three products, and place_order the same
    products and quantities (catalogue prices), alternating; p50 of each and their ratio."""
    from kantoor.catalog.models import Product
    from kantoor.checkout.services import OrderItem, place_order
    from kantoor.core.actors import Actor
    from kantoor.customers.services import AddressData, CustomerDetails
    from kantoor.quotes.services import convert_quote
    from kantoor.shops.models import Membership, Role

    owner = Membership.objects.get(shop=shop, role=Role.OWNER).user
    chosen = list(Product.objects.filter(shop=shop, active=True, track_stock=False)[:3])
    chosen += list(
        Product.objects.filter(shop=shop, active=True, track_stock=True).order_by("-stock_level")[
            : 3 - len(chosen)
        ]
    )
    products = [(product, quantity) for product, quantity in zip(chosen, (1, 2, 1), strict=False)]
    convert, place = [], []
    for index in range(rounds + 3):
        quote = _fresh_sent_quote(shop, products, owner, index)
        start = time.perf_counter()
        convert_quote(shop=shop, quote_id=quote.pk, actor=Actor.staff(owner))
        converted = time.perf_counter() - start
        details = CustomerDetails(
            email=f"bench-order-{index}@example.test",
            first_name="Bench",
            last_name=f"Klant {index}",
            billing=AddressData(
                name=f"Bench Klant {index}",
                street="Dorpsstraat 1",
                postcode="1234 AB",
                city="Ergens",
            ),
        )
        start = time.perf_counter()
        place_order(
            shop=shop,
            details=details,
            items=[OrderItem(product.pk, quantity) for product, quantity in products],
            shipping_method="delivery",
            actor=Actor.staff(owner),
        )
        placed = time.perf_counter() - start
        if index >= 3:
            convert.append(converted)
            place.append(placed)
    ratio = statistics.median(convert) / statistics.median(place)
    figures = {
        "convert_quote": summary_ms(convert),
        "place_order": summary_ms(place),
        "ratio_p50": round(ratio, 2),
        "lines": len(products),
    }
    print(
        f"convert_quote     p50 {figures['convert_quote']['p50']:7.2f} ms  "
        f"place_order p50 {figures['place_order']['p50']:7.2f} ms  ratio {ratio:.2f} "
        f"(budget {CONVERT_RATIO_BUDGET})"
    )
    return figures


if __name__ == "__main__":
    main()
