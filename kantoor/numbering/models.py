from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.numbering.formatting import InvalidPrefix, validate_prefix


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    ORDER = "order", _("Order")
    INVOICE = "invoice", _("Invoice")
    CREDIT_INVOICE = "credit_invoice", _("Credit invoice")
    RETURN = "return", _("Return")


DEFAULT_PREFIXES = {
    DocumentKind.QUOTE: "OFF{year}-",
    DocumentKind.ORDER: "ORD{year}-",
    DocumentKind.INVOICE: "INV{year}-",
    DocumentKind.CREDIT_INVOICE: "CRE{year}-",
    DocumentKind.RETURN: "RET{year}-",
}


class NumberSeries(models.Model):
    """How a shop numbers one kind of document: prefix template + counter."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="number_series")
    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    prefix = models.CharField(
        _("prefix"),
        max_length=40,
        blank=True,
        help_text=_("Text before the counter; {year} and {month} are replaced."),
    )
    padding = models.PositiveSmallIntegerField(
        _("padding"),
        default=4,
        validators=[MaxValueValidator(12)],
        help_text=_("Minimum number of digits of the counter (zeros in front)."),
    )
    yearly_restart = models.BooleanField(_("restart every year"), default=True)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["shop", "kind"], name="numberseries_unique_shop_kind")
        ]

    def __str__(self) -> str:
        return f"{self.shop} {self.kind}: {self.prefix}"

    def clean(self) -> None:
        try:
            validate_prefix(self.prefix, yearly_restart=self.yearly_restart)
        except InvalidPrefix as error:
            raise ValidationError({"prefix": str(error)}) from error


class NumberCounter(models.Model):
    """The last number handed out in one series and period (a year, or 0 for never restarting).

    Allocation locks this row, so concurrent documents queue here and a rolled-back document
    frees its number.
    """

    series = models.ForeignKey(NumberSeries, on_delete=models.CASCADE, related_name="counters")
    period = models.PositiveIntegerField()
    last_value = models.PositiveBigIntegerField(default=0, validators=[MinValueValidator(0)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "period"], name="numbercounter_unique_series_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series_id}/{self.period}: {self.last_value}"
