"""A shop's connector credentials in the database: encrypted at rest with the payment keys'
scheme (kantoor.core.crypto), and refreshed under a row lock (``DatabaseCredentialStore``)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from kantoor.accounting.models import AccountingConnection
from kantoor.core.crypto import decrypt_credentials, encrypt_credentials


class DatabaseCredentialStore:
    """The ``CredentialStore`` of one connection row."""

    def __init__(self, connection_id: int):
        self.connection_id = connection_id

    def load(self) -> dict:
        token = (
            AccountingConnection.objects.filter(pk=self.connection_id)
            .values_list("credentials_encrypted", flat=True)
            .first()
        )
        return decrypt_credentials(token or "")

    def update(self, change: Callable[[dict], dict]) -> dict:
        """``change`` on the freshest credentials, under the row's lock; what it returns is
        saved in the same transaction (a spent refresh token never without its successor)."""
        with transaction.atomic():
            row = AccountingConnection.objects.select_for_update().get(pk=self.connection_id)
            credentials = change(decrypt_credentials(row.credentials_encrypted))
            row.credentials_encrypted = encrypt_credentials(credentials)
            row.updated_at = timezone.now()
            row.save(update_fields=["credentials_encrypted", "updated_at"])
        return credentials
