"""Database triggers: an issued invoice never changes (kantoor.invoices.guard explains).

PostgreSQL: one PL/pgSQL function per table. An UPDATE of an invoice may change only the payment
columns (the row minus those columns must stay the same, whatever columns are added later); an
UPDATE of an invoice line and a DELETE of either are always rejected.
SQLite: the same rules as triggers over the columns as they are in this migration (a migration
that adds a frozen column recreates the update trigger).
"""

from django.db import migrations

PAYMENT_COLUMNS = ("state", "paid_on", "paid_note", "amount_paid")
MESSAGE = "An issued invoice never changes; issue a correction instead."

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION invoices_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{MESSAGE} (invoice %% cannot be deleted)', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - ARRAY{list(PAYMENT_COLUMNS)!r}::text[])
        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY{list(PAYMENT_COLUMNS)!r}::text[]) THEN
        RAISE EXCEPTION '{MESSAGE} (only the payment state of invoice %% may change)', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_invoice_frozen BEFORE UPDATE OR DELETE ON invoices_invoice
    FOR EACH ROW EXECUTE FUNCTION invoices_invoice_frozen();

CREATE OR REPLACE FUNCTION invoices_invoiceline_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (invoice lines cannot be changed or deleted)'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_invoiceline_frozen BEFORE UPDATE OR DELETE ON invoices_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoices_invoiceline_frozen();
""".replace("%%", "%")

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS invoices_invoice_frozen ON invoices_invoice;
DROP FUNCTION IF EXISTS invoices_invoice_frozen();
DROP TRIGGER IF EXISTS invoices_invoiceline_frozen ON invoices_invoiceline;
DROP FUNCTION IF EXISTS invoices_invoiceline_frozen();
"""

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS invoices_invoice_frozen_update",
    "DROP TRIGGER IF EXISTS invoices_invoice_frozen_delete",
    "DROP TRIGGER IF EXISTS invoices_invoiceline_frozen_update",
    "DROP TRIGGER IF EXISTS invoices_invoiceline_frozen_delete",
]


def _sqlite_up(frozen_columns: list[str]) -> list[str]:
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in frozen_columns)
    return [
        f"""CREATE TRIGGER invoices_invoice_frozen_update BEFORE UPDATE ON invoices_invoice
        WHEN kantoor_invoices_frozen() AND ({changed})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (only the payment state may change)'); END""",
        f"""CREATE TRIGGER invoices_invoice_frozen_delete BEFORE DELETE ON invoices_invoice
        WHEN kantoor_invoices_frozen()
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (an invoice cannot be deleted)'); END""",
        f"""CREATE TRIGGER invoices_invoiceline_frozen_update BEFORE UPDATE ON invoices_invoiceline
        WHEN kantoor_invoices_frozen()
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (invoice lines cannot be changed)'); END""",
        f"""CREATE TRIGGER invoices_invoiceline_frozen_delete BEFORE DELETE ON invoices_invoiceline
        WHEN kantoor_invoices_frozen()
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (invoice lines cannot be deleted)'); END""",
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        invoice = apps.get_model("invoices", "Invoice")
        frozen = [
            f.column
            for f in invoice._meta.concrete_fields
            if f.column not in PAYMENT_COLUMNS and not f.primary_key
        ]
        for sql in _sqlite_up(frozen):
            schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
