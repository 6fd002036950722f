from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kantoor.demo"
    label = "demo"
