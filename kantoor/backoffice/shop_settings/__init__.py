"""Back-office area: shop_settings (views, forms, urls of the same shape as the other areas)."""
