"""Forms of the quote pages: the Quotes list's filters, the quote editor (who it is for, its
terms and its lines), and the steps on a quote's page. They parse what staff typed; the rules
(what a quote may hold, which step may follow which) are the quotes services'."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.lists import IndexListForm, list_query, search_field
from kantoor.backoffice.orders.forms import BackofficeForm, CheckboxDeleteMixin, DecimalInput
from kantoor.catalog.models import VAT_RATES
from kantoor.core.money import format_money
from kantoor.core.parsing import CalendarDateField, parse_id
from kantoor.core.pricing import ShippingMethod
from kantoor.customers.countries import COUNTRIES, clean_postcode
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.models import QUOTE_DETAIL_FIELDS, QuoteStatus
from kantoor.quotes.selectors import QUOTE_VIEWS, QuoteFilters
from kantoor.quotes.services import QuoteDetails, QuoteLineInput
from kantoor.quotes.services.drafting import MAX_LINES, MAX_NOTE
from kantoor.shops.models import Language

# --- The Quotes list ---------------------------------------------------------------------------

FILTER_PARAMS = ("q", "view", "status", "date_from", "date_to")


class QuoteListForm(IndexListForm):
    """What the Quotes list shows, read from the URL. Invalid parts are reported and left out."""

    q = search_field(_("Quote number, customer, company or e-mail"))
    view = forms.ChoiceField(
        choices=[("", ""), *((view, view) for view in QUOTE_VIEWS)],
        required=False,
        widget=forms.HiddenInput,
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=QuoteStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def filters(self) -> QuoteFilters:
        data = getattr(self, "cleaned_data", {})
        return QuoteFilters(
            statuses=tuple(data.get("status") or ()),
            view=data.get("view") or "",
            date_from=data.get("date_from"),
            date_to=self.valid_date_to(),
            query=data.get("q") or "",
        )


def filter_query(filters: QuoteFilters, **changes) -> QueryDict:
    """The URL parameters of a filter state, empty ones left out (clean, bookmarkable URLs)."""
    values = {
        "q": filters.query,
        "view": filters.view,
        "status": list(filters.statuses),
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    values.update(changes)
    return list_query(values, FILTER_PARAMS)


# The list's bulk actions: cancel, or give the quotes this many more days.
BULK_EXTEND_DAYS = (7, 14, 30)
BULK_ACTIONS = ("cancel", *(f"extend-{days}" for days in BULK_EXTEND_DAYS))


def bulk_extension(action: str) -> int | None:
    """The days an "extend-<days>" bulk action adds, or None for another action."""
    if not action.startswith("extend-"):
        return None
    days = parse_id(action.removeprefix("extend-"))
    return days if days in BULK_EXTEND_DAYS else None


def extended_date(valid_until: datetime.date, days: int, today: datetime.date) -> datetime.date:
    """A quote's new last day: ``days`` after its last day, or after today once that passed."""
    return max(valid_until, today) + datetime.timedelta(days=days)


# --- The editor --------------------------------------------------------------------------------


