# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.returns import views

STEPS = {
    "approve": views.return_approve,
    "reject": views.return_reject,
    "status": views.return_status,
    "receive": views.return_receive,
    "refund": views.return_refund,
    "exchange": views.return_exchange,
    "complete": views.return_complete,
}

urlpatterns: list = [
    path("orders/<str:number>/returns/new/", views.return_new, name="return_new"),
    *(
        path(
            f"orders/<str:number>/returns/<str:return_number>/{step}/",
            view,
            name=f"return_{step}",
        )
        for step, view in STEPS.items()
    ),
    path(
        "orders/<str:number>/returns/<str:return_number>/slip.pdf",
        views.return_slip,
        name="return_slip",
    ),
    path(
        "orders/<str:number>/returns/<str:return_number>/photos/<str:photo_id>/",
        views.return_photo,
        name="return_photo",
    ),
    path("returns/", views.return_list_view, name="returns"),
    path("returns/bulk-status/", views.return_bulk_status, name="returns_bulk_status"),
    path("returns/<str:return_number>/", views.return_open, name="return"),
]
