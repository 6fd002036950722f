from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "kantoor.checkout"
    label = "checkout"
