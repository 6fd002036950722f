"""The embedded sweeper: with no CELERY_BROKER_URL, a daemon thread of the web server process
runs the sweep every MESSAGING_SWEEP_SECONDS, so `make run` needs nothing else. While it runs,
a message committed in this process is handed to it (``hand_over``) and sent right away by this
thread, so a request never waits for the mail server.

It starts in ``manage.py runserver``'s serving process (the autoreloader's child, or the
only process with ``--noreload``), and in any process started with KANTOOR_EMBEDDED_SWEEP=1
(e.g. a WSGI server without Redis). KANTOOR_EMBEDDED_SWEEP=0 turns it off. It dies with its
process; nothing is lost, because the work to do is in the database.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import close_old_connections

from kantoor.messaging import registry
from kantoor.messaging.services.delivery import send_due_messages, send_message

logger = logging.getLogger(__name__)

_started = threading.Event()
_handed_over: queue.SimpleQueue[int] = queue.SimpleQueue()


def is_running() -> bool:
    return _started.is_set()


def hand_over(message_id: int) -> None:
    """Send this (committed) message from the sweeper thread, soon."""
    _handed_over.put(message_id)


def should_start(*, argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    if settings.CELERY_BROKER_URL:
        return False
    flag = environ.get("KANTOOR_EMBEDDED_SWEEP", "").strip().lower()
    if flag in {"0", "false", "no", "off"}:
        return False
    if flag in {"1", "true", "yes", "on"}:
        return True
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_sweeper(*, every: float | None = None) -> threading.Thread | None:
    """Start the sweeper thread once per process."""
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(
        target=_loop,
        kwargs={"every": every or settings.MESSAGING_SWEEP_SECONDS},
        name="kantoor-message-sweeper",
        daemon=True,
    )
    thread.start()
    return thread


def _loop(*, every: float) -> None:
    time.sleep(min(every, 3))  # let the server finish starting
    next_sweep = 0.0
    while True:
        try:
            message_id = _handed_over.get(timeout=max(0.0, next_sweep - time.monotonic()))
        except queue.Empty:
            message_id = None
        try:
            close_old_connections()
            if message_id is not None:
                send_message(message_id=message_id)
                continue
            next_sweep = time.monotonic() + every
            registry.run_due_periodic(time.monotonic())
            result = send_due_messages()
            if result.total:
                logger.info(
                    "Messages: %s sent, %s to retry, %s failed",
                    result.sent,
                    result.retrying,
                    result.failed,
                )
        except Exception:
            logger.exception("Sending messages failed; the sweep tries again in %s s", every)
        finally:
            close_old_connections()
