"""The printable return slip: the shop, where to send the parcel, the return and order numbers,
the lines, and a Code 128 barcode of the return number (python-barcode draws it as SVG), so the
shop can scan the parcel in. One page of A4, rendered by WeasyPrint like the invoice PDFs."""

from __future__ import annotations

import base64
import re

import barcode
from barcode.writer import SVGWriter
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from kantoor.returns.models import ReturnRequest


def barcode_svg(text: str) -> bytes:
    """``text`` as a Code 128 barcode (SVG), without the human-readable line under it."""
    code = barcode.get("code128", text, writer=SVGWriter())
    return code.render({"module_height": 14, "module_width": 0.3, "font_size": 0, "quiet_zone": 4})


def return_slip_pdf(*, return_request: ReturnRequest, shop, language: str) -> bytes:
    """The slip of ``return_request`` (its lines prefetched), in ``language``."""
    from weasyprint import HTML  # noqa: PLC0415 (WeasyPrint is heavy: loaded on the first PDF)

    svg = base64.b64encode(barcode_svg(return_request.number)).decode("ascii")
    with translation.override(language):
        html = render_to_string(
            "returns/slip.html",
            {
                "return_request": return_request,
                "order": return_request.order,
                "shop": shop,
                "barcode": f"data:image/svg+xml;base64,{svg}",
                "lines": [
                    (line, line.reason.label_for(language), line.action.label_for(language))
                    for line in return_request.lines.all()
                ],
                "language": language,
            },
        )
    return HTML(string=html).write_pdf()


def slip_response(pdf: bytes, number: str) -> HttpResponse:
    """The slip as a download named after the return number."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", number)[:80]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="return-slip-{safe}.pdf"'
    return response
