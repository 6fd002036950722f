"""Celery tasks of the accounting links: each calls one service."""

from kantoor.accounting.services import push_booking, push_due_bookings
from kantoor.accounting.services.syncing import PUSH_TASK
from kantoor.celery import app


@app.task(name=PUSH_TASK, ignore_result=True)
def push_booking_task(sync_id: int) -> None:
    push_booking(sync_id)


@app.task(name="kantoor.accounting.push_due_bookings", ignore_result=True)
def push_due_bookings_task() -> None:
    push_due_bookings()
