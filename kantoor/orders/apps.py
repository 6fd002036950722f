from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "kantoor.orders"
    label = "orders"
