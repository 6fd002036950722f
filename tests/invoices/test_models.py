"""The invoice models: constraints, the numbering collision check, the read-only admin."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.selectors import numbers_in_use
from kantoor.shops.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def invoice(shop, products, make_order):
    return Invoice.objects.get(order=make_order(shop, products[:1]))


def test_numbers_are_unique_per_shop(shop, invoice):
    copy = Invoice.objects.get(pk=invoice.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)


def test_a_debit_invoice_cannot_be_negative_nor_a_credit_positive(invoice):
    copy = Invoice.objects.get(pk=invoice.pk)
    copy.pk = None
    copy.number = "INV-OTHER"
    copy.total_gross = Decimal("-1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)
    copy.kind = InvoiceKind.CREDIT
    copy.total_gross = Decimal("1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)


def test_the_numbering_collision_check_sees_invoices(shop, other_shop, invoice):
    for kind in (DocumentKind.INVOICE, DocumentKind.CREDIT_INVOICE):
        assert numbers_in_use(shop=shop, kind=kind, numbers=[invoice.number, "X"]) == [
            invoice.number
        ]
        assert numbers_in_use(shop=other_shop, kind=kind, numbers=[invoice.number]) == []


def test_the_admin_shows_invoices_read_only(client, invoice):
    operator = User.objects.create_superuser("operator@example.test", PASSWORD)
    client.force_login(operator)
    assert client.get("/django-admin/invoices/invoice/").status_code == 200
    page = client.get(f"/django-admin/invoices/invoice/{invoice.pk}/change/")
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    assert client.get("/django-admin/invoices/invoice/add/").status_code == 403
    assert client.post(f"/django-admin/invoices/invoice/{invoice.pk}/delete/").status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
