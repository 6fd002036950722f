from django.urls import path

from kantoor.payments import views

app_name = "payments"

urlpatterns = [
    path("webhook/<str:provider>/", views.webhook, name="webhook"),
    path("demo/<str:transaction_id>/", views.demo_checkout, name="demo_checkout"),
]
