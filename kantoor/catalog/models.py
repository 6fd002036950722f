from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

VAT_RATES = [Decimal("21.00"), Decimal("9.00"), Decimal("0.00")]


class Product(models.Model):
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Including or excluding VAT, as the shop's setting says."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    active = models.BooleanField(_("for sale"), default=True)
    track_stock = models.BooleanField(_("track stock"), default=True)
    # The sum of this product's StockMovement ledger, kept in the same transaction as each
    # movement (see catalog.services.book_stock_movements); the ledger is the truth.
    stock_level = models.IntegerField(_("stock level"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="product_unique_shop_sku"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
        ]
        indexes = [models.Index(fields=["shop", "active", "name"], name="product_shop_active_name")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def in_stock(self) -> bool:
        return not self.track_stock or self.stock_level > 0


class MovementReason(models.TextChoices):
    SALE = "sale", _("Sale")
    CANCELLATION = "cancellation", _("Cancellation")
    RETURN_RESTOCK = "return_restock", _("Return restock")
    CORRECTION = "correction", _("Correction")


class StockMovement(models.Model):
    """One change of a product's stock; the stock level is the sum of the ledger."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="movements")
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=20, choices=MovementReason.choices)
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("E.g. the order number.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["product", "created_at"], name="stockmove_product_date")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quantity=0), name="stockmovement_quantity_not_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity:+d} {self.product_id} ({self.reason})"
