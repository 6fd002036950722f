"""The e-mail backend of development (DEBUG without EMAIL_URL or EMAIL_BACKEND): every message
is written whole to a file under var/mail/, and the console gets one line per message (to,
subject, file), so `make run` stays readable and a developer can still open every e-mail."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class DevelopmentEmailBackend(FileEmailBackend):
    def __init__(self, *args, file_path=None, stream=None, **kwargs):
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        super().__init__(*args, file_path=path, **kwargs)
        self.summary_stream = stream or sys.stdout

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        if sent:
            where = getattr(self, "_fname", None) or self.file_path
            for message in email_messages:
                self.summary_stream.write(
                    f"[e-mail] to {', '.join(message.to)}: {message.subject!r} -> {where}\n"
                )
            self.summary_stream.flush()
        return sent
