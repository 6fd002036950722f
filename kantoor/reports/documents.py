"""The VAT return summary and the ICP listing as files for the accountant: CSV (Dutch Excel)
and a PDF (WeasyPrint, through the invoice PDF's ``write_pdf``)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kantoor.core.money import format_money
from kantoor.invoices.documents.pdf import write_pdf
from kantoor.reports.csv_files import csv_text
from kantoor.reports.selectors import IcpRow, VatReturn
from kantoor.shops.models import Shop


def boxes_csv(summary: VatReturn) -> str:
    """The boxes: turnover and VAT in cents and in the whole euros the return is filed in."""
    header = [
        _("Box"),
        _("Description"),
        _("Turnover excl. VAT"),
        _("VAT"),
        _("Turnover (whole euros)"),
        _("VAT (whole euros)"),
    ]
    rows = [
        [
            box.code,
            str(box.label),
            box.turnover,
            box.vat if box.has_vat else "",
            box.turnover_whole,
            box.vat_whole if box.has_vat else "",
        ]
        for box in summary.boxes
    ]
    rows.append(["5a", _("VAT due"), "", summary.vat_due, "", summary.vat_due_whole])
    rows.append(
        ["5b", _("Input VAT: not known to Kantoor, enter it from your purchase invoices"), "", ""]
    )
    return csv_text(header, rows)


def icp_csv(rows: list[IcpRow]) -> str:
    """The ICP listing: per customer VAT number, the supplies of goods (box 3b)."""
    header = [
        _("Country"),
        _("VAT number"),
        _("Supplies of goods"),
        _("Supplies of goods (whole euros)"),
    ]
    return csv_text(
        header, [[row.country, row.vat_number, row.amount, row.amount_whole] for row in rows]
    )


def vat_return_pdf(*, shop: Shop, summary: VatReturn, icp: list[IcpRow]) -> bytes:
    """A PDF of the summary and the ICP listing, in the current language."""
    currency = shop.currency

    def money(amount):
        return format_money(amount, currency)

    def whole(amount):
        return formats.number_format(amount, 0, use_l10n=True, force_grouping=True)

    boxes = [
        {
            "box": box,
            "turnover": money(box.turnover),
            "turnover_whole": whole(box.turnover_whole),
            "vat": money(box.vat) if box.has_vat else "",
            "vat_whole": whole(box.vat_whole) if box.has_vat else "",
        }
        for box in summary.boxes
    ]
    html = render_to_string(
        "reports/vat_return_pdf.html",
        {
            "shop": shop,
            "summary": summary,
            "boxes": boxes,
            "vat_due": money(summary.vat_due),
            "vat_due_whole": whole(summary.vat_due_whole),
            "icp": [
                {"row": row, "amount": money(row.amount), "amount_whole": whole(row.amount_whole)}
                for row in icp
            ],
            "made_at": timezone.localtime(),
        },
    )
    return write_pdf(html, identifier=f"vat-return:{shop.pk}:{summary.period.slug}:{html}")
