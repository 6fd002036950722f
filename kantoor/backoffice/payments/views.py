"""The Payments page (My orders > Payments): every payment of the shop, newest first.

Thin: the filters come from the URL (a form), one selector reads the page, one counts. Each row
links to its invoice on the order's Invoices tab, as the invoice list does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.lists import ListLinks, read_page, render_list
from kantoor.backoffice.payments.forms import PaymentListForm, filter_query
from kantoor.payments.models import Payment, PaymentState, Provider
from kantoor.payments.selectors import count_payments, payment_list


@require_GET
@shop_staff_required
def payment_list_view(request: HttpRequest, shop_slug: str) -> HttpResponse:
    shop = request.shop
    form = PaymentListForm(request.GET)
    form.is_valid()
    filters = form.filters()
    page, page_error = read_page(
        lambda **cursor: payment_list(shop=shop, filters=filters, **cursor),
        cursor=form.page_cursor(),
    )
    count, exact = count_payments(shop=shop, filters=filters)
    has_filters = bool(
        filters.states or filters.providers or filters.query or filters.date_from or filters.date_to
    )
    shop_has_payments = bool(page.payments) or (
        has_filters and Payment.objects.filter(shop=shop).exists()
    )
    links = ListLinks(request.path, filters, filter_query)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "count": count,
        "count_exact": exact,
        "page_error": page_error,
        "has_filters": has_filters,
        "shop_has_payments": shop_has_payments,
        "chips": _chips(links),
        "urls": links.page_urls(page),
    }
    return render_list(request, "payments", context)


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
