"""Invoice.vat_reverse_charged (EU B2B reverse charge, copied from the order), frozen like every
column but the payment state.

PostgreSQL: the trigger of migration 0002 compares the whole row minus the payment columns, so
the new column is frozen without a change. SQLite: adding a column with a default rebuilds the
table, which drops its triggers; they are created again over the columns as they are now (the
new one included).
"""

import importlib

from django.db import migrations, models

triggers = importlib.import_module("kantoor.invoices.migrations.0002_immutability_triggers")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    invoice = apps.get_model("invoices", "Invoice")
    frozen = [
        f.column
        for f in invoice._meta.concrete_fields
        if f.column not in triggers.PAYMENT_COLUMNS and not f.primary_key
    ]
    for sql in triggers.SQLITE_DOWN:
        schema_editor.execute(sql, params=None)
    for sql in triggers._sqlite_up(frozen):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_invoice_search_trigram")]

    operations = [
        # Backwards: after the column is removed (the table rebuilt again), the same triggers
        # over the columns without it.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers),
        migrations.AddField(
            model_name="invoice",
            name="vat_reverse_charged",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="VAT reverse charged"
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
