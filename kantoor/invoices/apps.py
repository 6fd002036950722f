from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "kantoor.invoices"
    label = "invoices"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kantoor.invoices import notifications
        from kantoor.invoices.guard import install_sqlite_guard

        connection_created.connect(install_sqlite_guard, dispatch_uid="invoices_sqlite_guard")
        notifications.register()
