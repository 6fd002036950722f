"""Send the messages that are due (for cron users, or a loop with --every)."""

import time

from django.core.management.base import BaseCommand
from django.db import connections

from kantoor.messaging.services import send_due_messages


class Command(BaseCommand):
    help = (
        "Send queued e-mails whose time has come and retry failed attempts (the sweep that "
        "celery beat runs). Run it from cron, or with --every N to loop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="Keep running and sweep every N seconds (default: once, then exit).",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="Send at most this many per sweep."
        )

    def handle(self, *args, every: float, limit: int | None, **options):
        while True:
            result = send_due_messages(limit=limit)
            self.stdout.write(
                f"{result.sent} sent, {result.retrying} to retry later, {result.failed} failed"
            )
            if not every:
                return
            connections.close_all()
            time.sleep(every)
