"""Forms of the Payments page: its filters, read from the URL."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.lists import IndexListForm, list_query, search_field
from kantoor.payments.models import PaymentState, Provider
from kantoor.payments.selectors import PaymentFilters

FILTER_PARAMS = ("q", "state", "provider", "date_from", "date_to")


class PaymentListForm(IndexListForm):
    """What the list shows, read from the URL. Invalid parts are reported and left out."""

    q = search_field(_("Invoice or order number, or the provider's reference"))
    state = forms.MultipleChoiceField(
        label=_("State"),
        choices=PaymentState.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provider = forms.MultipleChoiceField(
        label=_("Paid through"),
        choices=Provider.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def filters(self) -> PaymentFilters:
        data = getattr(self, "cleaned_data", {})
        return PaymentFilters(
            states=tuple(data.get("state") or ()),
            providers=tuple(data.get("provider") or ()),
            date_from=data.get("date_from"),
            date_to=self.valid_date_to(),
            query=data.get("q") or "",
        )


def filter_query(filters: PaymentFilters, **changes) -> QueryDict:
    """The URL parameters of a filter state, empty ones left out (clean, bookmarkable URLs)."""
    values = {
        "q": filters.query,
        "state": list(filters.states),
        "provider": list(filters.providers),
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    values.update(changes)
    return list_query(values, FILTER_PARAMS)
