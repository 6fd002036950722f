"""Forms of the order list: its filters (from the URL) and the bulk status change."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.lists import IndexListForm, list_query, search_field
from kantoor.core.parsing import parse_id
from kantoor.core.statuses import OrderStatus
from kantoor.customers.models import Customer
from kantoor.invoices.order_list import DEFAULT_ORDER_SORT, ORDER_LIST_SORTS, OrderFilters

SORT_CHOICES = [
    ("-date", _("Newest first")),
    ("date", _("Oldest first")),
    ("-number", _("Number, high to low")),
    ("number", _("Number, low to high")),
    ("-total", _("Total, high to low")),
    ("total", _("Total, low to high")),
]
assert {key for key, _label in SORT_CHOICES} == set(ORDER_LIST_SORTS)

# The URL parameters that describe what the list shows (the page cursor comes on top).
FILTER_PARAMS = ("q", "status", "paid", "date_from", "date_to", "customer", "sort")
PAID_CHOICES = [("", _("All orders")), ("yes", _("Paid")), ("no", _("Not paid"))]
PAID_VALUES = {"yes": True, "no": False}
MAX_BULK_ORDERS = 200


class OrderListForm(IndexListForm):
    """What the list shows, read from the URL. Invalid parts are reported and left out."""

    q = search_field(_("Number, name, e-mail, company or postcode"))
    status = forms.TypedMultipleChoiceField(
        label=_("Status"),
        choices=OrderStatus.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    paid = forms.ChoiceField(
        label=_("Payment"),
        choices=PAID_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose paid or not paid.")},
    )
    customer = forms.IntegerField(
        label=_("Customer"), required=False, min_value=1, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, shop, status_labels: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shop = shop
        self.customer_obj: Customer | None = None
        if status_labels:  # the shop's own names for the statuses (workflow settings)
            self.fields["status"].choices = [(s.value, status_labels[s]) for s in OrderStatus]

    def clean_customer(self):
        customer_id = self.cleaned_data.get("customer")
        if customer_id is None:
            return None
        # Scoped to the shop: another shop's customer is "not found", like a made-up one.
        self.customer_obj = Customer.objects.filter(shop=self.shop, pk=customer_id).first()
        if self.customer_obj is None:
            raise forms.ValidationError(_("That customer was not found in this shop."))
        return customer_id

    def filters(self) -> OrderFilters:
        """The valid parts of the request as filters (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return OrderFilters(
            statuses=tuple(data.get("status") or ()),
            date_from=data.get("date_from"),
            date_to=self.valid_date_to(),
            customer_id=data.get("customer"),
            query=data.get("q") or "",
            sort=data.get("sort") or DEFAULT_ORDER_SORT,
            paid=PAID_VALUES.get(data.get("paid") or ""),
        )


def filter_query(filters: OrderFilters, **changes) -> QueryDict:
    """The URL parameters of a filter state, defaults left out (clean, bookmarkable URLs)."""
    values = {
        "q": filters.query,
        "status": [str(s) for s in filters.statuses],
        "paid": {True: "yes", False: "no"}.get(filters.paid, ""),
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
        "customer": str(filters.customer_id or ""),
        "sort": "" if filters.sort == DEFAULT_ORDER_SORT else filters.sort,
    }
    values.update(changes)
    if values["sort"] == DEFAULT_ORDER_SORT:
        values["sort"] = ""
    return list_query(values, FILTER_PARAMS)


class OrderIdsField(forms.Field):
    """The ids of the orders ticked in the list (several values of one parameter)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for item in value or []:
            order_id = parse_id(item)
            if order_id is None:
                raise forms.ValidationError(_("The selection contains an unknown order."))
            ids.append(order_id)
        return list(dict.fromkeys(ids))


class BulkStatusForm(forms.Form):
    """Move the selected orders to one status."""

    order = OrderIdsField(error_messages={"required": _("Select at least one order.")})
    status = forms.TypedChoiceField(
        label=_("New status"),
        coerce=int,
        choices=[("", _("Choose a status"))]
        + [(s.value, s.label) for s in OrderStatus if s != OrderStatus.NEW],
        error_messages={"required": _("Choose the status to move the orders to.")},
    )
    back = forms.CharField(required=False, max_length=2000)

    def clean_order(self):
        # Any id is accepted here; the service only touches this shop's orders.
        ids = self.cleaned_data["order"]
        if len(ids) > MAX_BULK_ORDERS:
            raise forms.ValidationError(
                _("Select at most %(max)d orders at a time.") % {"max": MAX_BULK_ORDERS}
            )
        return ids
