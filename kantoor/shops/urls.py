from django.urls import path

from kantoor.shops.status_colours import status_colours

app_name = "shops"

urlpatterns = [
    path("status-colours.css", status_colours, name="default_status_colours"),
    path("status-colours/<slug:shop_slug>.css", status_colours, name="status_colours"),
]
