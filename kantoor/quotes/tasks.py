"""Celery tasks of quotes: each calls one service."""

from kantoor.celery import app
from kantoor.quotes.services import deciding


@app.task(name="kantoor.quotes.expire_quotes", ignore_result=True)
def expire_quotes_task() -> None:
    deciding.expire_quotes()
