"""Trigram indexes for the back office's customer search (PostgreSQL only).

The search matches fragments of name, e-mail address and company with a case-insensitive
LIKE (``UPPER(col) LIKE UPPER('%word%')``); GIN trigram indexes on the same expressions let
PostgreSQL answer that without reading every customer. SQLite has no such index; there the
search scans the shop's customers, which is fine at SQLite sizes.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "company")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm ON customers_customer "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
