from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kantoor.customers.selectors import default_addresses
from kantoor.invoices.list_selectors import invoices_for_customer
from kantoor.invoices.order_list import payment_states
from kantoor.invoices.selectors import invoices_for_order
from kantoor.orders.selectors import order_for_customer, orders_for_customer
from kantoor.quotes.links import quote_token
from kantoor.quotes.selectors import customer_totals, quotes_of_customer
from kantoor.returns.errors import ReturnError
from kantoor.returns.links import return_token
from kantoor.returns.models import ReturnSource
from kantoor.returns.selectors import (
    returnable_lines,
    returnable_order_ids,
    returns_of_customer,
    returns_of_order,
)
from kantoor.returns.services import check_order_returnable
from kantoor.shops.modules import module_enabled
from kantoor.storefront.selectors import order_vat_breakdown
from kantoor.storefront.services import reorder_into_cart
from kantoor.storefront.views.common import customer_required, page, shop_url, shop_view

ORDERS_PER_PAGE = 20
INVOICES_SHOWN = 50
QUOTES_SHOWN = 20


@require_GET
@shop_view
@customer_required
def account(request):
    orders = orders_for_customer(shop=request.shop, customer=request.customer).prefetch_related(
        "lines"
    )
    orders_page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    states = payment_states(shop=request.shop, orders=list(orders_page))
    returnable = returnable_order_ids(
        shop=request.shop, orders=list(orders_page), source=ReturnSource.ACCOUNT
    )
    for order in orders_page:
        order.payment = states[order.pk]
        order.can_return = order.pk in returnable
    billing, delivery = default_addresses(customer=request.customer)
    invoices = invoices_for_customer(shop=request.shop, customer=request.customer)
    returns = (
        returns_of_customer(shop=request.shop, customer_id=request.customer.pk)
        if module_enabled(shop=request.shop, module="returns")
        else []
    )
    quotes = (
        _quotes_with_links(
            request.shop, quotes_of_customer(shop=request.shop, customer=request.customer)
        )
        if module_enabled(shop=request.shop, module="quotes")
        else []
    )
    return page(
        request,
        "storefront/account/account.html",
        {
            "quotes": quotes,
            "returns": _with_links(request.shop, returns),
            "orders": orders_page,
            "billing": billing,
            "delivery": delivery,
            "invoices": list(invoices[:INVOICES_SHOWN]),
            "more_invoices": invoices[INVOICES_SHOWN : INVOICES_SHOWN + 1].exists(),
        },
    )


def _quotes_with_links(shop, quotes):
    """The customer's quotes (at most QUOTES_SHOWN), each with its signed link and total."""
    shown = list(quotes[:QUOTES_SHOWN])
    totals = customer_totals(shop=shop, quotes=shown)
    for quote in shown:
        quote.token = quote_token(shop_id=shop.pk, quote_id=quote.pk)
        quote.total = totals[quote.pk]
    return shown


def _with_links(shop, returns):
    for found in returns:
        found.token = return_token(shop_id=shop.pk, return_id=found.pk)
    return returns


def _return_offer(shop, order) -> dict:
    """What the order page says about returns: a Return button when something can still be
    returned, the shop's "contact us" when customers do not request returns themselves, and
    the order's returns."""
    if not module_enabled(shop=shop, module="returns"):
        return {}
    offer = {"returns": _with_links(shop, returns_of_order(shop=shop, order=order))}
    try:
        check_order_returnable(shop=shop, order=order, source=ReturnSource.ACCOUNT)
    except ReturnError as refused:
        if refused.code == "self_service_off":
            offer["return_contact"] = refused.message
        return offer
    offer["can_return"] = any(item.returnable for item in returnable_lines(order=order))
    return offer


@require_GET
@shop_view
@customer_required
def order_detail(request, number: str):
    order = order_for_customer(shop=request.shop, customer=request.customer, number=number)
    return page(
        request,
        "storefront/account/order_detail.html",
        {
            **_return_offer(request.shop, order),
            "order": order,
            "vat_breakdown": order_vat_breakdown(order=order),
            "invoices": list(invoices_for_order(shop=request.shop, order=order)),
        },
    )


@require_POST
@shop_view
@customer_required
def reorder(request, number: str):
    order = order_for_customer(shop=request.shop, customer=request.customer, number=number)
    plan = reorder_into_cart(shop=request.shop, order=order, cart=request.cart)
    if plan.added:
        messages.success(
            request,
            _("The products of order %(number)s are in your cart at today's prices.")
            % {"number": order.number},
        )
    if plan.reduced:
        messages.warning(
            request,
            _("Fewer than before, because of the stock: %(products)s.")
            % {"products": ", ".join(plan.reduced)},
        )
    if plan.unavailable:
        messages.warning(
            request,
            _("No longer available: %(products)s.") % {"products": ", ".join(plan.unavailable)},
        )
    return redirect(shop_url(request, "cart"))
