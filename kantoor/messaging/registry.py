"""What messaging knows of the other apps: only what they register here.

Messaging is the outbox and the delivery; it sits below the document apps and imports none of
them. Each domain app's ``notifications.py`` registers, in its ``AppConfig.ready``:

- context builders: ``register_context(builder)``; ``builder(message, context)`` adds the values
  a template may use for a message about its documents (applied in the order the apps are
  installed: orders, then invoices, then payments, so a later app can refine a value);
- attachments: ``register_attachments(builder)``; ``builder(message)`` returns the files to
  attach (an ``Attachment`` list, possibly empty) and raises to hold the message back;
- the timeline: ``register_timeline(writer)``; ``writer(message, outcome, actor, at, error)`` is
  called inside the transaction that records a message as queued again, sent or failed;
- periodic work of the embedded sweeper (no broker: no celery beat): ``register_periodic(job,
  every=seconds)``; the sweeper thread calls ``job()`` about that often (quotes: expiry and
  reminders). With a broker the same job is a Celery beat entry in settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from kantoor.core.actors import Actor

QUEUED_AGAIN = "queued"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


ContextBuilder = Callable[[object, dict], None]
AttachmentBuilder = Callable[[object], list[Attachment]]
TimelineWriter = Callable[[object, str, Actor, datetime.datetime, str], None]

_context_builders: list[ContextBuilder] = []
_attachment_builders: list[AttachmentBuilder] = []
_timeline_writers: list[TimelineWriter] = []
_periodic: dict[Callable[[], object], float] = {}  # job -> every (seconds)
_periodic_due: dict[Callable[[], object], float] = {}  # job -> monotonic time it is due


def _add(registry: list, item) -> None:
    if item not in registry:  # ready() may run twice (tests, autoreload)
        registry.append(item)


def register_context(builder: ContextBuilder) -> None:
    _add(_context_builders, builder)


def register_attachments(builder: AttachmentBuilder) -> None:
    _add(_attachment_builders, builder)


def register_timeline(writer: TimelineWriter) -> None:
    _add(_timeline_writers, writer)


def register_periodic(job: Callable[[], object], *, every: float) -> None:
    _periodic[job] = every


def run_due_periodic(now: float) -> list[Callable[[], object]]:
    """Run each registered periodic job whose time has come (``now``: time.monotonic());
    returns the jobs run. A job that fails is tried again at its next time."""
    ran = []
    for job, every in list(_periodic.items()):
        if _periodic_due.get(job, 0.0) > now:
            continue
        _periodic_due[job] = now + every
        ran.append(job)
        job()
    return ran


def build_context(message, context: dict) -> dict:
    """``context`` (the shop's values) with what every registered app adds for ``message``."""
    for builder in _context_builders:
        builder(message, context)
    return context


def attachments_for(message) -> list[Attachment]:
    files: list[Attachment] = []
    for builder in _attachment_builders:
        files.extend(builder(message))
    return files


def record_on_timeline(
    message, outcome: str, *, actor: Actor, at: datetime.datetime, error: str = ""
) -> None:
    for writer in _timeline_writers:
        writer(message, outcome, actor, at, error)
