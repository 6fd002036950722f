"""seed_demo writes history: it queues and sends no e-mail at all."""

import io

from django.core import mail
from django.core.management import call_command

from kantoor.messaging.models import Message


def test_seeding_queues_and_sends_no_email(db):
    call_command("seed_demo", stdout=io.StringIO(), orders=60)
    assert list(Message.objects.values_list("kind", "to")) == []
    assert mail.outbox == []
