"""What every back-office index list (orders, invoices, payments; quotes and returns next) shares:
the view itself (ShopListView), the URL's search box, date range and page cursor, the URL built
back from a filter state, and reading a keyset page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import classonlymethod
from django.utils.formats import date_format
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_http_methods

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.views import render_in_shop
from kantoor.core.keyset import InvalidCursor
from kantoor.core.parsing import CalendarDateField
from kantoor.shops.modules import module_required

CURSOR_PARAMS = ("after", "before", "last")


def search_field(placeholder) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": placeholder,
                "autocomplete": "off",
                "class": "form-control",
            }
        ),
    )


class IndexListForm(forms.Form):
    """The date range and the page cursor of a list, read from the URL; invalid parts are
    reported and left out. Subclasses add the search box and their own filters."""

    date_from = CalendarDateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    date_to = CalendarDateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    after = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    last = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def valid_date_to(self):
        data = getattr(self, "cleaned_data", {})
        return data.get("date_to") if "date_to" not in self.errors else None

    def page_cursor(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {
            "after": data.get("after") or None,
            "before": data.get("before") or None,
            "last": bool(data.get("last")),
        }


def list_query(values: dict[str, Any], params: Iterable[str]) -> QueryDict:
    """URL parameters in a stable order, empty values left out (clean, bookmarkable URLs)."""
    query = QueryDict(mutable=True)
    for key in (*params, *CURSOR_PARAMS):
        value = values.get(key)
        if isinstance(value, list | tuple):
            if value:
                query.setlist(key, [str(v) for v in value])
        elif value:
            query[key] = str(value)
    return query


def list_back_url(url_name: str, *, shop_slug: str, query: str, params: Iterable[str]) -> str:
    """A list's URL with only that list's own ``params`` from ``query`` (a posted "back" value,
    e.g. after a bulk action): never a foreign URL, never another parameter."""
    given = QueryDict(query.lstrip("?"))
    kept = QueryDict(mutable=True)
    for key in params:
        values = [value for value in given.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    url = reverse(url_name, kwargs={"shop_slug": shop_slug})
    return f"{url}?{kept.urlencode()}" if kept else url


def render_list(request: HttpRequest, area: str, context: dict) -> HttpResponse:
    """A list page, or only its results part for an htmx request (filters, table, pages);
    ``area`` names both the menu entry and the template folder (``backoffice/<area>/``)."""
    context["form_errors"] = [e for errors in context["form"].errors.values() for e in errors]
    partial = request.htmx and not request.htmx.history_restore_request
    template = f"backoffice/{area}/{'list_results' if partial else 'list'}.html"
    response = render_in_shop(request, template, context, active=entry_by_key(area))
    patch_vary_headers(response, ["HX-Request"])
    return response


def read_page(fetch: Callable[..., Any], *, cursor: dict[str, Any]) -> tuple[Any, str]:
    """The page the cursor asks for; an edited or stale cursor gives the first page and says so."""
    try:
        return fetch(**cursor), ""
    except InvalidCursor:
        return fetch(), _gettext("That page link is no longer valid; here is the first page.")


@dataclass(frozen=True)
class ListLinks:
    """The links of one list page: its filter state (``filters`` has ``query``, ``date_from``
    and ``date_to``) as a URL with some parameters changed, for chips, tabs, sorting and pages.
    ``to_query(filters, **changes)`` is the list's own filter-to-URL function."""

    path: str
    filters: Any
    to_query: Callable[..., QueryDict]

    def href(self, **changes) -> str:
        query = self.to_query(self.filters, **changes).urlencode()
        return f"{self.path}?{query}" if query else self.path

    def search_chip(self) -> list[dict]:
        """The search as a removable chip (none without a search)."""
        if not self.filters.query:
            return []
        return [
            {
                "label": _gettext("Search: “%(q)s”") % {"q": self.filters.query},
                "href": self.href(q=""),
            }
        ]

    def value_chips(self, param: str, values, label: Callable[[Any], str]) -> list[dict]:
        """One removable chip per chosen value of a multi-value filter (``param`` in the URL)."""
        return [
            {"label": label(value), "href": self.href(**{param: [v for v in values if v != value]})}
            for value in values
        ]

    def date_chip(self) -> list[dict]:
        """The date range as a removable chip (none without dates)."""
        start, end = self.filters.date_from, self.filters.date_to
        if not (start or end):
            return []
        if start and end:
            label = _gettext("Date: %(start)s – %(end)s")
        elif start:
            label = _gettext("Date: from %(start)s")
        else:
            label = _gettext("Date: up to %(end)s")
        dates = {
            "start": date_format(start, "MEDIUM_DATE_FORMAT") if start else "",
            "end": date_format(end, "MEDIUM_DATE_FORMAT") if end else "",
        }
        return [{"label": label % dates, "href": self.href(date_from="", date_to="")}]

    def page_urls(self, page) -> dict:
        """First, previous, next and last page (None where there is none) and this page."""
        return {
            "first": self.href() if not page.is_first else None,
            "previous": self.href(before=page.previous_cursor) if page.previous_cursor else None,
            "next": self.href(after=page.next_cursor) if page.next_cursor else None,
            "last": self.href(last="1") if not page.is_last else None,
            "self": self.href(),
        }


