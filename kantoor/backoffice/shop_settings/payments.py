"""Settings > Payments: saving the provider and its key, recorded in the settings change log.

configure_payment_provider (kantoor.payments.services) chooses the provider and encrypts the
keys; it writes no SettingsChange. This one function calls it and records what changed, in
the same transaction, with the key only ever as its masked form ("live_…wxyz").
"""

from __future__ import annotations

from django.db import transaction

from kantoor.orders.services import Actor
from kantoor.payments.models import PaymentSettings
from kantoor.payments.services import configure_payment_provider, provider_settings
from kantoor.shops.audit import record_changes
from kantoor.shops.models import Shop, User

AUDIT_SECTION = "payment_provider"


def _audited(settings: dict) -> dict:
    return {"provider": settings["provider"], "mollie_api_key": settings["mollie_api_key"]}


def save_payment_settings(
    *, shop: Shop, user: User, provider: str, api_key: str
) -> PaymentSettings:
    """Choose the provider; a new Mollie key replaces the saved one, an empty key keeps it.
    Raises kantoor.payments.services.PaymentError (message for the owner), saving nothing."""
    with transaction.atomic():
        before = _audited(provider_settings(shop=shop))
        saved = configure_payment_provider(
            shop=shop,
            provider=provider,
            credentials={"api_key": api_key} if api_key else {},
            actor=Actor.staff(user),
        )
        after = _audited(provider_settings(shop=shop))
        record_changes(shop=shop, user=user, section=AUDIT_SECTION, before=before, after=after)
    return saved
