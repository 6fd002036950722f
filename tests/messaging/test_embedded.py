"""The embedded sweeper starts where `make run` needs it, and nowhere else."""

import pytest

from kantoor.messaging.embedded import should_start

RUNSERVER = ["manage.py", "runserver", "127.0.0.1:8000"]


@pytest.mark.parametrize(
    ("argv", "environ", "broker", "expected"),
    [
        (RUNSERVER, {"RUN_MAIN": "true"}, "", True),  # the autoreloader's serving child
        (RUNSERVER, {}, "", False),  # the autoreloader's watcher: no thread there
        ([*RUNSERVER, "--noreload"], {}, "", True),
        (["manage.py", "migrate"], {}, "", False),
        (["pytest"], {}, "", False),
        (["gunicorn", "kantoor.wsgi"], {"KANTOOR_EMBEDDED_SWEEP": "1"}, "", True),
        (RUNSERVER, {"RUN_MAIN": "true", "KANTOOR_EMBEDDED_SWEEP": "0"}, "", False),
        (RUNSERVER, {"RUN_MAIN": "true"}, "redis://127.0.0.1:6379/0", False),  # beat does it
    ],
)
def test_should_start(settings, argv, environ, broker, expected):
    settings.CELERY_BROKER_URL = broker
    assert should_start(argv=argv, environ=environ) is expected


def test_in_the_web_server_a_committed_message_goes_to_the_sender_thread(
    shop, products, make_order, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core import mail

    from kantoor.messaging import embedded
    from kantoor.messaging.models import Message

    handed = []
    monkeypatch.setattr(embedded, "is_running", lambda: True)
    monkeypatch.setattr(embedded, "hand_over", handed.append)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(shop, products)
    assert handed == [Message.objects.get(order=order).pk]
    assert mail.outbox == []  # the request did not wait for the mail server
