import os
import sys

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "kantoor.messaging"
    label = "messaging"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kantoor.messaging import embedded
        from kantoor.messaging.services import start_default_status_messages
        from kantoor.shops.models import Shop

        def shop_created(sender, instance, created, raw=False, **kwargs):
            # shops sits below messaging and cannot call it: a new shop's default status
            # e-mails ("Shipped") are made here, in the transaction that saved the shop.
            if created and not raw:
                start_default_status_messages(shop=instance)

        post_save.connect(
            shop_created, sender=Shop, weak=False, dispatch_uid="messaging.shop_created"
        )

        if embedded.should_start(argv=sys.argv, environ=os.environ):
            embedded.start_sweeper()
