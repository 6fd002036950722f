# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.reports import export_views, statistics_views, views

urlpatterns: list = [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/<slug:table>.csv", statistics_views.statistics_csv, name="statistics_csv"),
    path("export/", export_views.export_page, name="export"),
    path("export/<int:job_id>/", export_views.export_job_status, name="export_job"),
    path("export/<int:job_id>/download/", export_views.export_download, name="export_download"),
    path("reports/vat/", views.vat_return_page, name="vat_return"),
    path("reports/vat/boxes.csv", views.vat_return_boxes_csv, name="vat_return_csv"),
    path("reports/vat/icp.csv", views.vat_return_icp_csv, name="vat_return_icp_csv"),
    path("reports/vat/vat-return.pdf", views.vat_return_pdf_download, name="vat_return_pdf"),
    path("reports/vat/<str:box>/", views.vat_return_box, name="vat_return_box"),
]
