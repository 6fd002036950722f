"""The statistics of a customer on a day: what the top customers add up (docs/reports.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_search_trigram"),
        ("reports", "0002_exports"),
        ("shops", "0007_quote_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatisticsCustomerDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("orders", models.PositiveIntegerField(default=0)),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, default=0, max_digits=16),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
                (
                    "shop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="shops.shop",
                    ),
                ),
            ],
            options={
                "verbose_name": "statistics of a customer on a day",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("shop", "day", "customer"), name="statisticscustomerday_unique"
                    )
                ],
            },
        ),
    ]
