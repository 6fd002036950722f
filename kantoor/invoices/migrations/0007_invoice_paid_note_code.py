"""Invoice.paid_note_code and paid_note_values: how an invoice was settled as a code and its
values (rendered in the reader's language), payment columns like paid_note.

PostgreSQL: the trigger function of migration 0002 is replaced by one that lets the new payment
columns change too. SQLite: adding the columns rebuilds the table, which drops its triggers; they
are created again over the frozen columns as they are now (the new ones are not frozen).
"""

import importlib

from django.db import migrations, models

triggers = importlib.import_module("kantoor.invoices.migrations.0002_immutability_triggers")

BEFORE = triggers.PAYMENT_COLUMNS
AFTER = (*BEFORE, "paid_note_code", "paid_note_values")


def _postgres_function(columns) -> str:
    return f"""
CREATE OR REPLACE FUNCTION invoices_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{triggers.MESSAGE} (invoice % cannot be deleted)', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - ARRAY{list(columns)!r}::text[])
        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY{list(columns)!r}::text[]) THEN
        RAISE EXCEPTION '{triggers.MESSAGE} (only the payment state of invoice % may change)',
            OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _recreate(apps, schema_editor, columns):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_postgres_function(columns), params=None)
        return
    if vendor != "sqlite":
        return
    invoice = apps.get_model("invoices", "Invoice")
    frozen = [
        f.column
        for f in invoice._meta.concrete_fields
        if f.column not in columns and not f.primary_key
    ]
    for sql in triggers.SQLITE_DOWN:
        schema_editor.execute(sql, params=None)
    for sql in triggers._sqlite_up(frozen):
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    _recreate(apps, schema_editor, AFTER)


def backwards(apps, schema_editor):
    _recreate(apps, schema_editor, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0006_invoice_unsettled_order_index")]

    operations = [
        # Backwards: after the columns are removed (the table rebuilt again), the triggers of
        # before over the columns without them.
        migrations.RunPython(migrations.RunPython.noop, backwards),
        migrations.AddField(
            model_name="invoice",
            name="paid_note_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "None"),
                    ("paid_online", "Paid online"),
                    ("refunded_online", "Refunded online"),
                    ("bank_transfer", "Bank transfer"),
                ],
                db_default="",
                default="",
                max_length=20,
                verbose_name="payment note code",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="paid_note_values",
            field=models.JSONField(blank=True, default=dict, verbose_name="payment note values"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
