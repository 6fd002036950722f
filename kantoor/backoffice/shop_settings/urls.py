# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.shop_settings import views

urlpatterns: list = [
    path("settings/", views.landing, name="settings"),
    path("settings/workflow/", views.workflow, name="settings_workflow"),
    path("settings/payments/", views.payments, name="settings_payments"),
    path(
        "settings/workflow/returns/<slug:list_name>/add/",
        views.return_option_add,
        name="settings_return_option_add",
    ),
    path(
        "settings/workflow/returns/<slug:list_name>/<int:pk>/",
        views.return_option_change,
        name="settings_return_option",
    ),
]
