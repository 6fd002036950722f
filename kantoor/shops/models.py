from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A back-office user (shop owner or staff) or the platform operator.

    Logs in with e-mail address + password. ``is_staff`` means access to the operator's
    Django admin only; access to a shop's back office goes through a Membership.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("May use the operator's Django admin."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    menu_collapsed = models.BooleanField(
        _("back-office menu collapsed"),
        default=False,
        help_text=_("The left menu shows icons only (remembered per user)."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        # Log-in compares lower-case addresses; store them that way whoever saves the user.
        self.email = self.email.strip().lower()

    def __str__(self) -> str:
        return self.name or self.email


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use lowercase letters, digits and hyphens (not at the start or end)."),
)

# Words that are back-office or storefront paths of their own (/backoffice/login/ …).
RESERVED_SLUGS = frozenset({"login", "logout", "static", "media", "api", "admin"})


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a reserved word; choose another slug."), params={"slug": value}
        )


class Shop(models.Model):
    """The tenant: every shop-owned row points here."""

    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[slug_validator, validate_slug_not_reserved],
    )
    name = models.CharField(_("name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    kvk_number = models.CharField(_("KvK number"), max_length=20, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=True)
    shipping_fee = models.DecimalField(
        _("shipping fee"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("6.95"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Flat fee per order for delivery."),
    )
    shipping_vat_rate = models.DecimalField(
        _("VAT rate on shipping"), max_digits=5, decimal_places=2, default=Decimal("21.00")
    )
    allows_pickup = models.BooleanField(_("customers may pick up orders"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name

    @property
    def display_legal_name(self) -> str:
        return self.legal_name or self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class Membership(models.Model):
    """A staff user's access to one shop's back office."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["shop", "user"], name="membership_unique_shop_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"


# --- Workflow settings (issue 4) --------------------------------------------------------------


class WorkflowSettings(models.Model):
    """A shop's workflow choices: modules, numbering and returns. One per shop, made on demand.

    Read it with ``kantoor.shops.selectors.workflow_settings_for`` (an unsaved default object when
    the shop never saved any), change it with ``kantoor.shops.services.update_workflow_settings``.
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="workflow_settings")
    # Modules
    quotes_enabled = models.BooleanField(_("quotes"), default=True)
    returns_enabled = models.BooleanField(_("returns"), default=True)
    # Numbers
    credit_invoices_share_invoice_series = models.BooleanField(
        _("credit invoices share the invoice series"),
        default=False,
        help_text=_(
            "On: credit invoices get the next invoice number. Off: they have a series of their own."
        ),
    )
    # Payments
    # The order status (an OrderStatus value) an order moves to when it becomes paid while it is
    # "Awaiting payment"; None leaves the status as it is.
    status_when_paid = models.PositiveSmallIntegerField(
        _("when an order awaiting payment is paid, move it to"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the status; the order shows as paid either way."),
    )
    # Returns
    returns_self_service = models.BooleanField(
        _("customers request returns themselves"),
        default=True,
        help_text=_("Off: only your staff create returns."),
    )
    returns_for_guests = models.BooleanField(
        _("guests may request returns"),
        default=True,
        help_text=_("Customers without an account request a return with order number and e-mail."),
    )
    return_period_days = models.PositiveSmallIntegerField(
        _("return period in days"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("How many days after delivery a customer may still request a return."),
    )
    return_refunds_shipping = models.BooleanField(
        _("credit the shipping cost with a refund"),
        default=False,
        help_text=_("Proposed on each refund; you decide per return."),
    )
    return_restocking_fee_percent = models.DecimalField(
        _("restocking fee (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Kept back from the refund of the goods that arrived; 0 charges nothing. "
            "You decide per return."
        ),
    )
    returns_intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    returns_intro_en = models.TextField(_("introduction (English)"), blank=True)
    # Quotes
    quote_validity_days = models.PositiveSmallIntegerField(
        _("a quote is valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("The validity a new quote gets; you can change it per quote."),
    )
    quote_reminder_days = models.PositiveSmallIntegerField(
        _("remind the customer (days before it expires)"),
        default=0,
        validators=[MaxValueValidator(60)],
        help_text=_("0 sends no reminder."),
    )
    quotes_convert_on_acceptance = models.BooleanField(
        _("an accepted quote becomes an order at once"),
        default=False,
        help_text=_("Off: you convert accepted quotes yourself."),
    )
    quotes_from_cart = models.BooleanField(
        _("customers can request a quote from the cart"),
        default=False,
        help_text=_('The cart shows "Request a quote" next to checkout.'),
    )
    quote_terms_nl = models.TextField(_("quote terms (Dutch)"), blank=True)
    quote_terms_en = models.TextField(_("quote terms (English)"), blank=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        verbose_name = _("workflow settings")
        verbose_name_plural = _("workflow settings")

    def __str__(self) -> str:
        return f"{self.shop} workflow"

    def module_enabled(self, module: str) -> bool:
        return bool(getattr(self, f"{module}_enabled"))


class StatusAppearance(models.Model):
    """A shop's own colours (and, where allowed, labels) for one fixed status of one document kind.

    Only statuses the shop changed have a row; the others show their defaults
    (``kantoor.shops.document_statuses``). A blank label means the default label.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="status_appearances")
    kind = models.CharField(_("document kind"), max_length=10)
    code = models.CharField(_("status"), max_length=40)
    background = models.CharField(_("background colour"), max_length=7)
    text = models.CharField(_("text colour"), max_length=7)
    label_nl = models.CharField(_("label (Dutch)"), max_length=40, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("status appearance")
        verbose_name_plural = _("status appearances")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "code"], name="statusappearance_unique_shop_kind_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.kind}:{self.code}"


class SettingsChange(models.Model):
    """The audit log of settings: who changed which field, when, from what to what. Append-only."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="settings_changes")
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_label = models.CharField(_("who"), max_length=200)
    section = models.CharField(_("section"), max_length=40)
    field = models.CharField(_("field"), max_length=120)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("settings change")
        verbose_name_plural = _("settings changes")
        indexes = [models.Index(fields=["shop", "-created_at"], name="settingschange_shop_created")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.section}.{self.field}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Settings changes are append-only.")
        super().save(*args, **kwargs)
