"""What messaging knows of the other apps: only what they register here.

Messaging is the outbox and the delivery; it sits below the document apps and imports none of
them. Each domain app's ``notifications.py`` registers, in its ``AppConfig.ready``:

- context builders: ``register_context(builder)``; ``builder(message, context)`` adds the values
  a template may use for a message about its documents (applied in the order the apps are
  installed: orders, then invoices, then payments, so a later app can refine a value);
- attachments: ``register_attachments(builder)``; ``builder(message)`` returns the files to
  attach (an ``Attachment`` list, possibly empty) and raises to hold the message back;
- the timeline: ``register_timeline(writer)``; ``writer(message, outcome, actor, at, error)`` is
  called inside the transaction that records a message as queued again, sent or failed.
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


def _add(registry: list, item) -> None:
    if item not in registry:  # ready() may run twice (tests, autoreload)
        registry.append(item)


def register_context(builder: ContextBuilder) -> None:
    _add(_context_builders, builder)


def register_attachments(builder: AttachmentBuilder) -> None:
    _add(_attachment_builders, builder)


def register_timeline(writer: TimelineWriter) -> None:
    _add(_timeline_writers, writer)


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
