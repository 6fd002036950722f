"""Forms of the order pages: they parse and check what staff typed, nothing more."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kantoor.core.pricing import MAX_QUANTITY, ShippingMethod
from kantoor.core.statuses import allowed_next_statuses
from kantoor.customers.countries import COUNTRIES, clean_postcode
from kantoor.customers.services import AddressData
from kantoor.orders.services import MAX_NOTE_LENGTH, LineEdit
from kantoor.shops.models import Language


class BackofficeForm(forms.Form):
    """Bootstrap classes on every widget; labels above fields (see the field include)."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class StatusChangeForm(BackofficeForm):
    status = forms.TypedChoiceField(label=_("New status"), coerce=int)

    def __init__(self, *args, order, status_labels: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status.value, status_labels[status]) for status in allowed_next_statuses(order.status)
        ]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "Choose one of the statuses this order can move to."
        )


class NoteForm(BackofficeForm):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_NOTE_LENGTH,
        help_text=_("Only you and your staff see notes; the customer never does."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a note first.")},
    )


class AddressForm(BackofficeForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="NL")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {
            "name": _("Enter a name."),
            "street": _("Enter the street and house number."),
            "postcode": _("Enter the postcode."),
            "city": _("Enter the city."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message

    def clean(self):
        data = super().clean()
        clean_postcode(self, "postcode", "country")
        return data

    def address(self) -> AddressData:
        data = self.cleaned_data
        return AddressData(**{name: data[name].strip() for name in self.fields})

    @staticmethod
    def initial_from_order(order, prefix: str) -> dict:
        return {
            name: getattr(order, f"{prefix}_{name}")
            for name in ("name", "company", "street", "postcode", "city", "country")
        }


def product_choices(products) -> list[tuple[str, str]]:
    return [("", _("Choose a product"))] + [
        (str(product.pk), f"{product.name} ({product.sku})") for product in products
    ]


class DecimalInput(forms.TextInput):
    """An amount typed as the back office's language writes it: "12,99" in Dutch, "12.99" in
    English (a localized DecimalField reads both; Django's USE_THOUSAND_SEPARATOR stays off, so
    a dot is never taken for a thousands separator). A text box, because a number box only takes
    the browser's own decimal separator and shows a localized value as empty."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class LineForm(BackofficeForm):
    """One line of the edit form: an existing line (line_id) or a new product line."""

    line_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "required": _("Enter a quantity."),
            "min_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            "max_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            "invalid": _("Enter a quantity as a whole number."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for the catalogue price."),
        error_messages={
            "min_value": _("A unit price cannot be negative."),
            "invalid": _("Enter a price like 12.50."),
        },
        localize=True,  # "12,99" in Dutch (and "12.99"): see DecimalInput
        widget=DecimalInput(),
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.choices = product_choices(products)
        field.error_messages["invalid_choice"] = _("Choose a product from your catalogue.")

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if not data.get("line_id") and not data.get("product") and "product" not in self.errors:
            self.add_error("product", _("Choose a product from your catalogue."))
        return data

    def line_edit(self) -> LineEdit:
        data = self.cleaned_data
        return LineEdit(
            line_id=data.get("line_id") or None,
            product_id=None if data.get("line_id") else data.get("product"),
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
        )


class CheckboxDeleteMixin:
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


class BaseLineFormSet(CheckboxDeleteMixin, forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(
                _("An order needs at least one line; cancel the order instead.")
            )

    def line_edits(self) -> list[LineEdit]:
        return [
            form.line_edit()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, can_delete=True, max_num=200, validate_max=True
)


class OrderEditForm(BackofficeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    shipping_cost = forms.DecimalField(
        label=_("Shipping cost"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": _("Enter the shipping cost (0 for none)."),
            "min_value": _("The shipping cost cannot be negative."),
            "invalid": _("Enter an amount like 6.95."),
        },
        localize=True,
        widget=DecimalInput(),
    )


class NewLineForm(BackofficeForm):
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "required": _("Enter a quantity."),
            "min_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            "max_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.choices = product_choices(products)
        field.error_messages["invalid_choice"] = _("Choose a product from your catalogue.")
        field.error_messages["required"] = _("Choose a product from your catalogue.")


class BaseNewLineFormSet(CheckboxDeleteMixin, forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]:
            raise forms.ValidationError(_("Add at least one product."))


NewLineFormSet = forms.formset_factory(
    NewLineForm, formset=BaseNewLineFormSet, extra=0, min_num=1, can_delete=True, max_num=200
)


class NewOrderForm(BackofficeForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The order confirmation goes here; an existing customer is found by it."),
        error_messages={
            "required": _("Enter the customer's e-mail address."),
            "invalid": _("Enter an e-mail address in the right format, like name@example.com."),
        },
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter the customer's first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Enter the customer's last name.")},
    )
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    separate_delivery = forms.BooleanField(label=_("Deliver to another address"), required=False)
    shipping_method = forms.ChoiceField(
        label=_("Shipping"),
        choices=ShippingMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the customer receives the order.")},
    )
    note = forms.CharField(
        label=_("Note from the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        if not shop.allows_pickup:
            self.fields["shipping_method"].choices = [
                c for c in ShippingMethod.choices if c[0] != ShippingMethod.PICKUP
            ]
