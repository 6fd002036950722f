"""An index for a quote's Sent messages tab on PostgreSQL: the e-mails about one quote are found
by the quote id in their details, not by reading every message about no order. Quotes own the
query (kantoor.quotes.selectors.quote_messages), so the index is theirs; SQLite needs none."""

from django.db import migrations

INDEX = "message_quote_id"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON messaging_message "
        "((data -> 'quote_id'), created_at DESC) WHERE order_id IS NULL"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0001_initial"),
        ("messaging", "0003_quote_message_kinds"),
    ]

    operations = [migrations.RunPython(create, drop)]
