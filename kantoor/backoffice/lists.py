"""What every back-office index list (orders, invoices …) shares: the URL's search box, date
range and page cursor, the URL built back from a filter state, and reading a keyset page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.views import render_in_shop
from kantoor.core.keyset import InvalidCursor

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

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
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
            "start": date_format(start, "j M Y") if start else "",
            "end": date_format(end, "j M Y") if end else "",
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
