"""kantoor/core/throttle.py: at most ``limit`` attempts per subject in a window, in the cache."""

import time

import pytest

from kantoor.core import throttle as throttle_module
from kantoor.core.throttle import Throttle, Throttled, check_all, hit_all


def test_a_subject_at_its_limit_is_refused_until_the_window_passes(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(throttle_module.time, "time", lambda: now[0])
    limit = Throttle("test", limit=3, window=600)
    for _ in range(3):
        limit.check("anna@example.test")
        limit.hit("anna@example.test")
    with pytest.raises(Throttled) as refused:
        limit.check("anna@example.test")
    assert refused.value.retry_after == 600
    assert refused.value.message == "Too many attempts; try again in 10 minutes."
    assert refused.value.code == "throttled"
    # Another subject has its own count; the same address in capitals is the same subject.
    limit.check("piet@example.test")
    with pytest.raises(Throttled):
        limit.check(" ANNA@example.test")
    now[0] += 541
    with pytest.raises(Throttled) as refused:
        limit.check("anna@example.test")
    assert refused.value.message == "Too many attempts; try again in 1 minute."


def test_the_window_ends(settings):
    limit = Throttle("test-short", limit=1, window=1)
    limit.hit("x")
    with pytest.raises(Throttled):
        limit.check("x")
    time.sleep(1.1)
    limit.check("x")


def test_check_all_waits_for_the_longest_and_clear_forgets():
    account = Throttle("test-account", limit=1, window=60)
    ip = Throttle("test-ip", limit=1, window=3600)
    hit_all((account, "a"), (ip, "10.0.0.1"))
    with pytest.raises(Throttled) as refused:
        check_all((account, "a"), (ip, "10.0.0.1"))
    assert refused.value.retry_after > 3500
    account.clear("a")
    check_all((account, "a"), (ip, "10.0.0.2"))