class ShopListView(View):
    """One back-office index list of a shop: filters, search and page in the URL, a keyset page,
    a count, removable filter chips, the empty states, and the htmx results part.

    A list subclasses it and declares (class attributes):

    ``area``
        The menu entry and the template folder: ``backoffice/<area>/list.html`` is the page,
        ``backoffice/<area>/list_results.html`` the part htmx swaps (it extends
        ``backoffice/_list_results.html``, see there for its blocks). Also ``page.<area>`` is
        where the selector's page keeps its rows (else override ``rows``).
    ``element_prefix``
        The start of the element ids in the template: ``<prefix>-list``, ``<prefix>-search``,
        ``<prefix>-spinner``, ``<prefix>-count`` … (``order``, ``invoice``, ``payment``).
    ``form_class``
        An ``IndexListForm`` subclass whose ``filters()`` gives the selector's filters.
    ``to_query``
        ``staticmethod(filter_query)``: a filter state (and changes) as URL parameters.
    ``model``
        The listed model, to tell "nothing matches" from "nothing yet" (one ``exists()``,
        asked only when a filtered page is empty).
    ``http_methods``
        The methods it answers (default GET; any other gets 405 before the log-in check);
        ``None`` answers every method with the list.
    ``module``
        The module the list belongs to, if the shop can switch it off (then a 404).
    ``pager_placeholders``
        True to show the First/Previous/Next/Last buttons that lead nowhere as disabled
        buttons instead of leaving them out.

    and overrides (methods; ``self.request`` and ``self.shop`` are set, and from
    ``get_page`` on also ``self.form``):

    ``get_page(filters, **cursor)``
        Required: the selector call for one keyset page (``cursor``: after / before / last).
    ``get_count(filters)``
        Required: the count under the table, as the template's ``count``: ``value``,
        ``exact`` (False when capped) and ``estimate`` (the planner's guess, or None).
    ``has_filters(filters)``
        Whether anything narrows the list (then an empty page asks whether the shop has any
        at all); default the search and the dates, extend it with the list's own filters.
    ``rows(page)``
        The rows of the selector's page (default ``page.<area>``).
    ``get_form_kwargs()``
        Keyword arguments for the form besides the URL's parameters (default none).
    ``get_chips(links)``
        The active filters as removable chips (``ListLinks`` builds them; default: the
        search and the dates).
    ``get_extra_context(links)``
        Whatever else the list's template needs: tabs, sortable columns, the choices of a
        bulk action …

    Membership and shop come from ``shop_staff_required`` (404 for a shop the user is no member
    of), the parsing from the form (what is wrong with the URL is reported and left out), an
    edited or stale page link gives the first page and says so (``read_page``). A bulk action
    is a POST view of its own beside the list (the order list's ``order_bulk_status``): the list
    passes its choices and ``list_query`` (the way back) in ``get_extra_context``, its template
    puts the form around the table, and ``list_back_url`` reads the way back safely.

    The template gets ``form``, ``filters``, ``page``, ``rows``, ``count``, ``page_error``,
    ``form_errors``, ``has_filters``, ``shop_has_rows``, ``chips``, ``urls`` (the pages),
    ``list_area``, ``list_prefix`` and ``pager_placeholders``, and the extra context on top.
    """

    area: ClassVar[str]
    element_prefix: ClassVar[str]
    form_class: ClassVar[type[IndexListForm]]
    to_query: ClassVar[Callable[..., QueryDict]]
    model: ClassVar[type[models.Model]]
    http_methods: ClassVar[tuple[str, ...] | None] = ("GET",)
    pager_placeholders: ClassVar[bool] = False
    module: ClassVar[str] = ""
    # The Export page's kind of the list's rows: the list links to it with its filter.
    export_kind: ClassVar[str] = ""

    @classonlymethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        if cls.module:  # a module the shop can switch off: then the list is a 404
            view = module_required(cls.module)(view)
        view = shop_staff_required(view)
        if cls.http_methods is None:
            return view
        return require_http_methods(list(cls.http_methods))(view)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The methods are checked in as_view; every one let through shows the list.
        return self.get(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.shop = request.shop
        form = self.form_class(request.GET, **self.get_form_kwargs())
        form.is_valid()
        self.form = form
        filters = form.filters()
        page, page_error = read_page(
            lambda **cursor: self.get_page(filters, **cursor), cursor=form.page_cursor()
        )
        count = self.get_count(filters)
        has_filters = self.has_filters(filters)
        rows = self.rows(page)
        shop_has_rows = bool(rows) or (
            has_filters and self.model.objects.filter(shop=self.shop).exists()
        )
        links = ListLinks(request.path, filters, self.to_query)
        context = {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "count": count,
            "page_error": page_error,
            "has_filters": has_filters,
            "shop_has_rows": shop_has_rows,
            "chips": self.get_chips(links),
            "urls": links.page_urls(page),
            "list_area": self.area,
            "list_prefix": self.element_prefix,
            "pager_placeholders": self.pager_placeholders,
            "export_url": self.export_url(filters),
            **self.get_extra_context(links),
        }
        return render_list(request, self.area, context)

    def export_url(self, filters) -> str:
        """The Export page for these rows, with the list's filter (none without a kind)."""
        if not self.export_kind:
            return ""
        url = reverse("backoffice:export", kwargs={"shop_slug": self.shop.slug})
        query = self.to_query(filters)
        query["kind"] = self.export_kind
        return f"{url}?{query.urlencode()}"

    # --- Hooks ----------------------------------------------------------------------------

    def get_form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_page(self, filters, **cursor):
        raise NotImplementedError(f"{type(self).__name__} reads no page")

    def get_count(self, filters):
        raise NotImplementedError(f"{type(self).__name__} counts nothing")

    def has_filters(self, filters) -> bool:
        return bool(filters.query or filters.date_from or filters.date_to)

    def rows(self, page) -> list:
        return getattr(page, self.area)

    def get_chips(self, links: ListLinks) -> list[dict]:
        return links.search_chip() + links.date_chip()

    def get_extra_context(self, links: ListLinks) -> dict[str, Any]:
        return {}
