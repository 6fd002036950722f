from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "kantoor.returns"
    label = "returns"

    def ready(self) -> None:
        from kantoor.returns import notifications

        notifications.register()
