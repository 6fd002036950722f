"""Quotes (offertes): what the shop offers a customer or a prospect, line by line, until a date.

A quote is edited in revisions: its lines belong to a revision (``QuoteLine.revision``); editing
a sent quote starts the next revision as a concept, and the customer keeps seeing the revision
last sent (``Quote.sent_revision``) until the new one is sent. The rules (which status follows
which, what may be edited, accepting, converting) are in ``services``; the models hold the data.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.messaging.models import MessageKind


class QuoteStatus(models.TextChoices):
    """The fixed list of quote statuses (DESIGN.md)."""

    CONCEPT = "concept", _("Concept")
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CONVERTED = "converted", _("Converted to order")


# Which status may follow which (the services refuse the rest).
QUOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    QuoteStatus.CONCEPT: frozenset({QuoteStatus.SENT, QuoteStatus.REJECTED}),
    QuoteStatus.REQUESTED: frozenset({QuoteStatus.CONCEPT, QuoteStatus.SENT, QuoteStatus.REJECTED}),
    QuoteStatus.SENT: frozenset(
        {
            QuoteStatus.CONCEPT,
            QuoteStatus.ACCEPTED,
            QuoteStatus.REJECTED,
            QuoteStatus.EXPIRED,
            QuoteStatus.CONVERTED,
        }
    ),
    QuoteStatus.ACCEPTED: frozenset({QuoteStatus.CONVERTED}),
    QuoteStatus.REJECTED: frozenset({QuoteStatus.CONCEPT}),
    QuoteStatus.EXPIRED: frozenset({QuoteStatus.CONCEPT, QuoteStatus.SENT}),
    QuoteStatus.CONVERTED: frozenset(),
}
# Editable: the lines and details may change (a sent, rejected or expired quote through a new
# revision); an accepted or converted quote is what was agreed and never changes.
EDITABLE_QUOTE_STATUSES = frozenset(
    {
        QuoteStatus.CONCEPT,
        QuoteStatus.REQUESTED,
        QuoteStatus.SENT,
        QuoteStatus.REJECTED,
        QuoteStatus.EXPIRED,
    }
)


# The e-mails about a quote (their ``data`` names it: ``quote_id``, ``revision``).
QUOTE_KINDS = frozenset(
    {
        MessageKind.QUOTE,
        MessageKind.QUOTE_REMINDER,
        MessageKind.QUOTE_ACCEPTED,
        MessageKind.QUOTE_DECLINED,
        MessageKind.QUOTE_REQUESTED,
    }
)


class Quote(models.Model):
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("quote number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.CONCEPT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    sent_revision = models.PositiveIntegerField(_("revision sent"), default=0)
    # Who it is for: a customer of the shop, or a prospect's details (copied onto the order).
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    language = models.CharField(_("language"), max_length=5, default="nl")
    shipping_method = models.CharField(_("shipping"), max_length=20, default="delivery")
    shipping_fee = models.DecimalField(
        _("shipping cost"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    valid_until = models.DateField(_("valid until"))
    note = models.TextField(_("note to the customer"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    request_message = models.TextField(_("the customer's request"), blank=True)
    # The acceptance: who typed their name, when, from where, and which revision.
    accepted_name = models.CharField(_("accepted by"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(_("accepted from"), null=True, blank=True)
    accepted_revision = models.PositiveIntegerField(_("revision accepted"), null=True, blank=True)
    declined_reason = models.TextField(_("reason declined"), blank=True)
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_quote",
        verbose_name=_("order"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="quote_unique_shop_number"),
            models.CheckConstraint(
                condition=models.Q(sent_revision__lte=models.F("revision")),
                name="quote_sent_revision_lte_revision",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "-created_at", "-id"], name="quote_shop_created_id"),
            models.Index(fields=["shop", "status", "valid_until"], name="quote_shop_status_valid"),
            models.Index(fields=["shop", "email"], name="quote_shop_email"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def customer_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.company


# The details of a quote that staff set (and a copy or a revision carries over), in form order.
QUOTE_DETAIL_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "vat_number",
    "phone",
    "street",
    "postcode",
    "city",
    "country",
    "language",
    "shipping_method",
    "valid_until",
    "note",
    "internal_note",
)


class QuoteLine(models.Model):
    """A line of one revision of a quote: a catalogue product (its price proposed from the
    catalogue, editable) or a free line (only a description), with an optional discount."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    revision = models.PositiveIntegerField(_("revision"))
    position = models.PositiveIntegerField(_("position"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["revision", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quoteline_qty_gt_0"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="quoteline_price_gte_0"
            ),
            models.UniqueConstraint(
                fields=["quote", "revision", "position"], name="quoteline_unique_position"
            ),
        ]
        indexes = [models.Index(fields=["quote", "revision"], name="quoteline_quote_revision")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class QuoteEvent(models.Model):
    """One entry of a quote's timeline (its History tab). Append-only; written only by
    ``kantoor.quotes.events``. The kinds are ``QuoteEventKind`` there (no database choices)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=40)
    actor = models.ForeignKey(
        "shops.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=200)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("quote event")
        verbose_name_plural = _("quote events")
        indexes = [models.Index(fields=["quote", "-created_at"], name="quoteevent_quote_created")]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Quote events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Quote events are append-only.")
