"""Write one UBL 2.1 file per invoice of a shop: ``<invoice number>.xml`` (credit notes included),
into a folder or into one zip file (for bookkeeping software that imports a batch of UBL:
Moneybird, Snelstart, e-Boekhouden, or an accountant).

    python manage.py export_ubl --shop demo --out exports/ [--from 2026-01-01 --to 2026-03-31]
        [--profile peppol|nlcius]
    python manage.py export_ubl --shop demo --zip ubl-2026-q1.zip --from 2026-01-01 --to 2026-03-31

With ``--profile nlcius``, invoices NLCIUS cannot describe (Dutch consumers) are written as Peppol
BIS 3 and listed.
"""

from __future__ import annotations

import datetime
import zipfile
from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kantoor.invoices.documents.ubl import PROFILES, nlcius_applies, render_invoice_ubl
from kantoor.invoices.models import Invoice
from kantoor.invoices.selectors import invoice_document
from kantoor.shops.models import Shop


def _date(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date like 2026-01-31, not {value!r}.") from None


class Command(BaseCommand):
    help = "Write the UBL 2.1 XML of a shop's invoices and credit notes, one file per invoice."

    def add_arguments(self, parser):
        parser.add_argument("--shop", required=True, help="the shop's slug")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--out", help="folder to write to (made if missing)")
        target.add_argument("--zip", dest="zip_path", help="zip file to write (replaced)")
        parser.add_argument("--from", dest="start", help="first invoice date (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="last invoice date (YYYY-MM-DD)")
        parser.add_argument("--profile", choices=PROFILES, default="peppol")

    def handle(self, *args, shop, out, zip_path, start, end, profile, **options):
        try:
            shop = Shop.objects.get(slug=shop)
        except Shop.DoesNotExist:
            raise CommandError(f"There is no shop {shop!r}.") from None
        start, end = _date(start, "--from"), _date(end, "--to")
        if start and end and start > end:
            raise CommandError("--from is after --to.")
        target = Path(out or zip_path)
        if out:
            target.mkdir(parents=True, exist_ok=True)
        elif not target.parent.is_dir():
            raise CommandError(f"There is no folder {str(target.parent)!r} to write the zip in.")

        invoices = Invoice.objects.filter(shop=shop).order_by("issued_on", "id")
        if start:
            invoices = invoices.filter(issued_on__gte=start)
        if end:
            invoices = invoices.filter(issued_on__lte=end)
        written = credits = 0
        fallback = []
        with ExitStack() as stack:
            archive = None
            if zip_path:
                archive = stack.enter_context(
                    zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
                )
            for invoice in invoices.iterator(chunk_size=500):
                name = f"{invoice.number}.xml"
                if Path(name).name != name or name.startswith("."):
                    raise CommandError(
                        f"Invoice number {invoice.number!r} is not a safe file name."
                    )
                document = invoice_document(invoice=invoice)
                chosen = profile
                if profile == "nlcius" and not nlcius_applies(document):
                    chosen = "peppol"
                    fallback.append(invoice.number)
                xml = render_invoice_ubl(document, chosen)
                if archive is not None:
                    archive.writestr(name, xml)
                else:
                    (target / name).write_bytes(xml)
                written += 1
                credits += document.is_credit
        if fallback:
            self.stdout.write(
                "Written as Peppol BIS 3 (NLCIUS needs the KvK number of a Dutch customer): "
                + ", ".join(fallback)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {written} invoices (credit notes: {credits}) of {shop.slug} to {target}."
            )
        )
