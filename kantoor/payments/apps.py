from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kantoor.payments"
    label = "payments"
