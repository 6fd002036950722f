from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "kantoor.quotes"
    label = "quotes"

    def ready(self) -> None:
        from kantoor.quotes import notifications

        notifications.register()
