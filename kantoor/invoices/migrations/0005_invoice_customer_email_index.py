"""The invoice list's search for a whole e-mail address: that customer's invoices by the
(shop, customer_email) index in the list's sort order, instead of a trigram bitmap of every
invoice of that customer (see docs/performance.md, "Invoice list")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0004_invoice_vat_reverse_charged")]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["shop", "customer_email", "-issued_on", "-id"],
                name="invoice_shop_email_issued_id",
            ),
        ),
    ]
