# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.payments import views

urlpatterns: list = [
    path("payments/", views.payment_list_view, name="payments"),
]
