"""An index for the Statistics page's open receivables at a million invoices (docs/performance.md).

``kantoor.reports.statistics.receivables_ageing`` counts and adds up a shop's unpaid debit
invoices per range of invoice dates in one query. On PostgreSQL a partial index of exactly
those invoices by (shop, invoice date), carrying the two amounts it adds up, answers it with an
index-only scan instead of reading every open invoice's row. SQLite has no covering indexes:
there the query reads the invoices, which is fine at SQLite sizes.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS invoice_open_receivables ON invoices_invoice"
        " (shop_id, issued_on) INCLUDE (total_gross, amount_paid)"
        " WHERE kind = 'debit' AND state = 'unpaid'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS invoice_open_receivables")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0010_invoice_reverse_charged_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
