from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "kantoor.numbering"
    label = "numbering"
