from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "kantoor.orders"
    label = "orders"

    def ready(self) -> None:
        from kantoor.orders import notifications

        notifications.register()
