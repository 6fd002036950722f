from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "kantoor.quotes"
    label = "quotes"

    def ready(self) -> None:
        from django.conf import settings

        from kantoor.messaging import registry
        from kantoor.quotes import notifications
        from kantoor.quotes.services import expire_quotes

        notifications.register()
        # Without a broker the embedded sweeper expires quotes (with one: celery beat).
        registry.register_periodic(expire_quotes, every=settings.QUOTES_SWEEP_SECONDS)
