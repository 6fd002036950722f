from django.db.models import QuerySet, Sum
from django.http import Http404

from kantoor.catalog.models import Product, StockMovement


def products_for_sale(*, shop) -> QuerySet[Product]:
    return Product.objects.filter(shop=shop, active=True).order_by("name")


def product_for_sale(*, shop, sku: str) -> Product:
    product = Product.objects.filter(shop=shop, sku=sku, active=True).first()
    if product is None:
        raise Http404("No such product.")
    return product


def stock_level_from_ledger(*, product: Product) -> int:
    """The stock level as the ledger says (the stored ``stock_level`` must always equal this)."""
    return (
        StockMovement.objects.filter(product=product).aggregate(total=Sum("quantity"))["total"] or 0
    )
