from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kantoor.reports"
    label = "reports"
