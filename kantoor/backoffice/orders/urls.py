# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.orders import detail_views, list_views

# The order list; before "orders/<number>/" so "bulk-status" is never read as a number.
urlpatterns: list = [
    path("orders/", list_views.order_list_view, name="orders"),
    path("orders/bulk-status/", list_views.order_bulk_status, name="orders_bulk_status"),
]

# One order's pages. "orders/new/" comes before "orders/<number>/".
urlpatterns += [
    path("orders/new/", detail_views.order_new, name="order_new"),
    path("orders/<str:number>/", detail_views.order_detail, name="order"),
    path("orders/<str:number>/edit/", detail_views.order_edit, name="order_edit"),
    path("orders/<str:number>/status/", detail_views.order_change_status, name="order_status"),
    path("orders/<str:number>/notes/", detail_views.order_add_note, name="order_note"),
]
