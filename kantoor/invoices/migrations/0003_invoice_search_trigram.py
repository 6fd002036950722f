"""Indexes for the back-office invoice list at a million invoices (docs/performance.md).

The search box matches a fragment anywhere in the invoice's own copy of its number, the order
number and the customer's name, e-mail address and company
(``kantoor.invoices.list_selectors.INVOICE_SEARCH_SQL``); on PostgreSQL a GIN trigram index on
exactly that expression answers ``ILIKE '%fragment%'`` without reading every invoice. SQLite has
no such index: there the search scans the shop's invoices, which is fine at SQLite sizes.

The payment-state filter gets a B-tree index in the list's sort order (ending in the primary key,
for keyset pages), as the order list's status filter has; a whole order number typed in the box
is looked up by ``(shop, order_number)`` (the invoice number has its unique index already).
"""

from django.db import migrations, models

SEARCH_EXPRESSION = (
    "(number || ' ' || order_number || ' ' || customer_name || ' ' || customer_email"
    " || ' ' || customer_company)"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS invoice_search_trgm ON invoices_invoice "
        f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)"
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS invoice_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0002_immutability_triggers")]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["shop", "state", "-issued_on", "-id"], name="invoice_shop_state_issued_id"
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["shop", "order_number"], name="invoice_shop_order_number"),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
