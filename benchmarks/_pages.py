"""Timing back-office pages (the order and invoice list benchmarks): the demo shop seeded and
analysed, a client logged in as its owner, each page timed beside the raw SQL time of its own
statements, and the EXPLAIN plans written out on request."""

from __future__ import annotations

import statistics
import time

from _common import database_url, setup_django, summary_ms

SHOP = "demo"
WARM_UP = 3
RAW_RUNS = 7


def seeded_owner_client(url: str | None, *, orders: int):
    """Django set up on ``url``, the demo shop seeded to ``orders`` orders (idempotent) and
    VACUUM ANALYZEd; returns (shop, a test client logged in as its owner)."""
    setup_django(
        database_url(url),
        ALLOWED_HOSTS="testserver",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    from django.conf import settings
    from django.core.management import call_command
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
    started = time.monotonic()
    call_command("seed_demo", shop=SHOP, orders=orders)
    print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s", flush=True)
    shop = Shop.objects.get(slug=SHOP)
    owner = Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    client = Client()
    client.force_login(owner.user)
    return shop, client


def measure_pages(client, requests: dict, budgets: dict, *, timed: int, explain_table: str | None):
    """Every page of ``requests`` timed; returns (figures per page, EXPLAIN plans per page of
    the SELECTs on ``explain_table``, when given)."""
    pages, plans = {}, {}
    for name, url in requests.items():
        seconds, statements, status = measure(client, url, timed)
        sql_ms, plan = sql_time(statements, explain_table=explain_table)
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
        budget = budgets[name]
        print(
            f"{name:17} p50 {p['p50']:7.2f} ms  p95 {p['p95']:7.2f} ms  (budget {budget} ms"
            f"{'' if p['p95'] < budget else ', MISSED'})  SQL {sql_ms:6.2f} ms"
            f"  ratio {pages[name]['ratio']}  {len(statements)} statements",
            flush=True,
        )
    return pages, plans


def measure(client, url: str, timed: int):
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


def sql_time(statements, *, explain_table: str | None) -> tuple[float, list[tuple[str, str]]]:
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
        if explain_table and explain_table in sql and sql.lstrip().upper().startswith("SELECT"):
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


def write_plans(path: str, title: str, requests, plans) -> None:
    lines = [f"# {title}", ""]
    for name, url in requests.items():
        lines += [f"## {name}: `{url}`", ""]
        for sql, plan in plans[name]:
            lines += ["```sql", sql, "```", "", "```", plan, "```", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print(f"plans written to {path}", flush=True)
