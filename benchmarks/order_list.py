"""Back-office order list and order page: server time (p50/p95) beside the SQL time of the same
statements, on PostgreSQL with the demo shop seeded to --orders orders (3 lines each).

In-process through django.test.Client as the logged-in shop owner, after VACUUM ANALYZE; per
page 3 warm-up + --requests timed requests: the first page of the list, status + date range,
search by exact order number, by order-number fragment, by customer e-mail and by name
fragment, page 5,000 (reached through its keyset cursor, as the Next button does), the last
page, and one order's page. One more untimed request per page records its SQL statements
(text and parameters); each is then run again raw on the psycopg connection (no Django) and
the medians are summed: "sql_ms". "ratio" is page p50 / sql_ms (the framework's share).

    python benchmarks/order_list.py [--orders 1000000] [--requests 20] [--explain plans.md]

--explain writes EXPLAIN (ANALYZE, BUFFERS) of every statement on the orders table, per page.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime

from _common import database_url, emit, machine
from _pages import measure_pages, seeded_owner_client, write_plans

SHOP = "demo"
WARM_UP = 3
RAW_RUNS = 7
PAGE_SIZE = 50
BUDGET_MS = {
    "first_page": 60,
    "status_and_dates": 80,
    "not_paid": 80,  # a filter, like a status
    "number_exact": 40,
    "number_fragment": 150,
    "email": 150,
    "name_fragment": 150,
    "page_5000": 80,
    "last_page": 80,
    "order_detail": 60,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the demo shop")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    parser.add_argument("--explain", help="write the EXPLAIN (ANALYZE, BUFFERS) plans here")
    args = parser.parse_args()
    shop, client = seeded_owner_client(args.database_url, orders=args.orders)
    from kantoor.orders.models import Order

    orders = Order.objects.filter(shop=shop).count()
    requests, notes = _requests(shop, orders)
    for name, note in notes.items():
        print(f"{name:17} {note}", flush=True)

    pages, plans = measure_pages(
        client,
        requests,
        BUDGET_MS,
        timed=args.requests,
        explain_table='"orders_order"' if args.explain else None,
    )
    if args.explain:
        write_plans(
            args.explain,
            f"Order list: EXPLAIN (ANALYZE, BUFFERS) at {orders:,} orders",
            requests,
            plans,
        )
    emit(
        {
            "name": "order_list",
            "orders": orders,
            "requests": args.requests,
            "pages": pages,
            "budget_p95_ms": BUDGET_MS,
            "within_budget": {k: pages[k]["p95_ms"] < v for k, v in BUDGET_MS.items()},
            "machine": machine(),
        }
    )


def _requests(shop, orders: int) -> tuple[dict[str, str], dict[str, str]]:
    """The URLs to time, with values taken from the seeded data (set-up, untimed)."""
    from django.utils import timezone

    from kantoor.core.statuses import OrderStatus
    from kantoor.invoices.order_list import order_keyset
    from kantoor.orders.models import Order

    base = f"/backoffice/{SHOP}/orders/"
    newest_first = Order.objects.filter(shop=shop).order_by("-created_at", "-pk")
    middle = newest_first[orders // 2]
    # Search values: the exact number of an order in the middle, the last five characters of
    # another order's number, one customer's e-mail and the start of another's last name.
    fragment = newest_first[orders // 3].number[-5:]
    named = newest_first[orders // 5]
    name_fragment = ((named.last_name.split() or [named.first_name])[-1])[:4].lower()
    # Status + date range: the completed orders of one month, two months back.
    month_end = timezone.localdate().replace(day=1) - datetime.timedelta(days=32)
    month_start = month_end.replace(day=1)
    # Page 5,000 (or the middle page of a smaller shop): the cursor the Next button of the
    # page before it carries, i.e. the last order of that page.
    pages_total = max(1, -(-orders // PAGE_SIZE))
    page = 5000 if pages_total > 5000 else max(1, pages_total // 2)
    after = ""
    if page > 1:
        before_it = newest_first[(page - 1) * PAGE_SIZE - 1]
        after = "?after=" + order_keyset("created_at", True).cursor(before_it)
    requests = {
        "first_page": base,
        "status_and_dates": f"{base}?status={OrderStatus.COMPLETED.value}"
        f"&date_from={month_start.isoformat()}&date_to={month_end.isoformat()}",
        "not_paid": f"{base}?paid=no",
        "number_exact": f"{base}?q={middle.number}",
        "number_fragment": f"{base}?q={fragment}",
        "email": f"{base}?q={named.email}",
        "name_fragment": f"{base}?q={name_fragment}",
        "page_5000": f"{base}{after}",
        "last_page": f"{base}?last=1",
        "order_detail": f"{base}{middle.number}/",
    }
    notes = {
        "page_5000": f"is page {page:,} of {pages_total:,}",
        "name_fragment": f"searches {name_fragment!r}",
        "number_fragment": f"searches {fragment!r}",
    }
    return requests, notes


if __name__ == "__main__":
    main()
