from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kantoor.core.parsing import parse_id, safe_next_url
from kantoor.storefront.cart import CartError, add_to_cart, cart_summary, update_cart
from kantoor.storefront.views.common import page, shop_url, shop_view


@require_GET
@shop_view
def cart_detail(request):
    summary = cart_summary(shop=request.shop, cart=request.cart)
    if summary.unavailable:
        for product_id in summary.unavailable:
            request.cart.remove(product_id)
        messages.warning(
            request, _("Some products are no longer for sale and were taken out of your cart.")
        )
    return page(request, "storefront/cart.html", {"summary": summary})


@require_POST
@shop_view
def cart_add(request):
    try:
        product = add_to_cart(
            cart=request.cart,
            shop=request.shop,
            raw_product_id=request.POST.get("product_id"),
            raw_quantity=request.POST.get("quantity", "1"),
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(safe_next_url(request, shop_url(request, "cart")))
    messages.success(request, _("%(product)s is in your cart.") % {"product": product.name})
    return redirect(safe_next_url(request, shop_url(request, "cart")))


@require_POST
@shop_view
def cart_update(request):
    try:
        product = update_cart(
            cart=request.cart,
            shop=request.shop,
            raw_product_id=request.POST.get("product_id"),
            raw_quantity=request.POST.get("quantity"),
        )
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Quantity of %(product)s changed.") % {"product": product.name})
    return redirect(shop_url(request, "cart"))


@require_POST
@shop_view
def cart_remove(request):
    product_id = parse_id(request.POST.get("product_id"))
    if product_id is None or product_id not in request.cart.items:
        messages.error(request, _("That product is not in your cart."))
    else:
        request.cart.remove(product_id)
        messages.success(request, _("Removed from your cart."))
    return redirect(shop_url(request, "cart"))
