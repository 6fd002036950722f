"""Smoke test: every benchmark script runs at a tiny size and ends with its JSON line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "kantoor_bench_smoke"


@pytest.fixture
def bench_url():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmarks measure PostgreSQL; run with DATABASE_URL=postgres://…")
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{BENCH_DB}"


def run(script: str, *args: str, url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.postgres
@pytest.mark.parametrize(
    "script", ["place_order.py", "storefront.py", "order_list.py", "messages.py", "returns.py"]
)
def test_benchmark_has_help(script):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "--orders" in result.stdout


@pytest.mark.postgres
def test_place_order_benchmark_runs(bench_url):
    figures = run("place_order.py", "--orders", "8", "--workers", "1,2", url=bench_url)
    assert figures["name"] == "place_order"
    for workers in ("1", "2"):
        row = figures["workers"][workers]
        assert row["django_orders_per_s"] > 0 and row["raw_orders_per_s"] > 0
        assert row["ratio"] > 0
    assert figures["sql_statements_per_order"] > 0


@pytest.mark.postgres
def test_storefront_benchmark_runs(bench_url):
    figures = run("storefront.py", "--orders", "20", "--requests", "3", url=bench_url)
    assert figures["name"] == "storefront"
    for page in ("product_list", "product", "cart", "checkout", "checkout_post"):
        assert figures["pages"][page]["p95_ms"] > 0, page
        assert figures["pages"][page]["sql_statements"] > 0, page


@pytest.mark.postgres
def test_order_list_benchmark_runs(bench_url):
    figures = run("order_list.py", "--orders", "120", "--requests", "2", url=bench_url)
    assert figures["name"] == "order_list"
    assert figures["orders"] >= 120
    for page in (
        "first_page",
        "status_and_dates",
        "number_exact",
        "number_fragment",
        "email",
        "name_fragment",
        "page_5000",
        "last_page",
        "order_detail",
    ):
        row = figures["pages"][page]
        assert row["status"] == 200, page
        assert row["p95_ms"] > 0 and row["sql_ms"] > 0 and row["ratio"] > 0, page
        assert row["statements"] > 0, page


@pytest.mark.postgres
def test_messages_benchmark_runs(bench_url):
    figures = run("messages.py", "--messages", "20", "--orders", "20", url=bench_url)
    assert figures["name"] == "messages"
    assert figures["sweep_messages_per_s"] > 0 and figures["task_messages_per_s"] > 0
    assert figures["outbox_added_p50_ms"] is not None
    # place_order with its invoice (series, counter, invoice, invoice lines), the outbox row, and
    # one look-up of the shop's accounting link (kantoor/accounting: a booking row if it has one)
    assert figures["sql_statements"] == {"with_outbox": 15, "without_outbox": 14}


@pytest.mark.postgres
def test_invoice_list_benchmark_runs(bench_url):
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "invoice_list.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "--invoices" in help_text
    figures = run("invoice_list.py", "--invoices", "120", "--requests", "2", url=bench_url)
    assert figures["name"] == "invoice_list"
    assert figures["invoices"] >= 120
    assert set(figures["pages"]) == set(figures["budget_p95_ms"])
    for page, row in figures["pages"].items():
        assert row["status"] == 200, page
        assert row["p95_ms"] > 0 and row["sql_ms"] > 0 and row["ratio"] > 0, page
        assert row["statements"] > 0, page
    assert "number_fragment" in figures["pages"] and "page_5000" in figures["pages"]


@pytest.mark.postgres
def test_returns_benchmark_runs(bench_url):
    figures = run(
        "returns.py", "--orders", "120", "--returns", "30", "--requests", "2", url=bench_url
    )
    assert figures["name"] == "returns"
    assert figures["returns"] >= 30
    for page, row in figures["pages"].items():
        assert row["status"] == 200, page
        assert row["p95_ms"] > 0 and row["statements"] > 0, page
    assert set(figures["pages"]) | set(figures["form"]) == set(figures["budget_p95_ms"])
    assert figures["form"]["form_post"]["p95_ms"] > 0


@pytest.mark.postgres
def test_quotes_benchmark_runs(bench_url):
    figures = run(
        "quotes.py", "--orders", "120", "--quotes", "200", "--requests", "2", url=bench_url
    )
    assert figures["name"] == "quotes"
    assert figures["quotes"] >= 200
    assert set(figures["pages"]) == set(figures["budget_p95_ms"])
    for page, row in figures["pages"].items():
        assert row["status"] == 200, page
        assert row["p95_ms"] > 0 and row["statements"] > 0, page
    assert figures["pdf"]["p50_ms"] > 0 and figures["pdf"]["rendered"] == 2
    assert figures["converting"]["ratio_p50"] > 0


@pytest.mark.postgres
def test_reports_benchmark_runs(bench_url):
    figures = run(
        "reports.py",
        *("--orders", "400", "--base-orders", "120", "--requests", "2", "--sql-runs", "2"),
        url=bench_url,
    )
    assert figures["name"] == "reports"
    assert figures["orders"] >= 400 and figures["seeding"]["originals"] >= 120
    assert figures["rebuild_s"] > 0 and figures["rebuild_days"] > 365
    assert figures["refresh_days"] >= 1 and figures["refresh_after_order_ms"] > 0
    assert set(figures["pages"]) == set(figures["budget_p95_ms"])
    for page, row in figures["pages"].items():
        assert row["status"] == 200, page
        assert row["p95_ms"] > 0 and row["sql_ms"] > 0 and row["statements"] > 0, page
        if page != "vat_year":
            assert row["direct_sql_p95_ms"] > 0, page
            assert row["figures_match"], row["differ"]


@pytest.mark.postgres
def test_exports_benchmark_runs(bench_url):
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "exports.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "--order-lines" in help_text
    figures = run("exports.py", "--order-lines", "600", "--base-orders", "120", url=bench_url)
    assert figures["name"] == "exports"
    assert figures["order_lines"] >= 600
    assert set(figures["runs"]) == {"all_csv", "all_xlsx", "tenth_csv", "tenth_xlsx"}
    for name, row in figures["runs"].items():
        assert row["state"] == "done", (name, row["error"])
        assert row["rows"] == row["rows_planned"] > 0, name
        assert row["file_bytes"] > 0 and row["peak_rss_mb"] > 0, name
    assert figures["runs"]["tenth_csv"]["rows"] < figures["runs"]["all_csv"]["rows"]
