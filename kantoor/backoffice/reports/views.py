"""The VAT return summary (btw-aangifte) with its boxes, the invoices behind each box, the ICP
listing, and their CSV and PDF downloads. Thin: read the period, call a reports selector, render.
A period that is not one gets the page with the form's message and status 400."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.reports.forms import VatPeriodForm
from kantoor.backoffice.views import render_in_shop
from kantoor.core.keyset import InvalidCursor
from kantoor.invoices.documents.pdf import download_response, safe_file_name
from kantoor.reports.documents import boxes_csv, icp_csv, vat_return_pdf
from kantoor.reports.errors import UnknownBox
from kantoor.reports.selectors import (
    BOX_DEFINITIONS,
    box_invoices,
    check_box,
    icp_listing,
    vat_return,
)
from kantoor.reports.services import refresh_statistics

CSV_TYPE = "text/csv; charset=utf-8"


def _page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    response = render_in_shop(request, template, context, active=entry_by_key("statistics"))
    response.status_code = status
    return response


def _refused(request, form: VatPeriodForm) -> HttpResponse:
    return _page(request, "backoffice/reports/vat_return.html", {"form": form}, status=400)


def _urls(shop, form: VatPeriodForm) -> dict[str, str]:
    query = "?" + urlencode(form.query())
    kwargs = {"shop_slug": shop.slug}
    return {
        "query": query,
        "page": reverse("backoffice:vat_return", kwargs=kwargs) + query,
        "csv": reverse("backoffice:vat_return_csv", kwargs=kwargs) + query,
        "icp_csv": reverse("backoffice:vat_return_icp_csv", kwargs=kwargs) + query,
        "pdf": reverse("backoffice:vat_return_pdf", kwargs=kwargs) + query,
    }


@require_GET
@shop_staff_required
def vat_return_page(request: HttpRequest, shop_slug: str) -> HttpResponse:
    form = VatPeriodForm.from_query(request.GET)
    period = form.vat_period()
    if period is None:
        return _refused(request, form)
    refresh_statistics(shop=request.shop)
    summary = vat_return(shop=request.shop, period=period)
    return _page(
        request,
        "backoffice/reports/vat_return.html",
        {
            "form": form,
            "summary": summary,
            "icp": icp_listing(shop=request.shop, period=period),
            "urls": _urls(request.shop, form),
        },
    )


@require_GET
@shop_staff_required
def vat_return_box(request: HttpRequest, shop_slug: str, box: str) -> HttpResponse:
    try:
        check_box(box)
    except UnknownBox as error:
        raise Http404(error.message) from error
    form = VatPeriodForm.from_query(request.GET)
    period = form.vat_period()
    if period is None:
        return _refused(request, form)
    refresh_statistics(shop=request.shop)
    try:
        page = box_invoices(
            shop=request.shop, period=period, box=box, after=request.GET.get("after") or None
        )
    except InvalidCursor:
        page = box_invoices(shop=request.shop, period=period, box=box)
    definition = next(item for item in BOX_DEFINITIONS if item.code == box)
    return _page(
        request,
        "backoffice/reports/vat_return_box.html",
        {
            "form": form,
            "period": period,
            "box": definition,
            "page": page,
            "summary_box": vat_return(shop=request.shop, period=period).box(box),
            "urls": _urls(request.shop, form),
        },
    )


def _download(request, render, name: str, extension: str, content_type: str) -> HttpResponse:
    form = VatPeriodForm.from_query(request.GET)
    period = form.vat_period()
    if period is None:
        return _refused(request, form)
    refresh_statistics(shop=request.shop)
    content = render(period)
    data = content.encode("utf-8") if isinstance(content, str) else content
    return download_response(
        data,
        content_type=content_type,
        filename=safe_file_name(f"{name}-{request.shop.slug}-{period.slug}") + extension,
    )


@require_GET
@shop_staff_required
def vat_return_boxes_csv(request: HttpRequest, shop_slug: str) -> HttpResponse:
    def render(period):
        return boxes_csv(vat_return(shop=request.shop, period=period))

    return _download(request, render, "vat-return", ".csv", CSV_TYPE)


@require_GET
@shop_staff_required
def vat_return_icp_csv(request: HttpRequest, shop_slug: str) -> HttpResponse:
    def render(period):
        return icp_csv(icp_listing(shop=request.shop, period=period))

    return _download(request, render, "icp", ".csv", CSV_TYPE)


@require_GET
@shop_staff_required
def vat_return_pdf_download(request: HttpRequest, shop_slug: str) -> HttpResponse:
    def render(period):
        shop = request.shop
        return vat_return_pdf(
            shop=shop,
            summary=vat_return(shop=shop, period=period),
            icp=icp_listing(shop=shop, period=period),
        )

    return _download(request, render, "vat-return", ".pdf", "application/pdf")
