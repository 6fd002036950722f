"""Expiry runs without a broker (the embedded sweeper's periodic jobs) and as a Celery task."""

import datetime

from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.messaging import registry
from kantoor.quotes.models import Quote, QuoteStatus
from kantoor.quotes.services import expire_quotes
from kantoor.quotes.tasks import expire_quotes_task
from tests.quotes.test_services import sent_quote


def test_the_embedded_sweeper_runs_the_quote_expiry_at_its_period(shop, products, owner):
    quote = sent_quote(shop, products, Actor.staff(owner))
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    registry._periodic_due.clear()
    assert expire_quotes in registry.run_due_periodic(1000.0)
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.EXPIRED
    assert expire_quotes not in registry.run_due_periodic(1001.0)  # not again within the hour


def test_the_celery_task_expires_too(shop, products, owner):
    quote = sent_quote(shop, products, Actor.staff(owner))
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    expire_quotes_task.apply()
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.EXPIRED
