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
from kantoor.storefront.selectors import order_vat_breakdown
from kantoor.storefront.services import reorder_into_cart
from kantoor.storefront.views.common import customer_required, page, shop_url, shop_view

ORDERS_PER_PAGE = 20
INVOICES_SHOWN = 50


@require_GET
@shop_view
@customer_required
def account(request):
    orders = orders_for_customer(shop=request.shop, customer=request.customer).prefetch_related(
        "lines"
    )
    orders_page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    states = payment_states(shop=request.shop, orders=list(orders_page))
    for order in orders_page:
        order.payment = states[order.pk]
    billing, delivery = default_addresses(customer=request.customer)
    invoices = invoices_for_customer(shop=request.shop, customer=request.customer)
    return page(
        request,
        "storefront/account/account.html",
        {
            "orders": orders_page,
            "billing": billing,
            "delivery": delivery,
            "invoices": list(invoices[:INVOICES_SHOWN]),
            "more_invoices": invoices[INVOICES_SHOWN : INVOICES_SHOWN + 1].exists(),
        },
    )


@require_GET
@shop_view
@customer_required
def order_detail(request, number: str):
    order = order_for_customer(shop=request.shop, customer=request.customer, number=number)
    return page(
        request,
        "storefront/account/order_detail.html",
        {
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
