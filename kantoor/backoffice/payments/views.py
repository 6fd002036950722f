"""The Payments page (My orders > Payments): every payment of the shop, newest first.

Thin: the filters come from the URL (a form), one selector reads the page, one counts. Each row
links to its invoice on the order's Invoices tab, as the invoice list does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.lists import ListLinks, read_page
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.payments.forms import PaymentListForm, filter_query
from kantoor.backoffice.views import render_in_shop
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
        "form_errors": [error for errors in form.errors.values() for error in errors],
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = (
        "backoffice/payments/list_results.html" if partial else "backoffice/payments/list.html"
    )
    response = render_in_shop(request, template, context, active=entry_by_key("payments"))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _chips(links: ListLinks) -> list[dict]:
    """The active filters, each with a link that removes it."""
    filters = links.filters
    chips = links.search_chip()
    for state in filters.states:
        chips.append(
            {
                "label": _("State: %(state)s") % {"state": PaymentState(state).label},
                "href": links.href(state=[s for s in filters.states if s != state]),
            }
        )
    for provider in filters.providers:
        chips.append(
            {
                "label": _("Paid through: %(provider)s") % {"provider": Provider(provider).label},
                "href": links.href(provider=[p for p in filters.providers if p != provider]),
            }
        )
    chips += links.date_chip()
    return chips
