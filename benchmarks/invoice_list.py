"""Back-office invoice list: server time (p50/p95) beside the SQL time of the same statements,
on PostgreSQL with the demo shop seeded to at least --invoices invoices.

Seeding: ``seed_demo`` brings the demo shop to --invoices orders; every order gets its invoice
through the bulk path (place_orders_in_bulk), and the shop's history adds credit and correction
invoices, so the shop then has a little more than --invoices invoices. Like seed_demo it is
idempotent: a second run on the same database seeds nothing and measures again.

In-process through django.test.Client as the logged-in shop owner, after VACUUM ANALYZE; per
page 3 warm-up + --requests timed requests: the first page, the state filter (Paid, the common
state; Unpaid, a rarer one), search by exact invoice number, by invoice-number fragment, by
customer e-mail, name fragment and company fragment, page 5,000 (reached through its keyset
cursor, as the Next button does) and the last page. One more untimed request per page records
its SQL statements; each is run again raw on the psycopg connection (no Django) and the medians
are summed: "sql_ms". "ratio" is page p50 / sql_ms (the framework's share).

    python benchmarks/invoice_list.py [--invoices 1000000] [--requests 20] [--explain plans.md]

--explain writes EXPLAIN (ANALYZE, BUFFERS) of every statement on the invoices table, per page.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import database_url, emit, machine, setup_django, summary_ms
from order_list import _interpolate, _measure

SHOP = "demo"
RAW_RUNS = 7
PAGE_SIZE = 50
TABLE = '"invoices_invoice"'
BUDGET_MS = {  # ../shared/PERFORMANCE.md, as for the order list
    "first_page": 60,
    "state_paid": 80,
    "state_unpaid": 80,
    "number_exact": 40,
    "number_fragment": 40,
    "email": 150,
    "name_fragment": 150,
    "company_fragment": 150,
    "page_5000": 80,
    "last_page": 80,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--invoices", type=int, default=1_000_000, help="at least this many invoices (orders)"
    )
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

    from kantoor.invoices.models import Invoice
    from kantoor.orders.models import Order
    from kantoor.shops.models import Membership, Role, Shop

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    started = time.monotonic()
    call_command("seed_demo", shop=SHOP, orders=args.invoices)
    print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s", flush=True)

    shop = Shop.objects.get(slug=SHOP)
    owner = Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    client = Client()
    client.force_login(owner.user)
    invoices = Invoice.objects.filter(shop=shop).count()
    orders = Order.objects.filter(shop=shop).count()
    if invoices < orders:
        raise SystemExit(
            f"The demo shop has {orders:,} orders but {invoices:,} invoices: it was seeded before "
            "every order got its invoice. Measure on a fresh database (--database-url)."
        )
    requests, notes = _requests(shop, invoices)
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
        _write_plans(args.explain, requests, plans, invoices)
    emit(
        {
            "name": "invoice_list",
            "invoices": invoices,
            "requests": args.requests,
            "pages": pages,
            "budget_p95_ms": BUDGET_MS,
            "within_budget": {k: pages[k]["p95_ms"] < v for k, v in BUDGET_MS.items()},
            "machine": machine(),
        }
    )


def _requests(shop, invoices: int) -> tuple[dict[str, str], dict[str, str]]:
    """The URLs to time, with values taken from the seeded data (set-up, untimed)."""
    from kantoor.invoices.list_selectors import INVOICE_KEYSET
    from kantoor.invoices.models import Invoice, PaymentState

    base = f"/backoffice/{SHOP}/invoices/"
    newest_first = Invoice.objects.filter(shop=shop).order_by("-issued_on", "-pk")
    middle = newest_first[invoices // 2]
    # Search values: the exact number of an invoice in the middle, the last five characters of
    # another invoice's number, one customer's e-mail, the start of another's last name and a
    # piece of a company name.
    fragment = newest_first[invoices // 3].number[-5:]
    named = newest_first[invoices // 5]
    name_fragment = named.customer_name.split()[-1][:4].lower()
    company = (
        Invoice.objects.filter(shop=shop)
        .exclude(customer_company="")
        .order_by("-issued_on", "-pk")
        .values_list("customer_company", flat=True)
        .first()
        or "B.V."
    )
    company_fragment = max(company.split(), key=len)[:6].lower()
    pages_total = max(1, -(-invoices // PAGE_SIZE))
    page = 5000 if pages_total > 5000 else max(1, pages_total // 2)
    after = ""
    if page > 1:
        before_it = newest_first[(page - 1) * PAGE_SIZE - 1]
        after = "?after=" + INVOICE_KEYSET.cursor(before_it)
    requests = {
        "first_page": base,
        "state_paid": f"{base}?state={PaymentState.PAID.value}",
        "state_unpaid": f"{base}?state={PaymentState.UNPAID.value}",
        "number_exact": f"{base}?q={middle.number}",
        "number_fragment": f"{base}?q={fragment}",
        "email": f"{base}?q={named.customer_email}",
        "name_fragment": f"{base}?q={name_fragment}",
        "company_fragment": f"{base}?q={company_fragment}",
        "page_5000": f"{base}{after}",
        "last_page": f"{base}?last=1",
    }
    notes = {
        "page_5000": f"is page {page:,} of {pages_total:,}",
        "number_fragment": f"searches {fragment!r}",
        "name_fragment": f"searches {name_fragment!r}",
        "company_fragment": f"searches {company_fragment!r}",
    }
    return requests, notes


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
        if explain and TABLE in sql and sql.lstrip().upper().startswith("SELECT"):
            with raw.transaction(force_rollback=True), raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append((_interpolate(sql, params), plan))
    return total, plans


def _write_plans(path: str, requests, plans, invoices: int) -> None:
    lines = [f"# Invoice list: EXPLAIN (ANALYZE, BUFFERS) at {invoices:,} invoices", ""]
    for name, url in requests.items():
        lines += [f"## {name}: `{url}`", ""]
        for sql, plan in plans[name]:
            lines += ["```sql", sql, "```", "", "```", plan, "```", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print(f"plans written to {path}", flush=True)


if __name__ == "__main__":
    main()
