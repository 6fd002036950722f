"""Back-office Returns list and the return form: server time (p50/p95) beside the SQL time of
the same statements, on PostgreSQL with the demo shop seeded to --orders orders and --returns
returns.

Seeding: ``seed_demo`` brings the demo shop to --orders orders; then returns are added in bulk
(untimed) to shipped, delivered and completed orders, one line each, in every status, until the
shop has --returns returns (idempotent: a second run adds none). Timed in-process through
django.test.Client as the owner, after VACUUM ANALYZE: the list's first page, its saved tabs
(to approve, to receive), a status filter, search by exact return number, by customer e-mail,
by name fragment, a deep page (through its keyset cursor) and the last page; then the staff's
return form of an order (GET) and sending it (POST: a real return of one line, on a different
order each time, through the returns service).

    python benchmarks/returns.py [--orders 1000000] [--returns 100000] [--requests 20]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import time

from _common import database_url, emit, machine, summary_ms
from _pages import measure_pages, seeded_owner_client

SHOP = "demo"
PAGE_SIZE = 50
BUDGET_MS = {  # issue 11: the order list's budgets; the form page 50 ms, sending it 100 ms
    "first_page": 60,
    "to_approve": 80,
    "to_receive": 80,
    "status_credited": 80,
    "number_exact": 40,
    "email": 150,
    "name_fragment": 150,
    "deep_page": 80,
    "last_page": 80,
}
FORM_BUDGET_MS = {"form_page": 50, "form_post": 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the demo shop")
    parser.add_argument("--returns", type=int, default=100_000, help="returns in the demo shop")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    args = parser.parse_args()
    shop, client = seeded_owner_client(args.database_url, orders=args.orders)
    # As in the web server: a return's e-mail is handed to the sender thread (not started here)
    # instead of being sent inside the request; benchmarks/messages.py measures sending.
    from kantoor.messaging import embedded

    embedded._started.set()
    returns = _seed_returns(shop, args.returns)
    requests, notes = _requests(shop, returns)
    for name, note in notes.items():
        print(f"{name:17} {note}", flush=True)
    pages, _plans = measure_pages(
        client, requests, BUDGET_MS, timed=args.requests, explain_table=None
    )
    form = _measure_form(shop, client, timed=args.requests)
    emit(
        {
            "name": "returns",
            "returns": returns,
            "requests": args.requests,
            "pages": pages,
            "form": form,
            "budget_p95_ms": {**BUDGET_MS, **FORM_BUDGET_MS},
            "within_budget": {
                **{k: pages[k]["p95_ms"] < v for k, v in BUDGET_MS.items()},
                **{k: form[k]["p95_ms"] < v for k, v in FORM_BUDGET_MS.items()},
            },
            "machine": machine(),
        }
    )


def _returnable_orders(shop):
    from kantoor.core.statuses import OrderStatus
    from kantoor.orders.models import Order

    return Order.objects.filter(
        shop=shop,
        status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED],
    ).order_by("pk")


def _options(shop):
    from kantoor.returns.models import ReturnAction, ReturnReason

    reason = ReturnReason.objects.filter(shop=shop).first() or ReturnReason.objects.create(
        shop=shop, label_nl="Kapot", label_en="Damaged"
    )
    action = ReturnAction.objects.filter(shop=shop).first() or ReturnAction.objects.create(
        shop=shop, label_nl="Geld terug", label_en="Refund"
    )
    return reason, action


def _seed_returns(shop, wanted: int) -> int:
    """Returns in every status on the oldest returnable orders, one line each (bulk, untimed)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kantoor.orders.models import OrderLine
    from kantoor.returns.models import ReturnLine, ReturnRequest, ReturnStatus

    have = ReturnRequest.objects.filter(shop=shop).count()
    if have >= wanted:
        return have
    reason, action = _options(shop)
    started = time.monotonic()
    statuses = itertools.cycle([s.value for s in ReturnStatus])
    taken = set(ReturnRequest.objects.filter(shop=shop).values_list("order_id", flat=True))
    batch = 5000
    orders = (
        _returnable_orders(shop)
        .exclude(pk__in=taken)
        .values_list("pk", "number", "email", "first_name", "last_name", "language", "created_at")
    )
    made = have
    for _batch in range(0, wanted - have, batch):
        rows = list(orders[: min(batch, wanted - made)])
        if not rows:
            break
        first_lines = {}
        for line_id, order_id in OrderLine.objects.filter(
            order_id__in=[r[0] for r in rows], position=1
        ).values_list("pk", "order_id"):
            first_lines[order_id] = line_id
        now = timezone.now()
        with transaction.atomic():
            requests = ReturnRequest.objects.bulk_create(
                [
                    ReturnRequest(
                        shop=shop,
                        order_id=order_id,
                        number=f"RETB-{made + i + 1:07d}",
                        order_number=order_number,
                        status=next(statuses),
                        source="account",
                        email=email,
                        customer_name=f"{first} {last}",
                        language=language,
                        requested_at=created,
                        updated_at=now,
                        received_at=created if i % 2 else None,
                    )
                    for i, (
                        order_id,
                        order_number,
                        email,
                        first,
                        last,
                        language,
                        created,
                    ) in enumerate(rows)
                ]
            )
            ReturnLine.objects.bulk_create(
                [
                    ReturnLine(
                        shop=shop,
                        return_request=request,
                        order_line_id=first_lines[request.order_id],
                        quantity=1,
                        reason=reason,
                        action=action,
                    )
                    for request in requests
                    if request.order_id in first_lines
                ]
            )
        made += len(rows)
        orders = orders.exclude(pk__in=[r[0] for r in rows])
        print(f"{made:,} returns", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE returns_returnrequest")
        cursor.execute("VACUUM ANALYZE returns_returnline")
    print(f"returns seeded in {time.monotonic() - started:.1f} s", flush=True)
    return ReturnRequest.objects.filter(shop=shop).count()


def _requests(shop, returns: int):
    from kantoor.returns.models import ReturnRequest
    from kantoor.returns.selectors import RETURN_KEYSET

    base = f"/backoffice/{SHOP}/returns/"
    newest_first = ReturnRequest.objects.filter(shop=shop).order_by("-requested_at", "-pk")
    middle = newest_first[returns // 2]
    named = newest_first[returns // 5]
    name_fragment = named.customer_name.split()[-1][:4].lower()
    pages_total = max(1, -(-returns // PAGE_SIZE))
    page = min(1000, max(1, pages_total // 2))
    after = ""
    if page > 1:
        after = "?after=" + RETURN_KEYSET.cursor(newest_first[(page - 1) * PAGE_SIZE - 1])
    requests = {
        "first_page": base,
        "to_approve": f"{base}?stage=approve",
        "to_receive": f"{base}?stage=receive",
        "status_credited": f"{base}?status=credited",
        "number_exact": f"{base}?q={middle.number}",
        "email": f"{base}?q={named.email}",
        "name_fragment": f"{base}?q={name_fragment}",
        "deep_page": f"{base}{after}",
        "last_page": f"{base}?last=1",
    }
    notes = {"deep_page": f"is page {page:,} of {pages_total:,}", "name_fragment": name_fragment}
    return requests, notes


def _measure_form(shop, client, *, timed: int) -> dict:
    """The staff's return form of an order with nothing returned yet, and sending it."""
    from kantoor.returns.models import ReturnRequest

    reason, action = _options(shop)
    taken = ReturnRequest.objects.filter(shop=shop).values_list("order_id", flat=True)
    fresh = list(_returnable_orders(shop).exclude(pk__in=taken).order_by("-pk")[: timed + 6])
    if len(fresh) < timed + 6:
        raise SystemExit("Too few orders without a return: seed more orders than returns.")
    figures = {}
    seconds = []
    for round_, order in enumerate(fresh[: timed + 3]):
        start = time.perf_counter()
        response = client.get(f"/backoffice/{SHOP}/orders/{order.number}/returns/new/")
        if response.status_code != 200:
            raise SystemExit(f"the form of {order.number} answered {response.status_code}")
        if round_ >= 3:
            seconds.append(time.perf_counter() - start)
    figures["form_page"] = _figures(seconds)
    seconds = []
    for round_, order in enumerate(fresh[: timed + 3]):
        line = order.lines.order_by("position").first()
        data = {
            f"line-{line.pk}-quantity": "1",
            f"line-{line.pk}-reason": str(reason.pk),
            f"line-{line.pk}-action": str(action.pk),
        }
        start = time.perf_counter()
        response = client.post(f"/backoffice/{SHOP}/orders/{order.number}/returns/new/", data)
        if response.status_code != 302:
            raise SystemExit(f"sending the form of {order.number} answered {response.status_code}")
        if round_ >= 3:
            seconds.append(time.perf_counter() - start)
    figures["form_post"] = _figures(seconds)
    for name, budget in FORM_BUDGET_MS.items():
        f = figures[name]
        print(
            f"{name:17} p50 {f['p50_ms']:7.2f} ms  p95 {f['p95_ms']:7.2f} ms  (budget {budget} ms)"
        )
    return figures


def _figures(seconds):
    p = summary_ms(seconds)
    return {"p50_ms": p["p50"], "p95_ms": p["p95"], "max_ms": p["max"]}


if __name__ == "__main__":
    main()
