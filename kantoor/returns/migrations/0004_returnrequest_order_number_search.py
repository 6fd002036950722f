"""ReturnRequest.order_number (a copy of its order's number) and, on PostgreSQL, a GIN trigram
index on the expression the Returns list searches (``kantoor.returns.selectors.RETURN_SEARCH_SQL``:
return number, order number, customer name and e-mail), so ``ILIKE '%fragment%'`` reads no
return it does not find. SQLite has no such index and scans, which is fine at its sizes."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

SEARCH_EXPRESSION = "(number || ' ' || order_number || ' ' || customer_name || ' ' || email)"


def copy_order_numbers(apps, schema_editor):
    request = apps.get_model("returns", "ReturnRequest")
    order = apps.get_model("orders", "Order")
    request.objects.update(
        order_number=Subquery(order.objects.filter(pk=OuterRef("order_id")).values("number")[:1])
    )


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS return_search_trgm ON returns_returnrequest "
        f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)"
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS return_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_return_email_index"), ("orders", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="returnrequest",
            name="order_number",
            field=models.CharField(default="", max_length=40, verbose_name="order number"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_order_numbers, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
