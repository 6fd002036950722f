"""The one error type of every refusal: ``KantoorError(message, code)``.

A service that cannot do what it was asked raises a KantoorError (or a subclass of its app):
``message`` is for the person who asked, in their language; ``code`` is stable, for the API and
for tests. Views, API handlers and commands catch ``KantoorError`` and show the message; any
other exception is a bug.
"""

from __future__ import annotations


class KantoorError(Exception):
    """A request Kantoor refuses. ``code`` defaults to the class's own code."""

    code = "refused"

    def __init__(self, message: object = "", code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
