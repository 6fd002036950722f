"""Background exports at scale: an export job of the order lines (the default columns) as CSV and
as XLSX, each run through ``run_export_job`` in a fresh child process, with its wall time, rows,
file size and peak memory (the child's own VmHWM), on PostgreSQL with the demo shop seeded to
--order-lines order lines; and the same for a date filter that leaves a tenth of the rows, to
show that memory does not grow with the rows.

Seeding: ``benchmarks/reports.py``'s (``seed_demo --orders 3000`` and SQL copies of those orders
with their lines, invoices and payments over three years, ``_seed_scale.py``; idempotent), to the
number of orders that gives at least --order-lines lines, then VACUUM ANALYZE. Each export is an
``ExportJob`` of kind ``order_lines`` (the shop owner's, the default columns, CSV with ``;`` and
a decimal comma, or XLSX) made in this process; a child process (``--run-job``: Django set up, no
migrate) runs ``run_export_job`` on it and reports its figures, then the file is deleted. The
files go to a temporary ``KANTOOR_EXPORTS_ROOT``. Budgets: CSV < 60 s, XLSX < 180 s, and a peak
RSS < 200 MB whatever the number of rows. ``--profile`` prints each child's cProfile (the 25
slowest functions, cumulative and own time).

    python benchmarks/exports.py [--order-lines 1000000] [--database-url postgres://…/kantoor_bench_exports]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import database_url, emit, machine, setup_django

SCRIPT = Path(__file__).resolve()
SHOP = "demo"  # the shop benchmarks/reports.py seeds
KIND = "order_lines"
FORMATS = ("csv", "xlsx")
BUDGET_S = {"csv": 60, "xlsx": 180}
BUDGET_RSS_MB = 200
SMALLER = 10  # the filtered export has about a tenth of the rows
# Order lines per order of seed_demo's orders (about 2.04), a little low: the first guess of
# the orders to seed (topped up when the shop has fewer lines than asked).
LINES_PER_ORDER_GUESS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--order-lines", type=int, default=1_000_000, help="order lines in the demo shop"
    )
    parser.add_argument(
        "--base-orders",
        type=int,
        default=3000,
        help="orders seed_demo makes before they are copied (default 3000)",
    )
    parser.add_argument("--profile", action="store_true", help="print each child's cProfile")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    parser.add_argument("--run-job", type=int, metavar="ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_job is not None:
        _child(database_url(args.database_url), args.run_job, profile=args.profile)
        return

    url = database_url(args.database_url)
    exports_root = tempfile.mkdtemp(prefix="kantoor-bench-exports-")
    os.environ["KANTOOR_EXPORTS_ROOT"] = exports_root
    try:
        shop, seeding = _seeded(url, lines=args.order_lines, base=args.base_orders)
        sets = _row_sets(shop)
        runs = {}
        for set_name, filters in sets.items():
            for export_format in FORMATS:
                name = f"{set_name}_{export_format}"
                runs[name] = _measure(shop, url, filters, export_format, profile=args.profile)
                _print_run(name, runs[name])
    finally:
        shutil.rmtree(exports_root, ignore_errors=True)
    _print_table(runs)
    within = {
        name: run["state"] == "done"
        and run["seconds"] < BUDGET_S[run["format"]]
        and run["peak_rss_mb"] < BUDGET_RSS_MB
        for name, run in runs.items()
    }
    emit(
        {
            "name": "exports",
            "kind": KIND,
            "order_lines": seeding["order_lines"],
            "seeding": seeding,
            "runs": runs,
            "budget_s": BUDGET_S,
            "budget_peak_rss_mb": BUDGET_RSS_MB,
            "within_budget": within,
            "machine": machine(),
        }
    )


# --- set-up ----------------------------------------------------------------------------------


def _seeded(url: str, *, lines: int, base: int):
    """The demo shop with at least ``lines`` order lines, seeded as benchmarks/reports.py seeds
    it (its ``_seeded``: Django set up, seed_demo + SQL copies, VACUUM ANALYZE)."""
    from reports import _seeded as seeded_reports

    orders = max(base, math.ceil(lines / LINES_PER_ORDER_GUESS))
    shop, _client, seeding = seeded_reports(url, orders=orders, base=base)
    have = _line_count(shop)
    if have < lines:  # the guess was high: more copies, at the originals' lines per order
        from _seed_scale import COPY_MARK, seed_scaled
        from django.db import connection

        from kantoor.orders.models import Order, OrderLine

        originals = Order.objects.filter(shop=shop).exclude(number__contains=COPY_MARK)
        per_order = (
            OrderLine.objects.filter(shop=shop, order__in=originals).count() / originals.count()
        )
        orders = seeding["orders"] + math.ceil((lines - have) / per_order) + 1
        more = seed_scaled(slug=SHOP, orders=orders, base=base)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orders_order")
            cursor.execute("VACUUM ANALYZE orders_orderline")
        seeding["copied"] += more["copied"]
        seeding["orders"] = more["orders"]
        seeding["top_up_s"] = more["seconds"]
        have = _line_count(shop)
    seeding["order_lines"] = have
    print(f"{have:,} order lines in {seeding['orders']:,} orders", flush=True)
    return shop, seeding


def _line_count(shop) -> int:
    from kantoor.orders.models import OrderLine

    return OrderLine.objects.filter(shop=shop).count()


def _row_sets(shop) -> dict:
    """The filters of the two sets of rows: every order (all lines), and the orders placed on or
    after the day that leaves about a tenth of the lines (the order list's date filter)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from kantoor.invoices.order_list import OrderFilters
    from kantoor.orders.models import OrderLine
    from kantoor.reports.daily import shop_timezone

    per_day = (
        OrderLine.objects.filter(shop=shop)
        .annotate(day=TruncDate("order__created_at", tzinfo=shop_timezone(shop)))
        .values("day")
        .annotate(lines=Count("id"))
        .order_by("-day")
    )
    wanted = _line_count(shop) / SMALLER
    counted, since = 0, None
    for row in per_day:
        counted += row["lines"]
        since = row["day"]
        if counted >= wanted:
            break
    return {"all": OrderFilters(), "tenth": OrderFilters(date_from=since)}


def _measure(shop, url: str, filters, export_format: str, *, profile: bool) -> dict:
    """One job made here and run in a fresh child process; its figures, its file deleted."""
    from kantoor.reports.exports.models import export_storage

    job = _job(shop, filters, export_format)
    command = [sys.executable, str(SCRIPT), "--run-job", str(job.pk), "--database-url", url]
    if profile:
        command.append("--profile")
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    process_s = time.monotonic() - started
    if profile or result.returncode != 0:
        print(result.stderr, flush=True)
    if result.returncode != 0:
        raise SystemExit(f"the child process for export {job.pk} failed")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    job.refresh_from_db()
    if job.file:
        export_storage().delete(job.file.name)
    return {
        "format": export_format,
        "filter": {"date_from": filters.date_from.isoformat()} if filters.date_from else {},
        "rows_planned": job.rows_total,
        **figures,
        "process_s": round(process_s, 2),
    }


def _job(shop, filters, export_format: str):
    """The job ``plan_export`` records for an export above EXPORTS_DIRECT_ROWS rows, without
    starting it (here it would run in this process)."""
    from django.conf import settings

    from kantoor.reports.exports.columns import EXPORT_KINDS
    from kantoor.reports.exports.models import ExportJob
    from kantoor.reports.exports.selectors import count_export_rows, filters_to_json
    from kantoor.shops.models import Membership, Role

    kind = EXPORT_KINDS[KIND]
    owner = Membership.objects.filter(shop=shop, role=Role.OWNER).select_related("user").first()
    return ExportJob.objects.create(
        shop=shop,
        user=owner.user,
        kind=kind.key,
        format=export_format,
        options={"separator": ";", "language": settings.LANGUAGE_CODE},
        filters=filters_to_json(filters),
        columns=kind.default_columns,
        rows_total=count_export_rows(shop=shop, kind=kind, filters=filters),
    )


# --- the child process -----------------------------------------------------------------------


def _child(url: str, job_id: int, *, profile: bool) -> None:
    """Run one job; print its figures and this process's peak memory as a JSON line."""
    setup_django(url, migrate=False)
    from kantoor.reports.exports.models import ExportJob
    from kantoor.reports.exports.services import run_export_job

    start_rss = _status_mb("VmRSS")
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run_export_job, job_id)
        seconds = time.perf_counter() - started
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(25)
    else:
        run_export_job(job_id)
        seconds = time.perf_counter() - started
    job = ExportJob.objects.get(pk=job_id)
    print(
        json.dumps(
            {
                "state": job.state,
                "error": job.error,
                "rows": job.rows_done,
                "seconds": round(seconds, 2),
                "rows_per_s": round(job.rows_done / seconds) if seconds else None,
                "file_bytes": job.file_size,
                "start_rss_mb": start_rss,
                "peak_rss_mb": _status_mb("VmHWM"),
            }
        ),
        flush=True,
    )


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (kB), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    raise SystemExit(f"no {field} in /proc/self/status")


