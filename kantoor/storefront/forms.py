"""Storefront forms: they parse and check what the customer typed, nothing more."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kantoor.core.pricing import ShippingMethod
from kantoor.customers.countries import COUNTRIES, clean_postcode
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.shops.models import Shop

REQUIRED_MESSAGES = {
    "email": _("Enter your e-mail address."),
    "first_name": _("Enter your first name."),
    "last_name": _("Enter your last name."),
    "street": _("Enter your street and house number."),
    "postcode": _("Enter your postcode."),
    "city": _("Enter your city."),
    "password": _("Enter a password."),
    "shipping_method": _("Choose how you want to receive your order."),
}


class StorefrontForm(forms.Form):
    """Labels above fields, errors next to them (see the field include template)."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        if "email" in self.fields:
            self.fields["email"].error_messages["invalid"] = _(
                "Enter an e-mail address in the right format, like name@example.com."
            )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class CheckoutForm(StorefrontForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send your order confirmation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    company = forms.CharField(
        label=_("Company (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    vat_number = forms.CharField(
        label=_("VAT number (optional)"),
        max_length=20,
        required=False,
        help_text=_("Only for business orders, e.g. NL123456789B01."),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=40,
        required=False,
        help_text=_("Only used if we have a question about your order."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "billing street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "billing postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "billing address-level2"}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="NL")
    other_delivery = forms.BooleanField(
        label=_("Deliver to another address"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    delivery_name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping name"}),
    )
    delivery_company = forms.CharField(
        label=_("Company (optional)"), max_length=200, required=False
    )
    delivery_street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping street-address"}),
    )
    delivery_postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
    )
    delivery_city = forms.CharField(
        label=_("City"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
    )
    delivery_country = forms.ChoiceField(
        label=_("Country"), choices=COUNTRIES, initial="NL", required=False
    )
    shipping_method = forms.ChoiceField(
        label=_("How do you want to receive your order?"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    payment = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=[
            ("now", _("Pay now, online")),
            ("later", _("Pay later, by bank transfer or with the payment link")),
        ],
        required=False,
        initial="later",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note for the shop (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    DELIVERY_FIELDS = ("delivery_name", "delivery_street", "delivery_postcode", "delivery_city")

    def __init__(self, *args, shop: Shop, shipping_labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.shop = shop
        methods = [ShippingMethod.DELIVERY]
        if shop.allows_pickup:
            methods.append(ShippingMethod.PICKUP)
        self.fields["shipping_method"].choices = [(m.value, shipping_labels[m]) for m in methods]
        self.fields["shipping_method"].initial = ShippingMethod.DELIVERY

    def clean_payment(self) -> str:
        """ "now" or "later" (a form without the choice pays later)."""
        return self.cleaned_data.get("payment") or "later"

    @property
    def pays_now(self) -> bool:
        return self.cleaned_data.get("payment") == "now"

    def clean(self):
        data = super().clean()
        if data.get("other_delivery") and data.get("shipping_method") != ShippingMethod.PICKUP:
            for name in self.DELIVERY_FIELDS:
                if not data.get(name, "").strip():
                    self.add_error(
                        name,
                        _("Enter the %(field)s of the delivery address.")
                        % {"field": self.fields[name].label.lower()},
                    )
            if not data.get("delivery_country"):
                data["delivery_country"] = "NL"
        clean_postcode(self, "postcode", "country")
        if data.get("other_delivery") and data.get("shipping_method") != ShippingMethod.PICKUP:
            clean_postcode(self, "delivery_postcode", "delivery_country")
        return data

    def customer_details(self, *, language: str) -> CustomerDetails:
        data = self.cleaned_data
        name = f"{data['first_name'].strip()} {data['last_name'].strip()}".strip()
        billing = AddressData(
            name=name,
            company=data["company"].strip(),
            street=data["street"].strip(),
            postcode=data["postcode"].strip().upper(),
            city=data["city"].strip(),
            country=data["country"],
        )
        delivery = None
        if data["other_delivery"] and data["shipping_method"] != ShippingMethod.PICKUP:
            delivery = AddressData(
                name=data["delivery_name"].strip(),
                company=data["delivery_company"].strip(),
                street=data["delivery_street"].strip(),
                postcode=data["delivery_postcode"].strip().upper(),
                city=data["delivery_city"].strip(),
                country=data["delivery_country"] or "NL",
            )
        return CustomerDetails(
            email=data["email"],
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            billing=billing,
            delivery=delivery,
            company=data["company"].strip(),
            vat_number=data["vat_number"].strip().upper().replace(" ", ""),
            phone=data["phone"].strip(),
            language=language,
        )


class LogInForm(StorefrontForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignUpForm(StorefrontForm):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=pgettext_lazy("new password", "Choose a password"),
        strip=False,
        help_text=_("At least 8 characters. A few words together make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordRequestForm(StorefrontForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class SetPasswordForm(StorefrontForm):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 8 characters. A few words together make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )


class GuestReturnForm(StorefrontForm):
    """The order a guest wants to return something of: its number, e-mail address, postcode."""

    number = forms.CharField(
        label=_("Order number"),
        max_length=40,
        help_text=_("In your order confirmation, e.g. ORD2026-0042."),
        error_messages={"required": _("Enter the order number.")},
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you ordered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        help_text=_("Of the billing or delivery address."),
        error_messages={"required": _("Enter the postcode.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )


class QuoteRequestForm(StorefrontForm):
    """Who asks for a quote for the cart's products, and what they would like to say."""

    email = CheckoutForm.base_fields["email"]
    first_name = CheckoutForm.base_fields["first_name"]
    last_name = CheckoutForm.base_fields["last_name"]
    company = CheckoutForm.base_fields["company"]
    vat_number = CheckoutForm.base_fields["vat_number"]
    phone = CheckoutForm.base_fields["phone"]
    street = CheckoutForm.base_fields["street"]
    postcode = CheckoutForm.base_fields["postcode"]
    city = CheckoutForm.base_fields["city"]
    country = CheckoutForm.base_fields["country"]
    message = forms.CharField(
        label=_("Your message (optional)"),
        required=False,
        max_length=5000,
        help_text=_("E.g. the quantities you are thinking of, or when you need it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
