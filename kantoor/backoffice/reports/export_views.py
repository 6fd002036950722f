"""My orders > Export: choose what (orders, invoices … with the filter of their list), the
columns and the file; a small export downloads at once, a large one is made in the background
with a progress bar (htmx polls it) and stays downloadable for 7 days. Thin: the list's own
form reads the filter, kantoor.reports.exports checks, counts, streams and runs the jobs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.customers.views import SEARCH_MAX
from kantoor.backoffice.invoices.views import InvoiceListView
from kantoor.backoffice.lists import ListLinks
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.orders.list_views import OrderListView
from kantoor.backoffice.payments.views import PaymentListView
from kantoor.backoffice.quotes.views import QuoteListView
from kantoor.backoffice.reports.export_forms import ExportForm
from kantoor.backoffice.returns.views import ReturnListView
from kantoor.backoffice.views import (
    forget_pending_exports,
    remember_pending_export,
    render_in_shop,
)
from kantoor.reports.errors import InvalidExport
from kantoor.reports.exports.columns import EXPORT_KINDS, CustomerFilters, ProductFilters
from kantoor.reports.exports.models import ExportFormat
from kantoor.reports.exports.selectors import (
    count_export_rows,
    downloadable_export,
    export_job,
    recent_exports,
    remembered_choice,
)
from kantoor.reports.exports.services import (
    CONTENT_TYPES,
    DirectExport,
    ExportRequest,
    file_name,
    plan_export,
)
from kantoor.shops.selectors import workflow_settings_for

LIST_VIEWS = {
    "orders": OrderListView,
    "invoices": InvoiceListView,
    "payments": PaymentListView,
    "returns": ReturnListView,
    "quotes": QuoteListView,
}
LIST_URLS = {
    "orders": "backoffice:orders",
    "invoices": "backoffice:invoices",
    "payments": "backoffice:payments",
    "returns": "backoffice:returns",
    "quotes": "backoffice:quotes",
    "customers": "backoffice:customers",
}


class ListFilter:
    """The filter of the list an export kind comes from, read by that list's own form from
    ``data`` (the URL, or the export form's hidden fields): its errors, its chips, its query."""

    def __init__(self, request: HttpRequest, kind, data):
        self.kind = kind
        self.errors: list[str] = []
        self.chips: list[dict] = []
        self.query = ""
        self.hidden_fields: list[tuple[str, list[str]]] = []
        view_class = LIST_VIEWS.get(kind.list_name)
        if view_class is not None:
            view = view_class()
            view.request, view.shop = request, request.shop
            form = view.form_class(data, **view.get_form_kwargs())
            form.is_valid()
            view.form = form
            self.filters = form.filters()
            self.errors = [str(e) for errors in form.errors.values() for e in errors]
            list_url = reverse(LIST_URLS[kind.list_name], kwargs={"shop_slug": request.shop.slug})
            links = ListLinks(list_url, self.filters, view.to_query)
            self.chips = view.get_chips(links)
            self.query = view.to_query(self.filters).urlencode()
        elif kind.list_name == "customers":
            text = (data.get("q") or "").strip()[:SEARCH_MAX]
            self.filters = CustomerFilters(query=text)
            if text:
                self.chips = [{"label": _("Search: %(text)s") % {"text": text}}]
                self.query = urlencode({"q": text})
        else:
            self.filters = ProductFilters(for_sale=data.get("for_sale") == "1")
            if self.filters.for_sale:
                self.chips = [{"label": _("Only products for sale")}]
                self.query = "for_sale=1"

    def keep_in_form(self) -> None:
        """The filter as hidden fields of the export form (the same parameters as the list)."""
        self.hidden_fields = list(QueryDict(self.query).lists())

    def list_url(self, shop) -> str | None:
        name = LIST_URLS.get(self.kind.list_name)
        if name is None:
            return None
        url = reverse(name, kwargs={"shop_slug": shop.slug})
        return f"{url}?{self.query}" if self.query else url


def _kinds(shop) -> list:
    workflow = workflow_settings_for(shop=shop)
    return [
        kind
        for kind in EXPORT_KINDS.values()
        if not kind.module or workflow.module_enabled(kind.module)
    ]


def _chosen_kind(request, data):
    kinds = {kind.key: kind for kind in _kinds(request.shop)}
    return kinds, kinds.get(data.get("kind") or "orders")


def _kind_links(kinds, current, list_filter, shop) -> list[dict]:
    """Each kind's link; a kind of the same list (orders and order lines) keeps the filter."""
    url = reverse("backoffice:export", kwargs={"shop_slug": shop.slug})
    links = []
    for kind in kinds:
        href = f"{url}?kind={kind.key}"
        if current and list_filter and list_filter.query and kind.list_name == current.list_name:
            href += f"&{list_filter.query}"
        links.append({"kind": kind, "href": href})
    return links


def _page(request, kinds, kind, list_filter, form, *, status=200, rows=None) -> HttpResponse:
    shop = request.shop
    jobs = recent_exports(shop=shop, user=request.user)
    response = render_in_shop(
        request,
        "backoffice/reports/export.html",
        {
            "kinds": _kind_links(kinds.values(), kind, list_filter, shop),
            "kind": kind,
            "list_filter": list_filter,
            "list_url": list_filter.list_url(shop) if list_filter else None,
            "form": form,
            "rows": rows,
            "direct_rows": settings.EXPORTS_DIRECT_ROWS,
            "keep_days": settings.EXPORTS_KEEP_DAYS,
            "jobs": jobs,
            "export_url": reverse("backoffice:export", kwargs={"shop_slug": shop.slug}),
        },
        active=entry_by_key("export"),
    )
    response.status_code = status
    return response


def _initial(request, kind) -> dict:
    choice = remembered_choice(shop=request.shop, user=request.user, kind=kind.key)
    if choice is None:
        return {"columns": kind.default_columns, "format": ExportFormat.CSV, "separator": ";"}
    known = [key for key in choice.columns if kind.column(key) is not None]
    return {
        "columns": known or kind.default_columns,
        "format": choice.format,
        "separator": choice.options.get("separator", ";"),
    }


@shop_staff_required
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest, shop_slug: str) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    kinds, kind = _chosen_kind(request, data)
    if kind is None:
        messages.error(request, _("Choose one of the kinds of export listed."))
        return _page(request, kinds, None, None, None, status=400)
    list_filter = ListFilter(request, kind, data)
    list_filter.keep_in_form()
    rows = count_export_rows(shop=request.shop, kind=kind, filters=list_filter.filters)
    if request.method == "GET":
        form = ExportForm(kind=kind, initial=_initial(request, kind))
        status = 400 if list_filter.errors else 200
        return _page(request, kinds, kind, list_filter, form, status=status, rows=rows)
    form = ExportForm(request.POST, kind=kind)
    if list_filter.errors or not form.is_valid():
        return _page(request, kinds, kind, list_filter, form, status=400, rows=rows)
    export = ExportRequest(
        kind=kind.key,
        columns=tuple(form.cleaned_data["columns"]),
        format=form.cleaned_data["format"],
        separator=form.cleaned_data["separator"],
        filters=list_filter.filters,
    )
    try:
        result = plan_export(
            shop=request.shop,
            user=request.user,
            request=export,
            rows=rows,
            language=translation.get_language(),
        )
    except InvalidExport as error:
        form.add_error(None, error.message)
        return _page(request, kinds, kind, list_filter, form, status=400, rows=rows)
    if isinstance(result, DirectExport):
        response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    remember_pending_export(request, result.pk)
    messages.success(
        request,
        _(
            "Your export of %(rows)s rows is being made. You can leave this page: "
            "Kantoor tells you when it is ready."
        )
        % {"rows": formats.number_format(rows, force_grouping=True)},
    )
    url = reverse("backoffice:export", kwargs={"shop_slug": shop_slug})
    query = f"kind={kind.key}" + (f"&{list_filter.query}" if list_filter.query else "")
    return redirect(f"{url}?{query}#export-{result.pk}")


@shop_staff_required
@require_GET
def export_job_status(request: HttpRequest, shop_slug: str, job_id: int) -> HttpResponse:
    """One export's row of the list, for htmx to poll while it is being made."""
    job = export_job(shop=request.shop, job_id=job_id)
    if job is None or job.user_id != request.user.pk:
        raise Http404
    if not job.in_progress:  # seen here: no notice about it on the next page
        forget_pending_exports(request, [job.pk])
    return render(
        request, "backoffice/reports/_export_job.html", {"job": job, "shop": request.shop}
    )


@shop_staff_required
@require_GET
def export_download(request: HttpRequest, shop_slug: str, job_id: int) -> FileResponse:
    """The file of a finished export: this shop's staff only, and only until it expires."""
    job = downloadable_export(shop=request.shop, job_id=job_id)
    if job is None:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=file_name(request.shop, job.kind, job.format, job.created_at),
        content_type=CONTENT_TYPES[job.format],
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
