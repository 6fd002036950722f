"""The order list: filters, search, sort and pages in the URL; a bulk status change."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.lists import ListLinks, ShopListView, list_back_url
from kantoor.backoffice.orders.list_forms import (
    FILTER_PARAMS,
    SORT_CHOICES,
    BulkStatusForm,
    OrderListForm,
    filter_query,
)
from kantoor.core.actors import Actor
from kantoor.core.statuses import CLOSED_STATUSES, OrderStatus
from kantoor.invoices.order_list import (
    count_orders,
    order_list,
)
from kantoor.orders.models import Order
from kantoor.orders.services import change_status_of_orders
from kantoor.shops.context_processors import appearances_for_request

S = OrderStatus


@dataclass(frozen=True)
class SavedView:
    key: str
    label: str
    statuses: tuple[int, ...]
    paid: bool | None = None  # None: paid or not


# Saved views as tabs: a tab is a set of statuses (the fixed statuses, grouped as the work flows).
SAVED_VIEWS = (
    SavedView("all", gettext_lazy("All"), ()),
    SavedView("unpaid", gettext_lazy("Not paid"), (), paid=False),
    SavedView("new", gettext_lazy("New"), (S.NEW,)),
    SavedView(
        "in_process",
        gettext_lazy("In process"),
        (S.IN_PROCESS, S.BEING_ASSEMBLED, S.BEING_PACKED, S.RESERVED),
    ),
    SavedView(
        "waiting",
        gettext_lazy("Waiting"),
        (S.AWAITING_PAYMENT, S.AWAITING_MANUFACTURER, S.AWAITING_SUPPLIER, S.BACKORDER),
    ),
    SavedView("sent", gettext_lazy("Shipped or ready"), (S.SHIPPED, S.READY_FOR_PICKUP)),
    SavedView("done", gettext_lazy("Done"), (S.DELIVERED, S.COMPLETED)),
    SavedView("cancelled", gettext_lazy("Cancelled"), (S.CANCELLED,)),
)
SORTABLE_COLUMNS = {"number": "number", "date": "date", "total": "total"}


class OrderListView(ShopListView):
    """The order list: saved views as tabs, sortable columns, a bulk status change."""

    export_kind = "orders"

    area = "orders"
    element_prefix = "order"
    form_class = OrderListForm
    to_query = staticmethod(filter_query)
    model = Order
    http_methods = None  # the order list has always answered every method
    pager_placeholders = True

    def get_form_kwargs(self):
        self.status_labels = _status_labels(self.request)
        return {"shop": self.shop, "status_labels": self.status_labels}

    def get_page(self, filters, **cursor):
        return order_list(shop=self.shop, filters=filters, **cursor)

    def get_count(self, filters):
        return count_orders(shop=self.shop, filters=filters)

    def has_filters(self, filters):
        return super().has_filters(filters) or bool(
            filters.statuses or filters.paid is not None or filters.customer_id
        )

    def get_chips(self, links):
        return _chips(links, self.form, self.status_labels)

    def get_extra_context(self, links):
        labels = self.status_labels
        return {
            "customer": self.form.customer_obj,
            "tabs": _tabs(links),
            "columns": _columns(links),
            "sort_choices": SORT_CHOICES,
            "list_query": filter_query(links.filters).urlencode(),
            "bulk_statuses": [
                {
                    "value": status.value,
                    "label": labels[status],
                    "closes": status in CLOSED_STATUSES,
                }
                for status in OrderStatus
                if status != OrderStatus.NEW
            ],
        }


order_list_view = OrderListView.as_view()


def _status_labels(request: HttpRequest) -> dict[int, str]:
    """The shop's names for the statuses (read once per request, shared with the badges)."""
    return appearances_for_request(request).order_status_labels()


@require_POST
@shop_staff_required
def order_bulk_status(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """Change the status of the ticked orders; the outcome shows as messages on the list."""
    shop = request.shop
    form = BulkStatusForm(request.POST)
    back = list_back_url(
        "backoffice:orders",
        shop_slug=shop.slug,
        query=request.POST.get("back", ""),
        params=FILTER_PARAMS,
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    status = OrderStatus(form.cleaned_data["status"])
    label = _status_labels(request)[status]
    outcome = change_status_of_orders(
        shop=shop,
        order_ids=form.cleaned_data["order"],
        status=status,
        actor=Actor.staff(request.user),
    )
    if outcome.changed:
        messages.success(
            request,
            ngettext(
                "%(count)d order moved to %(status)s.",
                "%(count)d orders moved to %(status)s.",
                len(outcome.changed),
            )
            % {"count": len(outcome.changed), "status": label},
        )
    if outcome.unchanged:
        messages.info(
            request,
            _("Already %(status)s: %(numbers)s.")
            % {"status": label.lower(), "numbers": ", ".join(outcome.unchanged)},
        )
    for number, why in outcome.refused:
        messages.error(
            request, _("%(number)s was not changed: %(why)s") % {"number": number, "why": why}
        )
    if not (outcome.changed or outcome.unchanged or outcome.refused):
        messages.error(request, _("None of the selected orders were found in this shop."))
    return redirect(back)


PAID_PARAM = {True: "yes", False: "no", None: ""}


def _tabs(links: ListLinks) -> list[dict]:
    filters = links.filters
    current = tuple(sorted(set(filters.statuses)))
    return [
        {
            "view": view,
            "href": links.href(status=sorted(view.statuses), paid=PAID_PARAM[view.paid]),
            "active": current == tuple(sorted(view.statuses)) and filters.paid == view.paid,
        }
        for view in SAVED_VIEWS
    ]


def _chips(links: ListLinks, form: OrderListForm, labels) -> list[dict]:
    """The active filters, each with a link that removes it."""
    filters = links.filters
    chips = links.search_chip()
    chips += links.value_chips(
        "status", filters.statuses, lambda v: _("Status: %(status)s") % {"status": labels[v]}
    )
    if filters.paid is not None:
        chips.append(
            {
                "label": _("Payment: paid") if filters.paid else _("Payment: not paid"),
                "href": links.href(paid=""),
            }
        )
    chips += links.date_chip()
    if filters.customer_id and form.customer_obj is not None:
        customer = form.customer_obj
        chips.append(
            {
                "label": _("Customer: %(name)s") % {"name": customer.full_name or customer.email},
                "href": links.href(customer=""),
            }
        )
    return chips


def _columns(links: ListLinks) -> dict:
    """Per sortable column: the link that sorts by it and how it is sorted now."""
    filters = links.filters
    columns = {}
    for column, key in SORTABLE_COLUMNS.items():
        if filters.sort == key:
            state, next_sort = "ascending", f"-{key}"
        elif filters.sort == f"-{key}":
            state, next_sort = "descending", key
        else:
            # Dates and totals start with the highest, numbers with the newest too.
            state, next_sort = "none", f"-{key}"
        columns[column] = {"state": state, "href": links.href(sort=next_sort)}
    return columns
