# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.quotes import views

STEPS = {
    "send": views.quote_send,
    "duplicate": views.quote_duplicate,
    "extend": views.quote_extend,
    "cancel": views.quote_cancel,
    "convert": views.quote_convert,
}

# "quotes/new/" and "quotes/bulk/" come before "quotes/<quote_number>/".
urlpatterns: list = [
    path("quotes/", views.quote_list_view, name="quotes"),
    path("quotes/new/", views.quote_new, name="quote_new"),
    path("quotes/bulk/", views.quote_bulk, name="quotes_bulk"),
    path("quotes/<str:quote_number>/", views.quote_detail, name="quote"),
    path("quotes/<str:quote_number>/edit/", views.quote_edit, name="quote_edit"),
    *(
        path(f"quotes/<str:quote_number>/{step}/", view, name=f"quote_{step}")
        for step, view in STEPS.items()
    ),
]
