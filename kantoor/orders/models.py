from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.core.pricing import ShippingMethod
from kantoor.core.statuses import OrderStatus
from kantoor.shops.models import Language


class Order(models.Model):
    """An order, with a copy of who ordered and what it cost at the time."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("number"), max_length=40)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
    )
    status = models.PositiveSmallIntegerField(
        _("status"), choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    # Customer snapshot.
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    billing_name = models.CharField(_("name"), max_length=200)
    billing_company = models.CharField(_("company"), max_length=200, blank=True)
    billing_street = models.CharField(_("street and number"), max_length=200)
    billing_postcode = models.CharField(_("postcode"), max_length=20)
    billing_city = models.CharField(_("city"), max_length=100)
    billing_country = models.CharField(_("country"), max_length=2)
    delivery_name = models.CharField(_("name"), max_length=200)
    delivery_company = models.CharField(_("company"), max_length=200, blank=True)
    delivery_street = models.CharField(_("street and number"), max_length=200)
    delivery_postcode = models.CharField(_("postcode"), max_length=20)
    delivery_city = models.CharField(_("city"), max_length=100)
    delivery_country = models.CharField(_("country"), max_length=2)
    # Shipping and money.
    shipping_method = models.CharField(
        _("shipping method"), max_length=20, choices=ShippingMethod.choices
    )
    shipping_cost = models.DecimalField(_("shipping cost"), max_digits=12, decimal_places=2)
    shipping_vat_rate = models.DecimalField(
        _("VAT rate on shipping"), max_digits=5, decimal_places=2
    )
    prices_include_vat = models.BooleanField(_("prices include VAT"))
    # EU B2B reverse charge (kantoor.core.pricing): decided when the order is priced, kept by
    # edits and corrections; its lines then carry 0 % VAT and their prices exclude VAT.
    vat_reverse_charged = models.BooleanField(
        _("VAT reverse charged"), default=False, db_default=False
    )
    currency = models.CharField(_("currency"), max_length=3)
    total_net = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    total_vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    note = models.TextField(_("note from the customer"), blank=True)
    created_at = models.DateTimeField(_("date"), db_index=False)
    updated_at = models.DateTimeField(_("last change"))
    # Bumped by every change through the services; an edit form sends the version it was
    # rendered from, so two staff editing at once cannot overwrite each other unnoticed.
    version = models.PositiveIntegerField(default=1)

    # The storefront checkout form's one-time token (kantoor.storefront.checkout_tokens): a
    # second POST of the same form finds this order instead of placing another. Blank for
    # orders placed elsewhere (phone orders, quotes, the bulk path).
    checkout_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="order_unique_shop_number"),
            models.UniqueConstraint(
                fields=["shop", "checkout_token"],
                condition=~models.Q(checkout_token=""),
                name="order_unique_shop_checkout_token",
            ),
        ]
        # One index per filter + sort order of the back-office list (keyset pagination on
        # (sort value, id)); the search's trigram index is PostgreSQL-only (migration 0006).
        indexes = [
            models.Index(fields=["shop", "-created_at", "-id"], name="order_shop_created_id"),
            models.Index(
                fields=["shop", "status", "-created_at", "-id"], name="order_shop_status_created_id"
            ),
            models.Index(fields=["shop", "total_gross", "id"], name="order_shop_total_id"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_enum(self) -> OrderStatus:
        return OrderStatus(self.status)

    @property
    def customer_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class OrderLine(models.Model):
    """What was ordered, copied from the product at the time."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("description"), max_length=200)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    total_net = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(_("total"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orderline_unique_position"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="orderline_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"


class OrderEvent(models.Model):
    """One entry of an order's timeline. Append-only: never changed, never deleted."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    # The kinds are kantoor.orders.events.OrderEventKind: no database choices, so a new kind of
    # event (written by orders/events.py, the only writer) needs no migration.
    kind = models.CharField(_("what"), max_length=40)
    actor = models.ForeignKey(
        "shops.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        _("who"), max_length=200, help_text=_("Who did it, as shown on the timeline.")
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "-created_at"], name="orderevent_order_created")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Order events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Order events are append-only.")
