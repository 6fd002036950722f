"""Absolute links: always on ``settings.BASE_URL``, the address this installation is reached at.

Never from the request's Host header: a link in an e-mail (a password link, a payment link) or
given to a payment provider (the return and webhook addresses) built from the Host header points
wherever the sender of the request chose, e.g. an attacker's site that collects the token.
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) on this installation's public address (settings.BASE_URL)."""
    return settings.BASE_URL + path
