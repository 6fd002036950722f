"""The embedded sweeper: with no CELERY_BROKER_URL, a daemon thread of the web server process
runs the sweep every MESSAGING_SWEEP_SECONDS, so `make run` needs nothing else.

It starts in ``manage.py runserver``'s serving process (the autoreloader's child, or the
only process with ``--noreload``), and in any process started with KANTOOR_EMBEDDED_SWEEP=1
(e.g. a WSGI server without Redis). KANTOOR_EMBEDDED_SWEEP=0 turns it off. It dies with its
process; nothing is lost, because the work to do is in the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

_started = threading.Event()


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
    from kantoor.messaging.services import send_due_messages

    time.sleep(min(every, 3))  # let the server finish starting
    while True:
        try:
            close_old_connections()
            result = send_due_messages()
            if result.total:
                logger.info(
                    "Messages: %s sent, %s to retry, %s failed",
                    result.sent,
                    result.retrying,
                    result.failed,
                )
        except Exception:
            logger.exception("The message sweep failed; it runs again in %s s", every)
        finally:
            connections.close_all()
        time.sleep(every)
