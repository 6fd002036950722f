from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "kantoor.shops"
    label = "shops"
