from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.shops.models import Language


class Customer(models.Model):
    """A shop's customer. Belongs to one shop; an account (password) is optional.

    The same e-mail address at two shops is two customers with separate passwords.
    """

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="customers")
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    # Storefront account: an empty password means "no account yet" (guest customer).
    password = models.CharField(_("password"), max_length=255, blank=True)
    last_login = models.DateTimeField(_("last log-in"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["shop", "email"], name="customer_unique_shop_email")
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def has_account(self) -> bool:
        return bool(self.password)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return self.has_account and check_password(raw_password, self.password)

    # Used by Django's PasswordResetTokenGenerator.
    @classmethod
    def get_email_field_name(cls) -> str:
        return "email"


class Address(models.Model):
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="NL")
    is_default_billing = models.BooleanField(_("default billing address"), default=False)
    is_default_delivery = models.BooleanField(_("default delivery address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.name}, {self.street}, {self.postcode} {self.city}"
