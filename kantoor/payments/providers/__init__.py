"""Payment providers: one interface (base.py), the built-in demo provider and Mollie.

``provider_for(shop)`` is the shop's current provider (demo when nothing is saved);
``provider_named(shop, name)`` is a given provider with the shop's keys (a webhook for a Mollie
payment still needs Mollie after the shop switched to another provider).
"""

from __future__ import annotations

from kantoor.core.crypto import CredentialsError, decrypt_credentials
from kantoor.payments.models import PaymentSettings, Provider
from kantoor.payments.providers.base import (
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderRefund,
)
from kantoor.payments.providers.demo import DemoProvider
from kantoor.payments.providers.mollie import MollieProvider
from kantoor.shops.models import Shop

__all__ = [
    "PaymentProvider",
    "ProviderError",
    "ProviderPayment",
    "ProviderRefund",
    "ONLINE_PROVIDERS",
    "provider_for",
    "live_provider_name",
    "provider_named",
    "saved_settings",
]

ONLINE_PROVIDERS = (Provider.DEMO, Provider.MOLLIE)


def saved_settings(shop: Shop) -> PaymentSettings | None:
    return PaymentSettings.objects.filter(shop_id=shop.pk).first()


def provider_named(shop: Shop, name: str) -> PaymentProvider:
    """Provider ``name`` with the shop's keys for it. Raises ProviderError when it cannot be
    used (unknown name, no keys saved, keys unreadable)."""
    if name == Provider.DEMO:
        return DemoProvider(shop=shop)
    if name == Provider.MOLLIE:
        saved = saved_settings(shop)
        try:
            keys = decrypt_credentials(saved.credentials_encrypted) if saved else {}
        except CredentialsError as error:
            raise ProviderError(str(error)) from error
        api_key = (keys.get(Provider.MOLLIE) or {}).get("api_key", "")
        if not api_key:
            raise ProviderError("No Mollie API key is saved for this shop.")
        return MollieProvider(api_key=api_key)
    raise ProviderError(f"Unknown payment provider {name!r}.")


def live_provider_name(shop: Shop) -> str:
    """The provider the shop takes payments through now (demo when nothing is saved). Only a
    payment made through it settles an invoice: after a switch from the demo provider, an old
    test payment moves no money and marks nothing paid."""
    saved = saved_settings(shop)
    return saved.provider if saved else Provider.DEMO


def provider_for(shop: Shop) -> PaymentProvider:
    """The shop's payment provider (the demo provider when none is configured)."""
    saved = saved_settings(shop)
    return provider_named(shop, saved.provider if saved else Provider.DEMO)