# --- output ----------------------------------------------------------------------------------


def _print_run(name: str, run: dict) -> None:
    missed = []
    if run["seconds"] >= BUDGET_S[run["format"]]:
        missed.append("time")
    if run["peak_rss_mb"] >= BUDGET_RSS_MB:
        missed.append("memory")
    if run["state"] != "done":
        missed.append(f"state {run['state']}: {run['error']}")
    print(
        f"{name:10} {run['rows']:>10,} rows  {run['seconds']:8.1f} s"
        f"  {run['file_bytes'] or 0:>13,} bytes  peak RSS {run['peak_rss_mb']:6.1f} MB"
        f"{'  MISSED: ' + ', '.join(missed) if missed else ''}",
        flush=True,
    )


def _print_table(runs: dict) -> None:
    print()
    print("| export | rows | wall time | rows/s | file | peak RSS (start) | budget |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, run in runs.items():
        budget = f"< {BUDGET_S[run['format']]} s, < {BUDGET_RSS_MB} MB"
        print(
            f"| {name} | {run['rows']:,} | {run['seconds']:.1f} s | {run['rows_per_s']:,} |"
            f" {(run['file_bytes'] or 0) / 1e6:.1f} MB | {run['peak_rss_mb']:.1f} MB"
            f" ({run['start_rss_mb']:.1f}) | {budget} |"
        )
    print(flush=True)


if __name__ == "__main__":
    main()
