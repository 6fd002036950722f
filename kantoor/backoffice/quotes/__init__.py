"""Back-office area: quotes (views, forms, urls, tabs of the same shape as the other areas)."""
