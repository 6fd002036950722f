"""Celery tasks: each calls one service. The database, not the broker, holds the work to do."""

from kantoor.celery import app
from kantoor.messaging.services import delivery


@app.task(name="kantoor.messaging.send_message", ignore_result=True)
def send_message_task(message_id: int) -> None:
    delivery.send_message(message_id=message_id)


@app.task(name="kantoor.messaging.send_queued_messages", ignore_result=True)
def send_queued_messages_task() -> None:
    delivery.send_due_messages()
