"""Messages to customers: the outbox (every e-mail is a row first) and the shop's templates."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kantoor.shops.models import Language


class MessageKind(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    STATUS_CHANGED = "status_changed", _("Order status changed")
    INVOICE = "invoice", _("Invoice")
    QUOTE = "quote", _("Quote")
    QUOTE_REMINDER = "quote_reminder", _("Quote reminder")
    QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted (to you)")
    QUOTE_DECLINED = "quote_declined", _("Quote declined (to you)")
    QUOTE_REQUESTED = "quote_requested", _("Quote requested (to you)")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURN_APPROVED = "return_approved", _("Return approved")
    RETURN_REJECTED = "return_rejected", _("Return rejected")
    RETURN_RECEIVED = "return_received", _("Return received")
    RETURN_PROCESSED = "return_processed", _("Return processed")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One e-mail to a customer, written in the transaction of the change that causes it.

    ``subject`` and the bodies are rendered from the shop's template when the message is first
    claimed for sending (after commit), so placing an order only pays for the INSERT. Once
    rendered they never change: a retry sends the same text, a resend is a new message.
    """

    shop = models.ForeignKey(
        "shops.Shop", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
        db_index=False,  # served by message_order_created
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # What the template needs beyond the order (e.g. the status before and after).
    data = models.JSONField(_("details"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("resend of"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["order", "-created_at"], name="message_order_created"),
            # The sweep's work list: small, because sent and failed messages leave it.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["queued", "sending"]),
                name="message_due",
            ),
            models.Index(
                fields=["shop", "-created_at"],
                condition=Q(state="failed"),
                name="message_shop_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"

    @property
    def is_rendered(self) -> bool:
        return bool(self.subject)


class MessageTemplate(models.Model):
    """A shop's own text for one kind of message in one language (else the default is used)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("last change"))
    updated_by = models.ForeignKey(
        "shops.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "language"], name="messagetemplate_unique_kind_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class StatusMessageSetting(models.Model):
    """A row means: e-mail the customer when one of their orders moves into ``status``."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    status = models.PositiveSmallIntegerField(_("status"))

    class Meta:
        verbose_name = _("e-mail on status change")
        verbose_name_plural = _("e-mails on status changes")
        constraints = [
            models.UniqueConstraint(fields=["shop", "status"], name="statusmessage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.status}"
