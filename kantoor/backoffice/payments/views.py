"""The Payments page (My orders > Payments): every payment of the shop, newest first.

Thin: the filters come from the URL (a form), one selector reads the page, one counts. Each row
links to its invoice on the order's Invoices tab, as the invoice list does.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kantoor.backoffice.lists import ListLinks, ShopListView
from kantoor.backoffice.payments.forms import PaymentListForm, filter_query
from kantoor.payments.models import Payment, PaymentState, Provider
from kantoor.payments.selectors import count_payments, payment_list


class PaymentListView(ShopListView):
    """The payments of the shop, filtered by state and provider."""

    export_kind = "payments"

    area = "payments"
    element_prefix = "payment"
    form_class = PaymentListForm
    to_query = staticmethod(filter_query)
    model = Payment

    def get_page(self, filters, **cursor):
        return payment_list(shop=self.shop, filters=filters, **cursor)

    def get_count(self, filters):
        value, exact = count_payments(shop=self.shop, filters=filters)
        return {"value": value, "exact": exact, "estimate": None}

    def has_filters(self, filters):
        return super().has_filters(filters) or bool(filters.states or filters.providers)

    def get_chips(self, links):
        return _chips(links)


payment_list_view = PaymentListView.as_view()


def _chips(links: ListLinks) -> list[dict]:
    """The active filters, each with a link that removes it."""
    filters = links.filters
    chips = links.search_chip()
    chips += links.value_chips(
        "state", filters.states, lambda v: _("State: %(state)s") % {"state": PaymentState(v).label}
    )
    chips += links.value_chips(
        "provider",
        filters.providers,
        lambda v: _("Paid through: %(provider)s") % {"provider": Provider(v).label},
    )
    chips += links.date_chip()
    return chips
