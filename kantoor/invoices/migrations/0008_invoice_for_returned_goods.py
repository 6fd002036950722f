"""Invoice.for_returned_goods (a return's credit invoice: it lowers what is owed and corrects
nothing of the order), frozen like every column but the payment state.

PostgreSQL: the trigger function compares the whole row minus the payment columns, so the new
column is frozen without a change. SQLite: adding a column rebuilds the table, which drops its
triggers; they are created again over the frozen columns as they are now (as in 0007).
"""

import importlib

from django.db import migrations, models

paid_note = importlib.import_module("kantoor.invoices.migrations.0007_invoice_paid_note_code")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        paid_note._recreate(apps, schema_editor, paid_note.AFTER)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0007_invoice_paid_note_code")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers),
        migrations.AddField(
            model_name="invoice",
            name="for_returned_goods",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="for returned goods"
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
