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

from _common import database_url, emit, machine
from _pages import measure_pages, seeded_owner_client, write_plans

SHOP = "demo"
RAW_RUNS = 7
PAGE_SIZE = 50
BUDGET_MS = {  # benchmarks/README.md, as for the order list
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
    shop, client = seeded_owner_client(args.database_url, orders=args.invoices)
    from kantoor.invoices.models import Invoice
    from kantoor.orders.models import Order

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

    pages, plans = measure_pages(
        client,
        requests,
        BUDGET_MS,
        timed=args.requests,
        explain_table='"invoices_invoice"' if args.explain else None,
    )
    if args.explain:
        write_plans(
            args.explain,
            f"Invoice list: EXPLAIN (ANALYZE, BUFFERS) at {invoices:,} invoices",
            requests,
            plans,
        )
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


if __name__ == "__main__":
    main()
