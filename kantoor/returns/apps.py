from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "kantoor.returns"
    label = "returns"
