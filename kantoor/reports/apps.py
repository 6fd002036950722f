from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kantoor.reports"
    label = "reports"

    def ready(self) -> None:
        from django.conf import settings

        from kantoor.messaging import registry
        from kantoor.reports.exports.services import sweep_exports
        from kantoor.reports.services import refresh_all_statistics

        # Without a broker the embedded sweeper settles the statistics (with one: celery
        # beat); the Statistics and VAT pages refresh their own shop before they read.
        registry.register_periodic(refresh_all_statistics, every=settings.STATISTICS_SWEEP_SECONDS)
        registry.register_periodic(sweep_exports, every=settings.EXPORTS_SWEEP_SECONDS)
