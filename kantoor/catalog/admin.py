from django.contrib import admin

from kantoor.catalog.models import Product, StockMovement


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "shop",
        "price",
        "vat_rate",
        "active",
        "track_stock",
        "stock_level",
    ]
    list_filter = ["shop", "active", "vat_rate"]
    search_fields = ["sku", "name"]


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "product", "quantity", "reason", "reference"]
    list_filter = ["reason"]
    search_fields = ["reference", "product__sku"]
    raw_id_fields = ["product"]
