from django.core.paginator import Paginator
from django.views.decorators.http import require_GET

from kantoor.catalog.selectors import product_for_sale, products_for_sale
from kantoor.storefront.views.common import page, shop_view

PRODUCTS_PER_PAGE = 24


@require_GET
@shop_view
def product_list(request):
    paginator = Paginator(products_for_sale(shop=request.shop), PRODUCTS_PER_PAGE)
    products = paginator.get_page(request.GET.get("page"))
    return page(request, "storefront/product_list.html", {"products": products})


@require_GET
@shop_view
def product_detail(request, sku: str):
    product = product_for_sale(shop=request.shop, sku=sku)
    return page(
        request,
        "storefront/product_detail.html",
        {"product": product, "in_cart": request.cart.quantity_of(product.pk)},
    )
