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
import statistics
import time

from _common import database_url, emit, machine, setup_django, summary_ms

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
    setup_django(
        database_url(args.database_url),
        ALLOWED_HOSTS="testserver",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kantoor.orders.models import Order
    from kantoor.shops.models import Membership, Role, Shop

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    started = time.monotonic()
    call_command("seed_demo", shop=SHOP, orders=args.orders)
    print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s", flush=True)

    shop = Shop.objects.get(slug=SHOP)
    owner = Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    client = Client()
    client.force_login(owner.user)
    orders = Order.objects.filter(shop=shop).count()
    requests, notes = _requests(shop, orders)
    for name, note in notes.items():
        print(f"{name:17} {note}", flush=True)

    pages, plans = {}, {}
    for name, url in requests.items():
        seconds, statements, status = _measure(client, url, args.requests)
        sql_ms, plan = _sql_time(statements, explain=bool(args.explain))
        p = summary_ms(seconds)
        pages[name] = {
            "url": url,
            "p50_ms": p["p50"],
            "p95_ms": p["p95"],
            "max_ms": p["max"],
            "sql_ms": round(sql_ms, 2),
            "ratio": round(p["p50"] / sql_ms, 2) if sql_ms else None,
            "statements": len(statements),
            "status": status,
        }
        plans[name] = plan
        budget = BUDGET_MS[name]
        print(
            f"{name:17} p50 {p['p50']:7.2f} ms  p95 {p['p95']:7.2f} ms  (budget {budget} ms"
            f"{'' if p['p95'] < budget else ', MISSED'})  SQL {sql_ms:6.2f} ms"
            f"  ratio {pages[name]['ratio']}  {len(statements)} statements",
            flush=True,
        )
    if args.explain:
        _write_plans(args.explain, requests, plans, orders)
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

    from kantoor.orders.list_selectors import order_keyset
    from kantoor.orders.models import Order
    from kantoor.orders.statuses import OrderStatus

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


def _measure(client, url: str, timed: int):
    """Timed requests, then one more that records the SQL statements (text and parameters)."""
    from django.db import connection

    seconds = []
    for round_ in range(WARM_UP + timed):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if round_ >= WARM_UP:
            seconds.append(elapsed)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    return seconds, statements, response.status_code


def _sql_time(statements, *, explain: bool) -> tuple[float, list[tuple[str, str]]]:
    """The same statements run raw on the psycopg connection: sum of the per-statement medians.

    Statements that write (a session save) are timed inside a transaction that is rolled back.
    """
    from django.db import connection

    raw = connection.connection  # the psycopg connection under Django's wrapper
    total = 0.0
    plans = []
    for sql, params in statements:
        runs = []
        for _ in range(RAW_RUNS):
            with raw.transaction(force_rollback=True), raw.cursor() as cursor:
                start = time.perf_counter()
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                runs.append(time.perf_counter() - start)
        total += statistics.median(runs) * 1000
        if explain and '"orders_order"' in sql and sql.lstrip().upper().startswith("SELECT"):
            with raw.transaction(force_rollback=True), raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append((_interpolate(sql, params), plan))
    return total, plans


def _interpolate(sql: str, params) -> str:
    """The statement with its parameters written in, for reading (not for running)."""
    try:
        return sql % tuple(_literal(p) for p in (params or ()))
    except (TypeError, ValueError):
        return sql


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _write_plans(path: str, requests, plans, orders: int) -> None:
    lines = [f"# Order list: EXPLAIN (ANALYZE, BUFFERS) at {orders:,} orders", ""]
    for name, url in requests.items():
        lines += [f"## {name}: `{url}`", ""]
        for sql, plan in plans[name]:
            lines += ["```sql", sql, "```", "", "```", plan, "```", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print(f"plans written to {path}", flush=True)


if __name__ == "__main__":
    main()
