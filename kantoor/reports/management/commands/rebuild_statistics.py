"""``manage.py rebuild_statistics --shop S [--from D]``: a shop's daily statistics computed
again from its orders, invoices, payments and returns (kantoor.reports.services)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from kantoor.reports.services import rebuild_statistics
from kantoor.shops.models import Shop


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--from takes a date as 2026-01-31, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Compute a shop's daily statistics again from its orders, invoices, payments and "
        "returns, from --from (default: its first order) to today. Safe to run at any time: "
        "each day is replaced whole, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", required=True, help="the shop's slug")
        parser.add_argument("--from", dest="start", type=_day, help="first day, as 2026-01-31")

    def handle(self, *args, shop: str, start: datetime.date | None, **options):
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(f"No shop with the slug {shop!r}.")
        began = time.perf_counter()
        days = rebuild_statistics(shop=found, start=start)
        self.stdout.write(
            f"Shop '{shop}': {days} days computed in {time.perf_counter() - began:.1f} s."
        )
