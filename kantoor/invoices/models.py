"""Invoices: issued once, never changed (docs/invoices.md).

An invoice copies everything it states at the moment it is issued: the parties, the lines and
the totals. Afterwards only its payment state may change; the service layer never writes
anything else and database triggers (migration 0002, ``kantoor.invoices.guard``) reject it.

Signs: a debit invoice has positive totals, a credit invoice negative ones. An invoice line has
a signed ``quantity`` (negative on a credit line) and a positive ``unit_price``, so its amounts
are ``kantoor.core.money.compute_totals`` of the line as it stands.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.shops.models import Language


class InvoiceKind(models.TextChoices):
    DEBIT = "debit", _("Invoice")
    CREDIT = "credit", _("Credit invoice")


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    REFUNDED = "refunded", _("Refunded")


class PaidNote(models.TextChoices):
    """What the system says about how an invoice was settled, as a code (with its values in
    ``Invoice.paid_note_values``: the provider code and its reference), so every reader sees it
    in their own language. A note a person typed is ``Invoice.paid_note``, kept as typed."""

    NONE = "", _("None")
    PAID_ONLINE = "paid_online", _("Paid online")
    REFUNDED_ONLINE = "refunded_online", _("Refunded online")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    NOTHING_TO_PAY = "nothing_to_pay", _("Nothing to pay")


FROZEN_MESSAGE = "An issued invoice never changes; issue a correction instead."

# The columns that may change after issue (the payment state); the database triggers let only
# these through (kantoor.invoices.guard, migrations 0002 and 0007).
PAYMENT_FIELDS = frozenset(
    {"state", "paid_on", "paid_note", "paid_note_code", "paid_note_values", "amount_paid"}
)

# Settled: a debit invoice paid or credited, a credit invoice refunded or set off. An order is
# paid when it has invoices and all are settled (kantoor.invoices.selectors.order_is_paid).
SETTLED = models.Q(kind="debit", state__in=["credited", "paid"]) | models.Q(
    kind="credit", state__in=["credited", "refunded"]
)


class Invoice(models.Model):
    """A debit or credit invoice of an order, with a copy of the parties, lines and totals."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("type"), max_length=10, choices=InvoiceKind.choices)
    number = models.CharField(_("number"), max_length=40)
    issued_on = models.DateField(_("invoice date"))
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects invoice"),
    )
    # A credit invoice for goods the customer sent back (a return's refund): it does not correct
    # the order (which still says what was ordered and delivered) but lowers what is owed on it.
    # The order's "invoiced against its total" leaves these out; what is due counts them.
    for_returned_goods = models.BooleanField(
        _("for returned goods"), default=False, db_default=False
    )
    order_number = models.CharField(_("order"), max_length=40)
    currency = models.CharField(_("currency"), max_length=3)
    prices_include_vat = models.BooleanField(_("prices include VAT"))
    # EU B2B reverse charge, copied from the order: 0 % VAT, an intra-community supply (UBL
    # category K) and the "VAT reverse charged" note on the PDF.
    vat_reverse_charged = models.BooleanField(
        _("VAT reverse charged"), default=False, db_default=False
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # Supplier (the shop) as it was on the invoice date.
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_street = models.CharField(_("street and number"), max_length=200, blank=True)
    supplier_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    supplier_city = models.CharField(_("city"), max_length=100, blank=True)
    supplier_country = models.CharField(_("country"), max_length=2)
    supplier_email = models.EmailField(_("e-mail address"), blank=True)
    supplier_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    supplier_kvk_number = models.CharField(_("KvK number"), max_length=20, blank=True)
    supplier_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    # Customer as it was on the invoice date (the order's billing address).
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_contact = models.CharField(_("contact"), max_length=200, blank=True)
    customer_company = models.CharField(_("company"), max_length=200, blank=True)
    customer_street = models.CharField(_("street and number"), max_length=200)
    customer_postcode = models.CharField(_("postcode"), max_length=20)
    customer_city = models.CharField(_("city"), max_length=100)
    customer_country = models.CharField(_("country"), max_length=2)
    customer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    customer_email = models.EmailField(_("e-mail address"))
    # Totals (negative on a credit invoice) and VAT per rate:
    # [{"rate": "21.00", "net": "10.00", "vat": "2.10"}, ...], highest rate first.
    total_net = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    total_vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    vat_breakdown = models.JSONField(_("VAT per rate"), default=list)
    # Payment state: the only columns that may change after issue.
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.UNPAID
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_note = models.CharField(_("payment note"), max_length=500, blank=True)
    paid_note_code = models.CharField(
        _("payment note code"),
        max_length=20,
        choices=PaidNote.choices,
        blank=True,
        default="",
        db_default="",
    )
    paid_note_values = models.JSONField(_("payment note values"), default=dict, blank=True)
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="invoice_unique_shop_number"),
            models.CheckConstraint(
                condition=models.Q(kind="debit", total_gross__gte=0)
                | models.Q(kind="credit", total_gross__lte=0),
                name="invoice_sign_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "-issued_on", "-id"], name="invoice_shop_issued_id"),
            models.Index(
                fields=["shop", "state", "-issued_on", "-id"], name="invoice_shop_state_issued_id"
            ),
            models.Index(fields=["order", "id"], name="invoice_order_id"),
            # The order list's "Not paid" filter: orders with an unsettled invoice (small: most
            # invoices are settled; its predicate is the list's condition, word for word).
            models.Index(fields=["order"], condition=~SETTLED, name="invoice_unsettled_order"),
            models.Index(fields=["shop", "order_number"], name="invoice_shop_order_number"),
            # The ICP listing: the reverse-charged invoices of a period (few of all).
            models.Index(
                fields=["shop", "issued_on"],
                condition=models.Q(vat_reverse_charged=True),
                name="invoice_shop_reverse_charged",
            ),
            models.Index(
                fields=["shop", "customer_email", "-issued_on", "-id"],
                name="invoice_shop_email_issued_id",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        # Only the payment services update an invoice, and only its payment columns.
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= PAYMENT_FIELDS:
                raise ValidationError(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(FROZEN_MESSAGE)

    @property
    def is_credit(self) -> bool:
        return self.kind == InvoiceKind.CREDIT

    @property
    def is_to_business(self) -> bool:
        """Issued to a business (a company or a VAT number): its customer has bookkeeping
        software for the UBL; a consumer is offered the PDF only."""
        return bool(self.customer_company.strip() or self.customer_vat_number.strip())


class InvoiceLine(models.Model):
    """One line of an invoice: a product line of the order, or the shipping."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    # The order line it invoices (None for shipping). No database constraint: the order line may
    # be removed by an edit later, and the invoice line must still say which line it was.
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    is_shipping = models.BooleanField(_("shipping"), default=False)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.IntegerField(_("quantity"))  # negative on a credit line
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)
    total_net = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(_("total"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoiceline_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(FROZEN_MESSAGE)
