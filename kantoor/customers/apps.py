from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kantoor.customers"
    label = "customers"
