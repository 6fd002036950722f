"""Shared set-up for the benchmark scripts: Django on PostgreSQL, figures, the JSON last line."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kantoor_bench"


def database_url(cli_value: str | None) -> str:
    return cli_value or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def setup_django(url: str, *, migrate: bool = True, **env: str) -> None:
    """Settings from the environment (DEBUG off), the database created and migrated if needed
    (``migrate=False``: a child process of a benchmark, on a database already migrated)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantoor.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.pop("DEBUG", None)  # DEBUG keeps every query in memory: never measure with it
    for key, value in env.items():
        os.environ.setdefault(key, value)
    if migrate:
        ensure_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"The benchmarks measure PostgreSQL; DATABASE_URL is {url!r}.")
    name = config["NAME"]
    with psycopg.connect(**psycopg_kwargs(url, dbname="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def psycopg_kwargs(url: str, *, dbname: str | None = None) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    kwargs = {
        "dbname": dbname or config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    return {key: value for key, value in kwargs.items() if value}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "p50": round(statistics.median(ms), 2),
        "p95": round(percentile(ms, 95), 2),
        "max": round(max(ms), 2),
    }


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version()}


def emit(figures: dict) -> None:
    """The last line a benchmark prints: one JSON object with its figures."""
    print(json.dumps(figures, sort_keys=False), flush=True)
