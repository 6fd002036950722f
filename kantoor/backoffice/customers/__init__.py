"""Back-office area: customers (views, forms, urls of the same shape as the other areas)."""
