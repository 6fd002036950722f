"""On PostgreSQL, a GIN trigram index on the expression the Quotes list searches
(``kantoor.quotes.selectors.QUOTE_SEARCH_SQL``: number, first and last name, company, e-mail),
so ``ILIKE '%fragment%'`` reads no quote it does not find. SQLite scans, fine at its sizes."""

from django.db import migrations

SEARCH_EXPRESSION = (
    "(number || ' ' || first_name || ' ' || last_name || ' ' || company || ' ' || email)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS quote_search_trgm ON quotes_quote "
        f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS quote_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("quotes", "0002_message_quote_index")]

    operations = [migrations.RunPython(create, drop)]
