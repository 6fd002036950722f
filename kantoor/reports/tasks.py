"""Celery tasks of the reports: each calls one service."""

from kantoor.celery import app
from kantoor.reports.services import refresh_all_statistics


@app.task(name="kantoor.reports.refresh_statistics", ignore_result=True)
def refresh_statistics_task() -> None:
    refresh_all_statistics()
