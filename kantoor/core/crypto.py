"""The shops' payment-provider keys, encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The Fernet key is derived (HKDF-SHA256) from settings.PAYMENT_KEYS_SECRET, or from SECRET_KEY
when that is not set. Rotating SECRET_KEY without PAYMENT_KEYS_SECRET makes the saved keys
unreadable: decrypt_credentials then raises CredentialsError (a clear message, never a crash), and
the shop owner enters the key again.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from kantoor.core.errors import KantoorError

_SALT = b"kantoor.payments.credentials"
_INFO = b"payment-provider-keys v1"


class CredentialsError(KantoorError):
    """The saved provider keys cannot be read (another secret) or are not valid."""

    code = "credentials_unreadable"


def _secret() -> bytes:
    secret = settings.PAYMENT_KEYS_SECRET or settings.SECRET_KEY
    return secret.encode()


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(_secret())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_credentials(credentials: dict) -> str:
    """A Fernet token (text) of the credentials as JSON."""
    data = json.dumps(credentials, sort_keys=True, separators=(",", ":")).encode()
    return _fernet().encrypt(data).decode("ascii")


def decrypt_credentials(token: str) -> dict:
    """The credentials saved by encrypt_credentials; {} for nothing saved."""
    if not token:
        return {}
    try:
        data = json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise CredentialsError(
            _(
                "The saved payment provider keys cannot be read: the installation's secret "
                "(PAYMENT_KEYS_SECRET or SECRET_KEY) changed. Enter the keys again."
            )
        ) from error
    if not isinstance(data, dict):
        raise CredentialsError(_("The saved payment provider keys are not valid."))
    return data


def masked(secret: str) -> str:
    """A key as it may be shown back: its kind and its last four characters (``live_…wxyz``)."""
    if not secret:
        return ""
    prefix, _sep, rest = secret.partition("_")
    if not _sep:
        return "…" + secret[-4:]
    return f"{prefix}_…{rest[-4:]}" if len(rest) > 4 else f"{prefix}_…"
