from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "kantoor.backoffice"
    label = "backoffice"
