"""Back-office area: orders (views, forms, urls of the same shape as the other areas)."""