class QuoteForm(BackofficeForm):
    """Who the quote is for (a customer of the shop, or a prospect's details) and its terms."""

    customer = forms.CharField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The quote goes here; a customer of your shop is found by it."),
        error_messages={
            "required": _("Enter the e-mail address the quote goes to."),
            "invalid": _("Enter an e-mail address in the right format, like name@example.com."),
        },
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=30,
        required=False,
        help_text=_("A business in another EU country with a VAT number pays no Dutch VAT."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="NL")
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("The quote and its e-mails are in this language."),
    )
    shipping_method = forms.ChoiceField(
        label=_("Shipping"),
        choices=ShippingMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the customer receives the order.")},
    )
    valid_until = CalendarDateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 31-12-2026.")},
    )
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("Shown on the quote and in its e-mail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("Only you and your staff see this."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, shop, validity_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        if not shop.allows_pickup:
            self.fields["shipping_method"].choices = [
                c for c in ShippingMethod.choices if c[0] != ShippingMethod.PICKUP
            ]
        self.fields["valid_until"].help_text = _(
            "Your usual validity is %(days)d days; empty: %(days)d days from today."
        ) % {"days": validity_days}

    def clean(self):
        data = super().clean()
        clean_postcode(self, "postcode", "country")
        return data

    def details(self) -> QuoteDetails:
        data = self.cleaned_data
        return QuoteDetails(
            customer_id=parse_id(data.get("customer")),
            valid_until=data.get("valid_until"),
            **{
                name: data[name].strip() if isinstance(data[name], str) else data[name]
                for name in (
                    "email",
                    "first_name",
                    "last_name",
                    "company",
                    "vat_number",
                    "phone",
                    "street",
                    "postcode",
                    "city",
                    "country",
                    "language",
                    "shipping_method",
                    "note",
                    "internal_note",
                )
            },
        )

    @staticmethod
    def initial_from_quote(quote) -> dict:
        return {
            "customer": quote.customer_id or "",
            **{name: getattr(quote, name) for name in QUOTE_DETAIL_FIELDS},
        }

    @staticmethod
    def initial_from_customer(customer, billing) -> dict:
        """A customer's details (and their default billing address, if any) for a new quote."""
        initial = {
            "customer": customer.pk,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "company": customer.company,
            "vat_number": customer.vat_number,
            "phone": customer.phone,
            "language": customer.language,
        }
        initial.update(
            street=billing.street if billing else "",
            postcode=billing.postcode if billing else "",
            city=billing.city if billing else "",
            country=billing.country if billing else "NL",
        )
        return initial


def product_choices(products, currency: str) -> list[tuple[str, str]]:
    return [("", _("No product: a free line"))] + [
        (str(p.pk), f"{p.name} ({p.sku}) · {format_money(p.price, currency)}") for p in products
    ]


def vat_choices() -> list[tuple[str, str]]:
    return [("", _("Product's rate"))] + [
        (str(rate), f"{rate.normalize():f}%") for rate in VAT_RATES
    ]


class QuoteLineForm(BackofficeForm):
    """One line: a product of the catalogue (its price proposed, editable) or a free line with
    its own description, price and VAT rate; a quantity and an optional discount."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Description (a product: its name)")}),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        error_messages={
            "required": _("Enter a quantity."),
            "invalid": _("Enter a quantity as a whole number."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        error_messages={"invalid": _("Enter a price like 12.50.")},
        localize=True,  # "12,99" in Dutch (and "12.99"): see DecimalInput
        widget=DecimalInput(attrs={"placeholder": _("Catalogue price")}),
    )
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"),
        required=False,
        error_messages={"invalid": _("A discount is a percentage between 0 and 100.")},
        localize=True,
        widget=DecimalInput(attrs={"placeholder": "0"}),
    )
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"), coerce=Decimal, required=False, empty_value=None
    )

    def __init__(self, *args, products=(), currency="EUR", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.choices = product_choices(products, currency)
        field.error_messages["invalid_choice"] = _("Choose a product from your catalogue.")
        rate = self.fields["vat_rate"]
        rate.choices = vat_choices()
        rate.error_messages["invalid_choice"] = _("Choose a VAT rate.")

    def line_input(self) -> QuoteLineInput:
        data = self.cleaned_data
        return QuoteLineInput(
            product_id=data.get("product") or None,
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            description=(data.get("description") or "").strip(),
            vat_rate=data.get("vat_rate"),
            discount_percent=data.get("discount_percent") or Decimal("0"),
        )

    @staticmethod
    def initial_from_line(line) -> dict:
        """A stored line as the editor shows it: a product line's VAT rate is the product's
        unless the quote gave it another."""
        rate = line.vat_rate
        if line.product is not None and line.product.vat_rate == rate:
            rate = ""
        return {
            "product": line.product_id or "",
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent or "",
            "vat_rate": "" if rate == "" else str(rate),
        }


class BaseQuoteLineFormSet(CheckboxDeleteMixin, forms.BaseFormSet):
    def kept_forms(self) -> list[QuoteLineForm]:
        """The lines that are not removed, in order (the service numbers them from 0)."""
        return [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def line_inputs(self) -> list[QuoteLineInput]:
        return [form.line_input() for form in self.kept_forms()]


QuoteLineFormSet = forms.formset_factory(
    QuoteLineForm,
    formset=BaseQuoteLineFormSet,
    extra=0,
    min_num=1,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
)


# A line's field as the services name it: "lines-<index among the lines given>-<field>".
LINE_FIELD = re.compile(r"lines-(?P<index>[0-9]{1,4})-(?P<name>[a-z_]+)")


def show_refusal(refused: QuoteError, form: QuoteForm, formset: BaseQuoteLineFormSet) -> bool:
    """Put a service's refusal next to the field it names (``email``, ``valid_until``,
    ``lines-<index>-quantity`` …); False when it names none of them (then it goes on top)."""
    field = refused.field or ""
    if field in form.fields and field != "customer":
        form.add_error(field, refused.message)
        return True
    line = LINE_FIELD.fullmatch(field)
    if line is not None:
        index, name = int(line["index"]), line["name"]
        kept = formset.kept_forms()
        if index < len(kept) and name in kept[index].fields:
            kept[index].add_error(name, refused.message)
            return True
    return False


# --- The steps on a quote's page ---------------------------------------------------------------


class ExtendForm(BackofficeForm):
    valid_until = CalendarDateField(
        label=_("New last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Choose the new last day of the quote."),
            "invalid": _("Enter a date like 31-12-2026."),
        },
    )


class CancelForm(BackofficeForm):
    reason = forms.CharField(
        label=_("Reason (optional; kept in the history)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
