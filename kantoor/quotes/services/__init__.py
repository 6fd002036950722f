"""Quotes: making and editing them (drafting), their life once sent (deciding: send, extend,
cancel, accept, decline, expire) and the order they become (converting). Each service runs in
one transaction."""

from kantoor.quotes.errors import QuoteError
from kantoor.quotes.services.converting import convert_quote
from kantoor.quotes.services.deciding import (
    accept_quote,
    cancel_quote,
    decline_quote,
    expire_quotes,
    extend_quote,
    send_quote,
)
from kantoor.quotes.services.drafting import (
    QuoteDetails,
    QuoteLineInput,
    create_quote,
    duplicate_quote,
    update_quote,
)

__all__ = [
    "QuoteDetails",
    "QuoteError",
    "QuoteLineInput",
    "accept_quote",
    "cancel_quote",
    "convert_quote",
    "create_quote",
    "decline_quote",
    "duplicate_quote",
    "expire_quotes",
    "extend_quote",
    "send_quote",
    "update_quote",
]
