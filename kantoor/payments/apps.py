from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kantoor.payments"
    label = "payments"

    def ready(self) -> None:
        from kantoor.payments import notifications

        notifications.register()
