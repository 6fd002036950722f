# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
urlpatterns: list = []
