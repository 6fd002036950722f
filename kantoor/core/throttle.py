"""Abuse limits: at most ``limit`` attempts per subject within ``window`` seconds.

One counter per throttle and subject (an account, an IP address, an e-mail address; hashed into
the cache key) in Django's cache: Redis in production (``REDIS_URL`` / ``CACHE_URL``, see
settings), so every process counts together; the local memory of one process otherwise. The
window starts at the first attempt and ends ``window`` seconds later; until then a subject at its
limit is refused, whatever it sends (the right password too).

    LOGIN = Throttle("staff-login-account", limit=5, window=900)
    LOGIN.check(email)   # raises Throttled (a KantoorError) with "try again in N minutes"
    LOGIN.hit(email)     # one more attempt counted

``check_all`` and ``hit_all`` take several (throttle, subject) pairs at once: per account and per
IP address, the longer wait wins.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import ngettext

from kantoor.core.errors import KantoorError


class Throttled(KantoorError):
    """Too many attempts: refused until ``retry_after`` seconds have passed."""

    code = "throttled"

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        minutes = max(1, math.ceil(self.retry_after / 60))
        super().__init__(
            ngettext(
                "Too many attempts; try again in %(minutes)d minute.",
                "Too many attempts; try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


@dataclass(frozen=True)
class Throttle:
    name: str
    limit: int
    window: int  # seconds

    def _keys(self, subject: object) -> tuple[str, str]:
        digest = hashlib.sha256(str(subject).strip().lower().encode()).hexdigest()[:40]
        key = f"throttle:{self.name}:{digest}"
        return key, key + ":since"

    def retry_after(self, subject: object) -> int:
        """Seconds until ``subject`` may try again; 0 when it is under its limit."""
        count_key, since_key = self._keys(subject)
        values = cache.get_many([count_key, since_key])
        if (values.get(count_key) or 0) < self.limit:
            return 0
        since = values.get(since_key) or time.time()
        return max(1, math.ceil(since + self.window - time.time()))

    def check(self, subject: object) -> None:
        check_all((self, subject))

    def hit(self, subject: object) -> None:
        """Count one attempt of ``subject`` (starting its window if it has none)."""
        count_key, since_key = self._keys(subject)
        cache.add(since_key, time.time(), self.window)
        if cache.add(count_key, 1, self.window):
            return
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, self.window)

    def clear(self, subject: object) -> None:
        cache.delete_many(list(self._keys(subject)))


def check_all(*pairs: tuple[Throttle, object]) -> None:
    """Raise Throttled when any subject is at its throttle's limit (the longest wait)."""
    wait = max((throttle.retry_after(subject) for throttle, subject in pairs), default=0)
    if wait:
        raise Throttled(wait)


def hit_all(*pairs: tuple[Throttle, object]) -> None:
    for throttle, subject in pairs:
        throttle.hit(subject)


def client_ip(request) -> str:
    """The client's address as this process sees it (``REMOTE_ADDR``; behind a proxy, the proxy
    must set it to the client's address)."""
    return request.META.get("REMOTE_ADDR") or "unknown"
