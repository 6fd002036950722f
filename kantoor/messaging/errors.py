"""The refusal of a messaging service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class MessagingError(KantoorError):
    """A request about messages that cannot be honoured; the text is for the person asking."""

    code = "message_refused"
