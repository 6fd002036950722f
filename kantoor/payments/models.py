"""Payments: what a payer paid (or tried to pay) on an invoice, through a provider or by hand.

A Payment is Kantoor's record of one payment at a provider (``demo``, ``mollie``) or of a bank
transfer entered by staff (``manual``). Its state follows the provider's; the provider is asked,
never told (a webhook only says "look at payment X"). The amount of a paid payment is applied to
its invoice exactly once (``applied_at``), whatever the number of webhook calls.

PaymentSettings holds a shop's provider and its keys, encrypted (kantoor.core.crypto).
DemoTransaction is the demo provider's own side: the payment as the "provider" sees it.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    DEMO = "demo", _("Demo (test mode)")
    MOLLIE = "mollie", _("Mollie")
    MANUAL = "manual", _("Recorded by hand")


class PaymentState(models.TextChoices):
    # Written under the invoice's lock before the provider is asked (start_payment): it holds
    # the invoice's one open payment while the provider answers. No provider id yet.
    STARTING = "starting", _("Starting")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# States a payment never leaves (paid may still be refunded: see amount_refunded).
FINAL_STATES = frozenset(
    {PaymentState.PAID, PaymentState.FAILED, PaymentState.CANCELED, PaymentState.EXPIRED}
)
# The states of an invoice's one open online payment (at most one at a time: start_payment).
LIVE_STATES = frozenset({PaymentState.STARTING, PaymentState.OPEN, PaymentState.PENDING})


class Payment(models.Model):
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="payments"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    # The provider's id ("tr_…" at Mollie); a manual payment gets "manual_<uuid>".
    provider_payment_id = models.CharField(_("provider reference"), max_length=64)
    method = models.CharField(_("method"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.OPEN
    )
    checkout_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("last change"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # When the paid amount was booked on the invoice (once, ever).
    applied_at = models.DateTimeField(null=True, blank=True)
    amount_refunded = models.DecimalField(
        _("refunded"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    created_by = models.ForeignKey(
        "shops.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"], name="payment_unique_provider_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["shop", "-created_at", "-id"], name="payment_shop_created"),
            models.Index(fields=["invoice", "-created_at"], name="payment_invoice_created"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_payment_id}"


class PaymentSettings(models.Model):
    """A shop's payment provider and its keys (encrypted). None saved means: the demo provider."""

    shop = models.OneToOneField(
        "shops.Shop", on_delete=models.CASCADE, related_name="payment_settings"
    )
    provider = models.CharField(
        _("payment provider"),
        max_length=10,
        choices=[(Provider.DEMO, Provider.DEMO.label), (Provider.MOLLIE, Provider.MOLLIE.label)],
        default=Provider.DEMO,
    )
    # Fernet token of a JSON object with the provider's keys (e.g. {"api_key": "live_…"}).
    credentials_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(_("last change"))
    updated_by = models.ForeignKey(
        "shops.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.provider}"


class DemoTransaction(models.Model):
    """The demo provider's own record of a payment: what the payer chose on the test page."""

    id = models.CharField(primary_key=True, max_length=40)  # "demo_<random>"
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=10, default="open")
    method = models.CharField(max_length=40, blank=True)
    redirect_url = models.URLField(max_length=500)
    webhook_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.id


class RefundReservation(models.Model):
    """A refund under way: its amount is counted in the source payment's ``amount_refunded``
    from before the provider is asked (refund_payment), so two refunds at once can never pay
    back more than was paid, and one credit invoice is refunded once (unique). Deleted when the
    refund is booked or the provider refused it; one left behind by a crash is retried with
    the same idempotency key (the provider refunds once)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    credit_invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.credit_invoice_id}: {self.amount}"
