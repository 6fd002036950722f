"""Statistics page and VAT return at scale: server time (p50/p95) beside the SQL time of the
same statements and beside one direct SQL aggregate over the raw tables, the time of a full
rebuild of the daily aggregates and of a refresh after a new order, on PostgreSQL with the demo
shop seeded to --orders orders.

Seeding (benchmarks/_seed_scale.py): ``seed_demo`` makes --base-orders realistic orders, then
SQL copies of them (orders, lines, invoices with their lines, payments; numbers suffixed, dates
moved back 0-2 years) bring the shop to --orders over three years; idempotent (a second run
adds none), then VACUUM ANALYZE. Then, timed: ``rebuild_statistics`` for the whole shop (once),
``refresh_statistics`` after one new order (``place_order``) and with nothing new; the
Statistics page for the last 30 days, 12 months (against the previous 12 months and against
last year) and 5 years, each compared with the previous period, and the VAT return of last
year, in-process through django.test.Client as the owner (3 warm-up + --requests timed
requests each; one more records the page's statements, each run again raw 7 times: ``sql_ms``);
beside each Statistics page, one SQL statement that computes the page's figures per bucket of
the range and of its comparison (orders, units, gross sales, shipping, VAT, credits) from
orders_order, invoices_invoice and invoices_invoiceline, run --sql-runs times, and its totals
checked against the page's.

    python benchmarks/reports.py [--orders 1000000] [--requests 20] [--explain plans.md]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from decimal import Decimal

from _common import database_url, emit, machine, setup_django, summary_ms
from _pages import RAW_RUNS, WARM_UP, _interpolate, measure

SHOP = "demo"
BUDGET_MS = {  # issue 13
    "days_30": 150,
    "months_12": 300,
    "months_12_last_year": 300,
    "years_5": 600,
    "vat_year": 300,
}
# The figures the direct SQL computes, as the page's Summary names them.
FIGURES = ("orders", "units", "gross_sales", "returns", "shipping", "vat")
PLANS_PER_PAGE = 3  # the slowest statements of a page that --explain (or a miss) writes out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the demo shop")
    parser.add_argument(
        "--base-orders",
        type=int,
        default=3000,
        help="orders seed_demo makes before they are copied (default 3000)",
    )
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--sql-runs", type=int, default=7, help="runs of each direct SQL aggregate (default 7)"
    )
    parser.add_argument("--explain", metavar="FILE", help="write EXPLAIN plans to FILE")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    args = parser.parse_args()
    shop, client, seeding = _seeded(args.database_url, orders=args.orders, base=args.base_orders)

    from kantoor.orders.models import Order

    orders = Order.objects.filter(shop=shop).count()
    rebuild = _rebuild(shop)
    refresh = _refresh(shop)
    requests, ranges = _requests(shop)
    pages, plans = {}, {}
    for name, url in requests.items():
        pages[name], plans[name] = _measure_page(client, name, url, timed=args.requests)
        if name in ranges:
            direct, direct_plan = _direct_sql(shop, ranges[name], runs=args.sql_runs)
            pages[name].update(direct)
            plans[name].append(direct_plan)
            verdict = "match" if direct["figures_match"] else "DIFFER: " + direct["differ"]
            print(
                f"{'':17} direct SQL aggregate p50 {direct['direct_sql_p50_ms']:8.2f} ms"
                f"  p95 {direct['direct_sql_p95_ms']:8.2f} ms  ({direct['direct_sql_rows']} rows;"
                f" figures {verdict})",
                flush=True,
            )
        if pages[name]["p95_ms"] > BUDGET_MS[name]:
            sql, plan = plans[name][0]
            print(f"{name}: slowest statement ({pages[name]['slowest_sql_ms']} ms):\n{sql}")
            print(plan, flush=True)
    if args.explain:
        _write_plans(args.explain, requests, plans)
    emit(
        {
            "name": "reports",
            "orders": orders,
            "requests": args.requests,
            "seeding": seeding,
            **rebuild,
            **refresh,
            "pages": pages,
            "budget_p95_ms": BUDGET_MS,
            "within_budget": {k: pages[k]["p95_ms"] <= v for k, v in BUDGET_MS.items()},
            "machine": machine(),
        }
    )


# --- set-up ----------------------------------------------------------------------------------


def _seeded(url: str | None, *, orders: int, base: int):
    """Django set up, the demo shop at ``orders`` orders, VACUUM ANALYZEd; (shop, a client
    logged in as its owner, the seeding's figures)."""
    setup_django(
        database_url(url),
        ALLOWED_HOSTS="testserver",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    from _seed_scale import seed_scaled
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kantoor.shops.models import Membership, Role, Shop

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    seeding = seed_scaled(slug=SHOP, orders=orders, base=base)
    shop = Shop.objects.get(slug=SHOP)
    print(
        f"seeded in {seeding['seconds']:.1f} s (seed_demo {seeding['seed_demo_s']:.1f} s,"
        f" {seeding['copied']:,} orders copied in {seeding['copy_s']:.1f} s);"
        f" {seeding['orders']:,} orders, {seeding['originals']:,} of them made by seed_demo",
        flush=True,
    )
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seeding["vacuum_analyze_s"] = round(time.monotonic() - started, 1)
    print(f"VACUUM ANALYZE in {seeding['vacuum_analyze_s']:.1f} s", flush=True)
    owner = Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    client = Client()
    client.force_login(owner.user)
    return shop, client, seeding


def _vacuum_statistics() -> None:
    from django.db import connection

    from kantoor.reports import models

    with connection.cursor() as cursor:
        for model in (
            models.StatisticsDay,
            models.StatisticsProductDay,
            models.StatisticsBreakdownDay,
            models.StatisticsVatDay,
            models.StatisticsCustomerDay,
        ):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _rebuild(shop) -> dict:
    """``rebuild_statistics`` of the whole shop, once."""
    from kantoor.reports.models import StatisticsDay
    from kantoor.reports.services import rebuild_statistics

    started = time.monotonic()
    days = rebuild_statistics(shop=shop)
    seconds = time.monotonic() - started
    rows = StatisticsDay.objects.filter(shop=shop).count()
    print(
        f"rebuild_statistics {seconds:8.1f} s  ({days:,} days, {rows:,} with figures; no budget)",
        flush=True,
    )
    _vacuum_statistics()
    return {"rebuild_s": round(seconds, 2), "rebuild_days": days}


def _refresh(shop) -> dict:
    """``refresh_statistics`` after one new order (its days computed again), and with nothing
    new (what the page does before it reads)."""
    from kantoor.checkout.services import OrderItem, place_order
    from kantoor.core.actors import Actor
    from kantoor.customers.services import AddressData, CustomerDetails
    from kantoor.reports.services import refresh_statistics

    refresh_statistics(shop=shop)  # whatever the rebuild left for it (events of the last minutes)
    email = "bench-reports@bench.test"
    details = CustomerDetails(
        email=email,
        first_name="Bench",
        last_name="Reports",
        billing=AddressData(
            name="Bench Reports", street="Oudegracht 1", postcode="3511 AA", city="Utrecht"
        ),
    )
    order = place_order(
        shop=shop,
        details=details,
        items=[OrderItem(_product_in_stock(shop), 1)],
        shipping_method="delivery",
        actor=Actor.customer(email),
        notify_customer=False,
    )
    started = time.perf_counter()
    days = refresh_statistics(shop=shop)
    after_order = (time.perf_counter() - started) * 1000
    idle = []
    for _ in range(WARM_UP + 10):
        started = time.perf_counter()
        refresh_statistics(shop=shop)
        idle.append(time.perf_counter() - started)
    idle_ms = summary_ms(idle[WARM_UP:])
    print(
        f"refresh_statistics after one new order ({order.number}) {after_order:7.2f} ms"
        f" ({days} days computed again); with nothing new p50 {idle_ms['p50']:.2f} ms"
        f" p95 {idle_ms['p95']:.2f} ms",
        flush=True,
    )
    return {
        "refresh_after_order_ms": round(after_order, 2),
        "refresh_days": days,
        "refresh_idle_ms": idle_ms,
    }


def _product_in_stock(shop) -> int:
    from django.db.models import Q

    from kantoor.catalog.models import Product

    product = (
        Product.objects.filter(shop=shop, active=True)
        .filter(Q(track_stock=False) | Q(stock_level__gte=10))
        .order_by("pk")
        .first()
    )
    if product is None:
        raise SystemExit("No product of the demo shop is in stock: seed it again.")
    return product.pk


# --- the pages -------------------------------------------------------------------------------


def _year_back(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _requests(shop):
    """The pages' URLs, and the StatisticsRange each Statistics page shows."""
    from django.utils import timezone

    from kantoor.reports.daily import local_day
    from kantoor.reports.statistics import statistics_range

    today = local_day(shop, timezone.now())
    one_day = datetime.timedelta(days=1)
    base = f"/backoffice/{SHOP}/statistics/"
    year_start = _year_back(today, 1) + one_day
    five_start = _year_back(today, 5) + one_day
    custom = {
        "months_12": (year_start, "previous"),
        "months_12_last_year": (year_start, "last_year"),
        "years_5": (five_start, "previous"),
    }
    requests = {"days_30": f"{base}?preset=30d&compare=previous&group=auto"}
    ranges = {"days_30": statistics_range(shop=shop, preset="30d", comparison="previous")}
    for name, (start, compare) in custom.items():
        requests[name] = (
            f"{base}?preset=custom&start={start.isoformat()}&end={today.isoformat()}"
            f"&compare={compare}&group=auto"
        )
        ranges[name] = statistics_range(
            shop=shop, preset="custom", start=start, end=today, comparison=compare
        )
    requests["vat_year"] = f"/backoffice/{SHOP}/reports/vat/?period=year&year={today.year - 1}"
    return requests, ranges


def _measure_page(client, name: str, url: str, *, timed: int):
    seconds, statements, status = measure(client, url, timed)
    times = _statement_times(statements)
    sql_ms = sum(ms for ms, _sql, _params in times)
    p = summary_ms(seconds)
    slowest = sorted(times, key=lambda t: -t[0])[:PLANS_PER_PAGE]
    figures = {
        "url": url,
        "p50_ms": p["p50"],
        "p95_ms": p["p95"],
        "max_ms": p["max"],
        "sql_ms": round(sql_ms, 2),
        "ratio": round(p["p50"] / sql_ms, 2) if sql_ms else None,
        "statements": len(statements),
        "slowest_sql_ms": round(slowest[0][0], 2) if slowest else None,
        "status": status,
    }
    budget = BUDGET_MS[name]
    print(
        f"{name:17} p50 {p['p50']:7.2f} ms  p95 {p['p95']:7.2f} ms  (budget {budget} ms"
        f"{'' if p['p95'] <= budget else ', MISSED'})  SQL {sql_ms:6.2f} ms"
        f"  ratio {figures['ratio']}  {len(statements)} statements"
        f" (slowest {figures['slowest_sql_ms']} ms)",
        flush=True,
    )
    plans = [(_interpolate(sql, params), _explain(sql, params)) for _ms, sql, params in slowest]
    return figures, plans


def _statement_times(statements) -> list[tuple[float, str, object]]:
    """Each statement run raw RAW_RUNS times on the psycopg connection (rolled back): its
    median in ms, as ``_pages.sql_time`` adds them up."""
    from django.db import connection

    raw = connection.connection
    times = []
    for sql, params in statements:
        runs = []
        for _ in range(RAW_RUNS):
            with raw.transaction(force_rollback=True), raw.cursor() as cursor:
                start = time.perf_counter()
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                runs.append(time.perf_counter() - start)
        times.append((statistics.median(runs) * 1000, sql, params))
    return times


def _explain(sql: str, params) -> str:
    from django.db import connection

    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(not a SELECT)"
    raw = connection.connection
    with raw.transaction(force_rollback=True), raw.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the direct SQL aggregate ----------------------------------------------------------------

# The page's figures per bucket of the range and of its comparison, from the raw tables, with
# the definitions of kantoor.reports.daily: an order, its debit invoices (lines excl. VAT:
# gross sales, shipping lines: shipping; their VAT) on the order's date in the shop's time
# zone; a credit invoice (its lines as negatives, its shipping lines, its VAT) on its own date.
DIRECT_SQL = """
WITH placed AS (
    SELECT %(current)s AS period, o.id, (o.created_at AT TIME ZONE %(tz)s)::date AS day
    FROM orders_order o
    WHERE o.shop_id = %(shop)s AND o.created_at >= %(c_since)s AND o.created_at < %(c_until)s
    UNION ALL
    SELECT %(comparison)s, o.id, (o.created_at AT TIME ZONE %(tz)s)::date
    FROM orders_order o
    WHERE o.shop_id = %(shop)s AND o.created_at >= %(p_since)s AND o.created_at < %(p_until)s
),
debit AS (
    SELECT o.period, o.day, i.id, i.total_vat
    FROM placed o
    JOIN invoices_invoice i ON i.order_id = o.id
    WHERE i.shop_id = %(shop)s AND i.kind = 'debit'
),
credit AS (
    SELECT %(current)s AS period, i.issued_on AS day, i.id, i.total_vat
    FROM invoices_invoice i
    WHERE i.shop_id = %(shop)s AND i.kind = 'credit'
      AND i.issued_on >= %(c_first)s AND i.issued_on <= %(c_last)s
    UNION ALL
    SELECT %(comparison)s, i.issued_on, i.id, i.total_vat
    FROM invoices_invoice i
    WHERE i.shop_id = %(shop)s AND i.kind = 'credit'
      AND i.issued_on >= %(p_first)s AND i.issued_on <= %(p_last)s
),
figures AS (
    SELECT period, day, count(*) AS orders, 0 AS units, 0 AS gross_sales, 0 AS shipping,
           0 AS vat, 0 AS credit_invoices, 0 AS credited_units, 0 AS credits,
           0 AS shipping_credited, 0 AS vat_credited
    FROM placed
    GROUP BY period, day
    UNION ALL
    SELECT d.period, d.day, 0,
           coalesce(sum(l.quantity) FILTER (WHERE NOT l.is_shipping), 0),
           coalesce(sum(l.total_net) FILTER (WHERE NOT l.is_shipping), 0),
           coalesce(sum(l.total_net) FILTER (WHERE l.is_shipping), 0),
           0, 0, 0, 0, 0, 0
    FROM debit d
    JOIN invoices_invoiceline l ON l.invoice_id = d.id
    GROUP BY d.period, d.day
    UNION ALL
    SELECT period, day, 0, 0, 0, 0, sum(total_vat), 0, 0, 0, 0, 0
    FROM debit
    GROUP BY period, day
    UNION ALL
    SELECT c.period, c.day, 0, 0, 0, 0, 0, 0,
           -coalesce(sum(l.quantity) FILTER (WHERE NOT l.is_shipping), 0),
           coalesce(sum(l.total_net) FILTER (WHERE NOT l.is_shipping), 0),
           coalesce(sum(l.total_net) FILTER (WHERE l.is_shipping), 0),
           0
    FROM credit c
    JOIN invoices_invoiceline l ON l.invoice_id = c.id
    GROUP BY c.period, c.day
    UNION ALL
    SELECT period, day, 0, 0, 0, 0, 0, count(*), 0, 0, 0, sum(total_vat)
    FROM credit
    GROUP BY period, day
)
SELECT period, date_trunc(%(grouping)s, day::timestamp)::date AS bucket,
       sum(orders) AS orders, sum(units) AS units, sum(gross_sales) AS gross_sales,
       sum(shipping) AS shipping, sum(vat) AS vat, sum(credit_invoices) AS credit_invoices,
       sum(credited_units) AS credited_units, sum(credits) AS credits,
       sum(shipping_credited) AS shipping_credited, sum(vat_credited) AS vat_credited
FROM figures
GROUP BY period, bucket
ORDER BY period, bucket
"""


def _direct_params(shop, chosen) -> dict:
    from django.conf import settings

    from kantoor.reports.daily import day_start

    one_day = datetime.timedelta(days=1)
    current = chosen.current
    # Without a comparison the second period is an empty one.
    compared = chosen.comparison or current
    return {
        "current": "current",
        "comparison": "comparison" if chosen.comparison else "none",
        "c_first": current.start,
        "c_last": current.end,
        "c_since": day_start(shop, current.start),
        "c_until": day_start(shop, current.end + one_day),
        "p_first": compared.start,
        "p_last": compared.end if chosen.comparison else compared.start - one_day,
        "p_since": day_start(shop, compared.start),
        "p_until": day_start(shop, compared.end + one_day)
        if chosen.comparison
        else day_start(shop, compared.start),
        "tz": settings.TIME_ZONE,
        "shop": shop.pk,
        "grouping": chosen.grouping,
    }


def _direct_sql(shop, chosen, *, runs: int) -> tuple[dict, tuple[str, str]]:
    """The direct aggregate timed ``runs`` times; its totals checked against the page's."""
    from django.db import connection

    params = _direct_params(shop, chosen)
    raw = connection.connection
    seconds, rows = [], []
    for _ in range(max(1, runs)):
        with raw.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(DIRECT_SQL, params)
            rows = cursor.fetchall()
            seconds.append(time.perf_counter() - start)
    p = summary_ms(seconds)
    differ = _compare(shop, chosen, rows)
    figures = {
        "direct_sql_p50_ms": p["p50"],
        "direct_sql_p95_ms": p["p95"],
        "direct_sql_rows": len(rows),
        "figures_match": not differ,
        "differ": "; ".join(differ[:5]),
    }
    plan = (_interpolate(DIRECT_SQL, params), _explain(DIRECT_SQL, params))
    return figures, plan


def _sql_totals(rows, period: str) -> dict[str, Decimal]:
    totals = dict.fromkeys(FIGURES, Decimal(0))
    for row in rows:
        if row[0] != period:
            continue
        (
            _period,
            _bucket,
            orders,
            units,
            gross,
            shipping,
            vat,
            _credit_invoices,
            _credited_units,
            credits,
            shipping_credited,
            vat_credited,
        ) = row
        totals["orders"] += orders
        totals["units"] += units
        totals["gross_sales"] += gross
        totals["returns"] += credits
        totals["shipping"] += shipping + shipping_credited
        totals["vat"] += vat + vat_credited
    return totals


def _compare(shop, chosen, rows) -> list[str]:
    """Where the page's figures (statistics_report) and the direct aggregate's differ: in
    total and per bucket, for the range and its comparison."""
    from kantoor.reports.statistics import bucket_start, statistics_report

    report = statistics_report(shop=shop, statistics_range=chosen)
    differ = []
    periods = [("current", report.current)]
    if report.comparison is not None:
        periods.append(("comparison", report.comparison))
    for label, period in periods:
        totals = _sql_totals(rows, label)
        for name in FIGURES:
            page = Decimal(getattr(period.summary, name))
            if page != totals[name]:
                differ.append(f"{label} {name}: page {page}, SQL {totals[name]}")
        sql_buckets = {row[1]: row for row in rows if row[0] == label}
        for bucket in period.buckets:
            row = sql_buckets.get(bucket_start(bucket.start, chosen.grouping))
            orders = row[2] if row else 0
            if bucket.summary.orders != orders:
                differ.append(
                    f"{label} bucket {bucket.start}: page {bucket.summary.orders} orders,"
                    f" SQL {orders}"
                )
    return differ


def _write_plans(path: str, requests, plans) -> None:
    lines = ["# Reports at scale: the slowest statements and the direct SQL aggregate", ""]
    for name, url in requests.items():
        lines += [f"## {name}: `{url}`", ""]
        for sql, plan in plans[name]:
            lines += ["```sql", sql.strip(), "```", "", "```", plan, "```", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print(f"plans written to {path}", flush=True)


if __name__ == "__main__":
    main()
