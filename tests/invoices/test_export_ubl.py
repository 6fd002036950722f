"""manage.py export_ubl: one <invoice number>.xml per invoice of the shop, credit notes included."""

import datetime
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from kantoor.invoices.services import credit_invoice
from kantoor.shops.models import Shop

SHOP_DETAILS = {
    "legal_name": "Fietsen Jansen B.V.",
    "street": "Kerkstraat 12",
    "postcode": "3511 AB",
    "city": "Utrecht",
    "vat_number": "NL123456789B01",
    "kvk_number": "12345678",
    "iban": "NL91ABNA0417164300",
    "email": "info@fietsen.test",
}


def export(*args):
    out = StringIO()
    call_command("export_ubl", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def invoices(shop, other_shop, products, owner, make_order, make_product):
    Shop.objects.filter(pk=shop.pk).update(**SHOP_DETAILS)
    shop.refresh_from_db()
    first = make_order(shop, products, quantities=[2, 1, 1])
    make_order(shop, products[:1], email="piet@example.test")
    credit_invoice(shop=shop, invoice=Invoice.objects.get(order=first), actor=Actor.staff(owner))
    other = make_product(other_shop, sku="X-1", name="Ander", price="5.00")
    make_order(other_shop, [other])
    return list(Invoice.objects.filter(shop=shop).order_by("pk"))


def test_writes_one_file_per_invoice_named_by_number(invoices, tmp_path):
    output = export("--shop", "fietsen", "--out", str(tmp_path / "ubl"))
    files = sorted(path.name for path in (tmp_path / "ubl").iterdir())
    assert files == sorted(f"{invoice.number}.xml" for invoice in invoices)
    assert len(files) == 3  # two debit invoices and a credit note; not the other shop's
    assert "Wrote 3 invoices (credit notes: 1)" in output
    roots = {
        path.stem: etree.parse(str(path)).getroot().tag.split("}")[1]
        for path in (tmp_path / "ubl").iterdir()
    }
    credit = next(invoice for invoice in invoices if invoice.is_credit)
    assert roots[credit.number] == "CreditNote"
    assert sorted(roots.values()) == ["CreditNote", "Invoice", "Invoice"]


def test_the_files_pass_the_validator(invoices, tmp_path, validate):
    export("--shop", "fietsen", "--out", str(tmp_path))
    for path in tmp_path.iterdir():
        assert validate(path.read_bytes(), "peppol") == [], path.name


def test_date_range(invoices, tmp_path):
    today = invoices[0].issued_on
    day = datetime.timedelta(days=1)
    export("--shop", "fietsen", "--out", str(tmp_path / "before"), "--to", str(today - day))
    assert list((tmp_path / "before").iterdir()) == []
    export("--shop", "fietsen", "--out", str(tmp_path / "after"), "--from", str(today + day))
    assert list((tmp_path / "after").iterdir()) == []
    export(
        "--shop",
        "fietsen",
        "--out",
        str(tmp_path / "day"),
        "--from",
        str(today),
        "--to",
        str(today),
    )
    assert len(list((tmp_path / "day").iterdir())) == 3


def test_nlcius_falls_back_to_peppol_for_consumers(invoices, tmp_path):
    output = export("--shop", "fietsen", "--out", str(tmp_path), "--profile", "nlcius")
    assert "Written as Peppol BIS 3" in output
    assert len(list(tmp_path.iterdir())) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shop", "nope"], "There is no shop 'nope'"),
        (["--shop", "fietsen", "--from", "31-01-2026"], "--from must be a date"),
        (["--shop", "fietsen", "--from", "2026-02-01", "--to", "2026-01-01"], "after --to"),
    ],
)
def test_bad_input_is_a_clear_error(shop, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args, "--out", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_no_invoices_writes_nothing(shop, tmp_path):
    assert "Wrote 0 invoices" in export("--shop", "fietsen", "--out", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_zip_of_the_periods_invoices(invoices, tmp_path):
    """One zip for bookkeeping software that imports a batch of UBL files."""
    target = tmp_path / "ubl.zip"
    output = export("--shop", "fietsen", "--zip", str(target))
    assert "Wrote 3 invoices (credit notes: 1)" in output
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{invoice.number}.xml" for invoice in invoices)
        for name in names:
            etree.fromstring(archive.read(name))  # whole XML documents
    export("--shop", "fietsen", "--zip", str(target), "--from", "2000-01-01", "--to", "2000-12-31")
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == []  # replaced: nothing in that year


def test_a_zip_needs_a_folder_that_exists_and_one_target(invoices, tmp_path):
    with pytest.raises(CommandError, match="no folder"):
        export("--shop", "fietsen", "--zip", str(tmp_path / "missing" / "ubl.zip"))
    with pytest.raises(CommandError):
        export("--shop", "fietsen", "--zip", str(tmp_path / "a.zip"), "--out", str(tmp_path))
