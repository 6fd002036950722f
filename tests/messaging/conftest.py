"""A real SMTP server (aiosmtpd) on a free port, started and stopped by the test."""

import asyncio
import socket
import threading

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """What the server received: one envelope per accepted e-mail."""

    def __init__(self, port: int, delay: float = 0.0):
        self.port = port
        self.delay = delay
        self.received = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.received.append(envelope)
        return "250 Message accepted"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def recipients(self) -> list[str]:
        with self._lock:
            return [rcpt for envelope in self.received for rcpt in envelope.rcpt_tos]

    def message_ids(self) -> list[str]:
        import email

        with self._lock:
            return [
                email.message_from_bytes(envelope.original_content)["Message-ID"]
                for envelope in self.received
            ]


@pytest.fixture
def smtp_sink():
    sinks = []

    def make(*, start: bool = True, delay: float = 0.0) -> SmtpSink:
        sink = SmtpSink(free_port(), delay=delay)
        if start:
            sink.start()
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.stop()


@pytest.fixture
def smtp_settings(settings):
    """Point Django's SMTP backend at a sink's port."""

    def point_at(sink: SmtpSink) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5

    return point_at
