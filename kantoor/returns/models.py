"""Returns: the shop's lists of reasons and actions (workflow settings, Returns tab), and the
returns themselves (ReturnRequest with its ReturnLines).

A reason or action that a return line uses is never deleted, only deactivated (see
``services.options.delete_return_option``). The rules of a return (what may be returned, which
status follows which) are in ``services``; the models hold the data and its invariants.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnOption(models.Model):
    """One entry of a shop's list the customer chooses from on the return form."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    label_nl = models.CharField(_("label (Dutch)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active entries show on the return form.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label_en or self.label_nl

    def label_for(self, language: str) -> str:
        return (self.label_nl if language[:2] == "nl" else self.label_en) or str(self)


class ReturnReason(ReturnOption):
    """Why the customer sends something back (damaged, does not fit, wrong item …)."""

    class Meta(ReturnOption.Meta):
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        indexes = [models.Index(fields=["shop", "position"], name="returnreason_shop_position")]


class ReturnAction(ReturnOption):
    """What the customer asks for (exchange, refund, repair …)."""

    class Meta(ReturnOption.Meta):
        verbose_name = _("return action")
        verbose_name_plural = _("return actions")
        indexes = [models.Index(fields=["shop", "position"], name="returnaction_shop_position")]


class ReturnStatus(models.TextChoices):
    """The fixed list of return statuses (DESIGN.md); the shop names the three custom ones."""

    NEW = "new", _("New")
    PROCESSING = "processing", _("Processing")
    CUSTOM_1 = "custom_1", _("Custom status 1")
    CUSTOM_2 = "custom_2", _("Custom status 2")
    CUSTOM_3 = "custom_3", _("Custom status 3")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    CREDITED = "credited", _("Credited")


# A return in one of these is closed: it never moves again.
CLOSED_RETURN_STATUSES = frozenset(
    {ReturnStatus.CANCELLED, ReturnStatus.COMPLETED, ReturnStatus.CREDITED}
)
# Approved and being handled: the goods may be received, the return resolved (in menu order).
HANDLED_RETURN_STATUSES = (
    ReturnStatus.PROCESSING,
    ReturnStatus.CUSTOM_1,
    ReturnStatus.CUSTOM_2,
    ReturnStatus.CUSTOM_3,
)


class ReturnSource(models.TextChoices):
    ACCOUNT = "account", _("Customer account")
    GUEST = "guest", _("Guest return page")
    STAFF = "staff", _("Staff")


class ReturnRequest(models.Model):
    """A customer's request to send goods of one order back, and how the shop handled it."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    number = models.CharField(_("return number"), max_length=40)
    order_number = models.CharField(_("order number"), max_length=40)  # a copy, for the search
    status = models.CharField(
        _("status"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NEW
    )
    source = models.CharField(_("requested through"), max_length=10, choices=ReturnSource.choices)
    # The customer as they were when the return was requested (the order may change later).
    email = models.EmailField(_("e-mail address"))
    customer_name = models.CharField(_("customer"), max_length=200)
    language = models.CharField(_("language"), max_length=5)
    comment = models.TextField(_("customer's comment"), blank=True)
    staff_note = models.TextField(_("message to the customer"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    # An exchange: the order that sent the customer the returned products again, at no charge.
    replacement_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_return",
        verbose_name=_("replacement order"),
    )

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="return_unique_shop_number"),
        ]
        indexes = [
            models.Index(fields=["shop", "-requested_at", "-id"], name="return_shop_requested_id"),
            models.Index(fields=["shop", "status", "-requested_at"], name="return_shop_status"),
            models.Index(fields=["shop", "email"], name="return_shop_email"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_RETURN_STATUSES


class Reception(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting")
    RECEIVED = "received", _("Received")
    NOT_RECEIVED = "not_received", _("Not received")


class ReturnLine(models.Model):
    """One order line (part of its quantity) of a return, with what the customer asks for and
    what arrived."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.ForeignKey(ReturnReason, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(ReturnAction, on_delete=models.PROTECT, related_name="+")
    reception = models.CharField(
        _("reception"), max_length=20, choices=Reception.choices, default=Reception.AWAITING
    )
    quantity_received = models.PositiveIntegerField(_("quantity received"), default=0)
    restocked = models.BooleanField(_("back in stock"), default=False)
    condition_note = models.CharField(_("condition"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="returnline_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_received__lte=models.F("quantity")),
                name="returnline_received_lte_quantity",
            ),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="returnline_unique_order_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"


class ReturnPhoto(models.Model):
    """A photo the customer (or staff) added to a return, e.g. of the damage. The file lives in
    Django's storage under a name of ours; only staff of the shop and the customer see it."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.CharField(_("stored file"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("return photo")
        verbose_name_plural = _("return photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file
