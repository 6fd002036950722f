from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "kantoor.storefront"
    label = "storefront"
