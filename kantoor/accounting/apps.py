from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "kantoor.accounting"
    label = "accounting"

    def ready(self) -> None:
        from django.conf import settings

        from kantoor.accounting.services import push_due_bookings, queue_bookings, queue_payment
        from kantoor.invoices import hooks
        from kantoor.messaging import registry

        # A booking row in the transaction that issues an invoice; a paid invoice's payment.
        hooks.register_issued(queue_bookings)
        hooks.register_paid(queue_payment)
        # Without a broker the embedded sweeper pushes what is due (with one: celery beat).
        registry.register_periodic(push_due_bookings, every=settings.ACCOUNTING_SWEEP_SECONDS)
