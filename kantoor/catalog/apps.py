from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "kantoor.catalog"
    label = "catalog"
