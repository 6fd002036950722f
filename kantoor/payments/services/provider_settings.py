"""The shop's payment provider: choose the demo provider or Mollie, save the keys (encrypted)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.crypto import (
    CredentialsError,
    decrypt_credentials,
    encrypt_credentials,
    masked,
)
from kantoor.payments.errors import PaymentError
from kantoor.payments.models import (
    PaymentSettings,
    Provider,
)
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
)
from kantoor.shops.audit import record_changes
from kantoor.shops.models import Shop

MOLLIE_KEY = re.compile(r"^(test|live)_[A-Za-z0-9]{30}$")


# The section of the shop's settings change log (kantoor.shops.audit) for the provider.
SETTINGS_LOG_SECTION = "payment_provider"


def configure_payment_provider(
    *, shop: Shop, provider: str, credentials: dict, actor: Actor
) -> PaymentSettings:
    """Choose the shop's payment provider and save its keys (encrypted), recorded in the
    shop's settings change log (the key masked, never in full).

    Mollie needs an API key (``test_…`` or ``live_…``, 35 characters); an empty key keeps the
    one saved before. Keys of another provider stay saved, so switching back needs no re-entry.
    """
    if provider not in ONLINE_PROVIDERS:
        raise PaymentError(_("Choose the demo provider or Mollie."))
    with transaction.atomic():
        before = _audited(provider_settings(shop=shop))
        saved = PaymentSettings.objects.select_for_update().filter(shop_id=shop.pk).first()
        try:
            keys = decrypt_credentials(saved.credentials_encrypted) if saved else {}
        except CredentialsError:
            keys = {}  # unreadable: replaced by what is entered now
        if provider == Provider.MOLLIE:
            api_key = str((credentials or {}).get("api_key") or "").strip()
            if api_key:
                if not MOLLIE_KEY.match(api_key):
                    raise PaymentError(
                        _(
                            "A Mollie API key starts with test_ or live_ followed by 30 letters "
                            "and digits. Copy it from Mollie's dashboard (Developers, API keys)."
                        )
                    )
                keys[Provider.MOLLIE] = {"api_key": api_key}
            elif not (keys.get(Provider.MOLLIE) or {}).get("api_key"):
                raise PaymentError(_("Enter the Mollie API key."))
        settings = saved or PaymentSettings(shop=shop)
        settings.provider = provider
        settings.credentials_encrypted = encrypt_credentials(keys) if keys else ""
        settings.updated_at = timezone.now()
        settings.updated_by = actor.user
        settings.save()
        record_changes(
            shop=shop,
            user=actor.user,
            section=SETTINGS_LOG_SECTION,
            before=before,
            after=_audited(provider_settings(shop=shop)),
        )
    return settings


def _audited(settings: dict) -> dict:
    """What the settings change log records: the provider and the key only in masked form."""
    return {"provider": settings["provider"], "mollie_api_key": settings["mollie_api_key"]}


def provider_settings(*, shop: Shop) -> dict:
    """The shop's provider and its keys as they may be shown back (masked), for the settings
    page: {"provider": "mollie", "mollie_api_key": "live_…wxyz", "keys_readable": True}."""
    saved = PaymentSettings.objects.filter(shop_id=shop.pk).first()
    result = {"provider": saved.provider if saved else Provider.DEMO, "mollie_api_key": ""}
    result["keys_readable"] = True
    if saved and saved.credentials_encrypted:
        try:
            keys = decrypt_credentials(saved.credentials_encrypted)
        except CredentialsError:
            result["keys_readable"] = False
        else:
            result["mollie_api_key"] = masked((keys.get(Provider.MOLLIE) or {}).get("api_key", ""))
    return result
