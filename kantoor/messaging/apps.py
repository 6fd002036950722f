import os
import sys

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "kantoor.messaging"
    label = "messaging"

    def ready(self) -> None:
        from kantoor.messaging import embedded

        if embedded.should_start(argv=sys.argv, environ=os.environ):
            embedded.start_sweeper()
