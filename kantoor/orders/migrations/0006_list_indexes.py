"""Indexes for the back-office order list (issue 3): one per filter + sort order, and a trigram
index for the search box.

B-tree indexes end in the primary key so keyset pagination on (sort value, id) reads only the
rows of one page. The search matches a fragment anywhere in the order's own copy of number,
e-mail, names, company and postcodes (``kantoor.invoices.order_list.ORDER_SEARCH_SQL``); on
PostgreSQL a GIN trigram index on exactly that expression answers ``ILIKE '%fragment%'``
without reading every order. SQLite has no such index: there the search scans the shop's orders,
which is fine at SQLite sizes.
"""

from django.db import migrations, models

SEARCH_EXPRESSION = (
    "(number || ' ' || email || ' ' || first_name || ' ' || last_name || ' ' || company"
    " || ' ' || billing_postcode || ' ' || delivery_postcode)"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS order_search_trgm ON orders_order "
        f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)"
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS order_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_orderevent_kind_edited")]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_shop_created"),
        migrations.RemoveIndex(model_name="order", name="order_shop_status_created"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["shop", "-created_at", "-id"], name="order_shop_created_id"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["shop", "status", "-created_at", "-id"],
                name="order_shop_status_created_id",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["shop", "total_gross", "id"], name="order_shop_total_id"),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
