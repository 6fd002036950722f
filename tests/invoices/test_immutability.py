"""An issued invoice never changes: the database itself rejects it (SQLite and PostgreSQL).

These tests go around the service layer on purpose (queryset.update, raw SQL), as a bug or a
careless script would.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from kantoor.invoices.models import Invoice, InvoiceLine

FROZEN_UPDATES = [
    ("number", "INV-FAKE"),
    ("total_gross", Decimal("1.00")),
    ("total_net", Decimal("1.00")),
    ("total_vat", Decimal("0.00")),
    ("issued_on", datetime.date(2020, 1, 1)),
    ("customer_name", "Someone Else"),
    ("customer_vat_number", "NL000000000B01"),
    ("supplier_iban", "NL00BANK0000000000"),
    ("kind", "credit"),
    ("vat_breakdown", []),
    ("delivery_date", datetime.date(2020, 1, 1)),
    ("vat_reverse_charged", True),  # added by migration 0004 (SQLite triggers recreated)
]


@pytest.fixture
def invoice(shop, products, make_order):
    order = make_order(shop, products[:2], quantities=[2, 1])
    return Invoice.objects.get(order=order)


def _rejected(statement):
    with pytest.raises(DatabaseError) as info, transaction.atomic():
        statement()
    return str(info.value)


@pytest.mark.parametrize(("column", "value"), FROZEN_UPDATES)
def test_the_database_rejects_an_update_of_a_frozen_column(invoice, column, value):
    message = _rejected(lambda: Invoice.objects.filter(pk=invoice.pk).update(**{column: value}))
    assert "never changes" in message
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert getattr(fresh, column) == getattr(invoice, column)


def test_raw_sql_cannot_change_the_amount_either(invoice):
    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE invoices_invoice SET total_gross = total_gross + 1 WHERE id = %s",
                [invoice.pk],
            )

    assert "never changes" in _rejected(raw)


def test_the_payment_state_may_change(invoice):
    updated = Invoice.objects.filter(pk=invoice.pk).update(
        state="paid",
        paid_on=datetime.date(2026, 1, 2),
        paid_note="bank",
        amount_paid=invoice.total_gross,
    )
    assert updated == 1
    assert Invoice.objects.get(pk=invoice.pk).state == "paid"


def test_the_database_rejects_deleting_an_invoice(invoice):
    # The ORM refuses first (its lines protect it) ...
    _rejected(lambda: Invoice.objects.filter(pk=invoice.pk).delete())
    # ... and the database when the ORM is bypassed.

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM invoices_invoice WHERE id = %s", [invoice.pk])

    assert "never changes" in _rejected(raw)
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_database_rejects_changing_or_deleting_an_invoice_line(invoice):
    line = InvoiceLine.objects.filter(invoice=invoice).first()
    assert "never changes" in _rejected(
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(quantity=99)
    )
    assert "never changes" in _rejected(
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(description="Something else")
    )
    assert "never changes" in _rejected(lambda: InvoiceLine.objects.filter(pk=line.pk).delete())
    assert InvoiceLine.objects.get(pk=line.pk).quantity == line.quantity


def test_the_models_refuse_before_the_database_does(invoice):
    invoice.total_gross = Decimal("1.00")
    with pytest.raises(ValidationError):
        invoice.save()
    with pytest.raises(ValidationError):
        invoice.save(update_fields=["total_gross", "state"])
    with pytest.raises(ValidationError):
        invoice.delete()
    line = invoice.lines.first()
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()


def test_an_order_with_an_invoice_cannot_be_deleted(invoice):
    with pytest.raises(DatabaseError), transaction.atomic():  # ProtectedError is one
        invoice.order.delete()
    assert Invoice.objects.filter(pk=invoice.pk).exists()
