"""The statistics' daily aggregates: what the Statistics page adds up instead of the raw tables.

Each row is a sum over one shop's day (the shop's time zone) and nothing else: any day can be
computed again from the orders, invoices, payments and returns alone (``statistics.rebuild``),
so a row is never edited by hand and a wrong one is fixed by rebuilding its day. Which days
need it is read from the order timeline (``StatisticsWatermark``): every change to an order, its
invoices, payments or returns writes an event there.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.reports.exports.models import ExportColumnChoice, ExportJob  # noqa: F401

AMOUNT = {"max_digits": 16, "decimal_places": 2, "default": 0}


class StatisticsDay(models.Model):
    """One shop's day. Sales count on the order's date (its debit invoices: what was charged
    for it), credit invoices on their own date as negatives."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    orders = models.PositiveIntegerField(default=0)
    orders_new_customers = models.PositiveIntegerField(default=0)
    units = models.IntegerField(default=0)
    gross_sales = models.DecimalField(**AMOUNT)  # debit lines excl. VAT, not shipping
    shipping = models.DecimalField(**AMOUNT)  # debit shipping lines excl. VAT
    vat = models.DecimalField(**AMOUNT)  # VAT of the debit invoices
    credit_invoices = models.PositiveIntegerField(default=0)
    credited_units = models.IntegerField(default=0)  # positive: units credited
    credits = models.DecimalField(**AMOUNT)  # credit lines excl. VAT, not shipping (<= 0)
    shipping_credited = models.DecimalField(**AMOUNT)  # credited shipping (<= 0)
    vat_credited = models.DecimalField(**AMOUNT)  # VAT of the credit invoices (<= 0)
    returns_requested = models.PositiveIntegerField(default=0)
    units_returned = models.PositiveIntegerField(default=0)  # asked to return, that day

    class Meta:
        verbose_name = _("statistics of a day")
        constraints = [
            models.UniqueConstraint(fields=["shop", "day"], name="statisticsday_unique_shop_day")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class StatisticsProductDay(models.Model):
    """One product (by SKU, or by description for a line without one) on one shop's day."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    key = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    units = models.IntegerField(default=0)
    sales = models.DecimalField(**AMOUNT)
    credited_units = models.IntegerField(default=0)
    credits = models.DecimalField(**AMOUNT)
    units_returned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("statistics of a product on a day")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "key"], name="statisticsproductday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.key}"


class StatisticsCustomerDay(models.Model):
    """One customer's orders on one shop's day (order date), with their total excl. VAT as the
    orders have it now: what the top customers add up."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    orders = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("statistics of a customer on a day")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "customer"], name="statisticscustomerday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.customer_id}"


class Breakdown(models.TextChoices):
    COUNTRY = "country", _("Country")
    STATUS = "status", _("Status")
    METHOD = "method", _("Payment method")
    PAID = "paid", _("Paid or open")
    REASON = "reason", _("Return reason")


class StatisticsBreakdownDay(models.Model):
    """The orders of a day by one property (billing country, status, how it was paid, paid or
    open) with their total excl. VAT; for return reasons the units asked to return."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Breakdown.choices)
    key = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("statistics of a day by a property")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "dimension", "key"], name="statisticsbreakdownday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.dimension}={self.key}"


class StatisticsVatDay(models.Model):
    """The VAT per rate of the invoices dated that day, as the VAT return adds it up."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reverse_charged = models.BooleanField()
    country = models.CharField(max_length=2)
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    net = models.DecimalField(**AMOUNT)
    vat = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("VAT of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "reverse_charged", "country", "rate"],
                name="statisticsvatday_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.rate}"


class StatisticsWatermark(models.Model):
    """How far a shop's aggregates have read its order timeline: the last event id seen, and
    the settled one (read at least SETTLING_TIME ago): a refresh reads the events after the
    settled one, so a transaction that took an earlier id but committed late is still seen."""

    shop = models.OneToOneField("shops.Shop", on_delete=models.CASCADE, related_name="+")
    last_event_id = models.BigIntegerField(default=0)
    settled_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("statistics watermark")

    def __str__(self) -> str:
        return f"{self.shop_id} {self.last_event_id}"
