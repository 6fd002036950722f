"""Celery tasks of the reports: each calls one service."""

from kantoor.celery import app
from kantoor.reports.exports.services import RUN_EXPORT_TASK, run_export_job, sweep_exports
from kantoor.reports.services import refresh_all_statistics


@app.task(name="kantoor.reports.refresh_statistics", ignore_result=True)
def refresh_statistics_task() -> None:
    refresh_all_statistics()


@app.task(name=RUN_EXPORT_TASK, ignore_result=True)
def run_export_task(job_id: int) -> None:
    run_export_job(job_id)


@app.task(name="kantoor.reports.sweep_exports", ignore_result=True)
def sweep_exports_task() -> None:
    sweep_exports()
