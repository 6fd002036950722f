# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.invoices import views

urlpatterns: list = [
    # An order's invoices (the order's Invoices tab links here).
    path("orders/<str:number>/invoices/new/", views.invoice_new, name="invoice_new"),
    path(
        "orders/<str:number>/invoices/<str:invoice_number>/credit/",
        views.invoice_credit,
        name="invoice_credit",
    ),
    path(
        "orders/<str:number>/invoices/<str:invoice_number>/paid/",
        views.invoice_mark_paid,
        name="invoice_mark_paid",
    ),
    path(
        "orders/<str:number>/invoices/<str:invoice_number>/send-link/",
        views.invoice_send_link,
        name="invoice_send_link",
    ),
    path(
        "orders/<str:number>/invoices/<str:invoice_number>/email/",
        views.invoice_email,
        name="invoice_email",
    ),
    path(
        "orders/<str:number>/invoices/<str:invoice_number>/refund/",
        views.invoice_refund,
        name="invoice_refund",
    ),
    # The invoice list, one invoice (to its order's tab) and the downloads.
    path("invoices/", views.invoice_list_view, name="invoices"),
    path("invoices/<str:invoice_number>/", views.invoice_open, name="invoice"),
    path(
        "invoices/<str:invoice_number>/<str:fmt>/",
        views.invoice_download,
        name="invoice_download",
    ),
]
