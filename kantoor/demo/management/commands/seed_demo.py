"""``manage.py seed_demo``: the demo shop with its catalogue, customers and orders
(kantoor.demo.seeding does the work)."""

from django.core.management.base import BaseCommand, CommandError

from kantoor.core.errors import KantoorError
from kantoor.demo import demo_data
from kantoor.demo.seeding import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo shop (a Dutch bicycle-parts shop) with products, customers and "
        "orders over the last 12 months in every status. Idempotent: adds orders only up to "
        "--orders."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", default="demo", help="shop slug (default: demo)")
        parser.add_argument("--orders", type=int, default=300, help="orders wanted (default 300)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, shop: str, orders: int, seed: int, **options):
        try:
            outcome = seed_demo(slug=shop, orders=orders, seed=seed)
        except KantoorError as error:
            raise CommandError(error.message) from error
        if outcome.added:
            self.stdout.write(
                f"Shop '{shop}': added {outcome.added} orders ({outcome.existing} existed) "
                f"in {outcome.seconds:.1f} s."
            )
        else:
            self.stdout.write(
                f"Shop '{shop}' already has {outcome.existing} orders (>= {orders}): added none."
            )
        self.stdout.write(
            f"Back office: /backoffice/  log in as {demo_data.OWNER_EMAIL} / "
            f"{demo_data.DEMO_PASSWORD}\n"
            f"Storefront:  /shop/{shop}/  customer {demo_data.DEMO_CUSTOMER_EMAIL} / "
            f"{demo_data.DEMO_PASSWORD}"
        )
