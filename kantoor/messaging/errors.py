"""The refusal of a messaging service."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from kantoor.core.errors import KantoorError


class MessagingError(KantoorError):
    """A request about messages that cannot be honoured; the text is for the person asking."""

    code = "message_refused"


class TemplateNotRendered(MessagingError):
    """A shop's e-mail template that cannot be rendered within the limits: loops that repeat too
    often, an e-mail that grows too long, a width too large, or a filter that refuses its value."""

    code = "template_not_rendered"

    def __init__(self, message, params: dict | None = None):
        # The template renders in the customer's language; the reason is read by the staff
        # member in theirs, so it is translated when read, not when raised.
        super().__init__(message)
        self.params = params or {}

    @property
    def message(self) -> str:
        params = {
            key: number_format(value, force_grouping=True) if isinstance(value, int) else value
            for key, value in self.params.items()
        }
        return str(self.args[0]) % params

    def __str__(self) -> str:
        return self.message


def loops_too_long(limit: int) -> TemplateNotRendered:
    return TemplateNotRendered(
        _(
            "The template repeats too much: its loops would run more than %(limit)s times. "
            "Loop over the lines once, not inside another loop."
        ),
        {"limit": limit},
    )
