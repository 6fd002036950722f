"""Back-office area: messages (views, forms, urls of the same shape as the other areas)."""
