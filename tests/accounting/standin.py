"""A stand-in for a bookkeeping package's API, for the tests only: a real HTTP server on the
loopback interface in a thread of the test process (no network). Each package's stand-in
(tests/accounting/test_<package>.py) subclasses ``StandInHandler`` and implements the requests
and responses the package documents; ``StandIn`` starts and stops it and records every request.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


@dataclass
class StandInState:
    """What the stand-in knows and how it misbehaves on purpose (set by a test)."""

    requests: list[Recorded] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the package's own records, per stand-in
    fail_next: list[tuple[int, dict, bytes]] = field(default_factory=list)  # canned answers
    lock: threading.Lock = field(default_factory=threading.Lock)


class StandInHandler(BaseHTTPRequestHandler):
    """Subclasses implement ``handle_request(recorded) -> (status, headers, body)``."""

    state: StandInState  # set on the subclass made by StandIn

    def log_message(self, format, *args):  # noqa: A002 (quiet in the test output)
        return

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        split = urlsplit(self.path)
        recorded = Recorded(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        with self.state.lock:
            self.state.requests.append(recorded)
            canned = self.state.fail_next.pop(0) if self.state.fail_next else None
        if canned is not None:
            status, headers, body = canned
        else:
            status, headers, body = self.handle_request(recorded)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def handle_request(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        raise NotImplementedError


def json_answer(status: int, value, **headers) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(value).encode()


class StandIn:
    """``with StandIn(Handler) as standin: standin.url …`` (a fresh state per use)."""

    def __init__(self, handler: type[StandInHandler], data: dict | None = None):
        self.state = StandInState(data=dict(data or {}))
        self.handler = type(handler.__name__, (handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def requests(self) -> list[Recorded]:
        return self.state.requests


class MemoryStore:
    """A ``CredentialStore`` in memory for a connector's own tests (the real one is a locked
    database row, kantoor.accounting.services)."""

    def __init__(self, credentials: dict | None = None):
        self.credentials = dict(credentials or {})
        self.lock = threading.Lock()
        self.updates = 0

    def load(self) -> dict:
        with self.lock:
            return dict(self.credentials)

    def update(self, change) -> dict:
        with self.lock:
            self.credentials = dict(change(dict(self.credentials)))
            self.updates += 1
            return dict(self.credentials)
