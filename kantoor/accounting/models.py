"""A shop's link to its bookkeeping package (AccountingConnection) and each invoice's booking
there (InvoiceSync: the outbox row of one push, written in the transaction that issued it)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Package(models.TextChoices):
    EXACT_ONLINE = "exact_online", "Exact Online"
    TWINFIELD = "twinfield", "Twinfield"
    ACUMULUS = "acumulus", "Acumulus"


class ConnectionState(models.TextChoices):
    CONNECTING = "connecting", _("Being connected")
    CONNECTED = "connected", _("Connected")
    NEEDS_RECONNECTION = "reconnect", _("Needs to be connected again")
    DISCONNECTED = "disconnected", _("Not connected")


class AccountingConnection(models.Model):
    """The shop's one accounting connector: which package, its credentials (encrypted with
    kantoor.core.crypto, like the payment keys) and how invoices are booked there."""

    shop = models.OneToOneField(
        "shops.Shop", on_delete=models.CASCADE, related_name="accounting_connection"
    )
    package = models.CharField(_("package"), max_length=20, choices=Package.choices)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ConnectionState.choices,
        default=ConnectionState.CONNECTING,
    )
    credentials_encrypted = models.TextField(blank=True)
    # kantoor.accounting.connectors.base.Mapping as JSON.
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    oauth_state = models.CharField(max_length=64, blank=True)  # of the authorisation under way
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    last_test_at = models.DateTimeField(_("last tested at"), null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.TextField(_("what the package said"), blank=True)
    # The package's rate limit was reached: nothing is pushed for this shop before then.
    paused_until = models.DateTimeField(null=True, blank=True)
    failure_mail_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("accounting link")
        verbose_name_plural = _("accounting links")

    def __str__(self) -> str:
        return f"{self.shop_id} {self.package} {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state == ConnectionState.CONNECTED


class SyncState(models.TextChoices):
    PENDING = "pending", _("Waiting to be booked")
    SYNCED = "synced", _("Booked")
    FAILED = "failed", _("Not booked")


class InvoiceSync(models.Model):
    """One invoice's booking in the shop's package: pending until pushed, then synced with the
    package's id, or failed with the package's reason (tried again with backoff until it is
    given up, and again when someone retries)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="accounting_sync"
    )
    package = models.CharField(_("package"), max_length=20, choices=Package.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=SyncState.choices, default=SyncState.PENDING
    )
    external_id = models.CharField(_("id in the package"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker pushing it holds it until then (a worker that died lets go when it passes).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("what the package said"), blank=True)
    synced_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    payment_pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invoice booking")
        verbose_name_plural = _("invoice bookings")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="invoicesync_due"),
            models.Index(fields=["shop", "state"], name="invoicesync_shop_state"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.state}"
