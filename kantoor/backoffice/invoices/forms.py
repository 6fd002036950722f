"""Forms of the invoice pages: a new (correction) invoice, crediting, paid by hand, the list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.lists import IndexListForm, list_query, search_field
from kantoor.core.parsing import CalendarDateField
from kantoor.invoices.list_selectors import InvoiceFilters
from kantoor.invoices.models import InvoiceKind, PaymentState
from kantoor.invoices.services import MAX_PAYMENT_NOTE


class NewInvoiceForm(forms.Form):
    """Issue the proposed correction. ``proposal`` is a fingerprint of what the owner saw: when
    the order changed in between, the new proposal is shown instead of issuing something else."""

    proposal = forms.CharField(widget=forms.HiddenInput, max_length=64)
    corrects = forms.TypedChoiceField(
        label=_("Corrects invoice"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "The invoice to credit first. What was invoiced on another invoice is credited "
            "on a credit invoice of its own, referring to that invoice."
        ),
    )

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].choices = [
            (invoice.pk, invoice.number) for invoice in invoices if invoice.kind == "debit"
        ]


class CreditForm(forms.Form):
    """Credit a whole invoice or the ticked lines of it."""

    line = forms.TypedMultipleChoiceField(
        label=_("Lines to credit"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one line to credit."),
            "invalid_choice": _("Choose lines of this invoice."),
        },
    )

    def __init__(self, *args, invoice_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = list(invoice_lines)
        self.fields["line"].choices = [(line.pk, line.description) for line in self.invoice_lines]

    def line_ids(self) -> list[int] | None:
        """The chosen lines; None when every line is chosen (the whole invoice)."""
        chosen = self.cleaned_data["line"]
        if set(chosen) == {line.pk for line in self.invoice_lines}:
            return None
        return chosen


class AmountField(forms.CharField):
    """An amount in euros as people type it: 12.50, 12,50, € 1.234,56. Two decimals at most."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 12.50."),
        "min_value": _("Enter an amount above zero."),
        "max_digits": _("That amount is too large."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace("€", "").replace("\u00a0", "").replace(" ", "")
        if text.count(",") + text.count(".") > 1:
            # The last separator is the decimal one; the others separate thousands.
            decimal_at = max(text.rfind(","), text.rfind("."))
            text = (
                text[:decimal_at].replace(",", "").replace(".", "") + "." + text[decimal_at + 1 :]
            )
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
            if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
                raise InvalidOperation(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount <= 0:
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value")
        if amount >= Decimal(10) ** 12:
            raise forms.ValidationError(self.error_messages["max_digits"], code="max_digits")
        return amount.quantize(Decimal("0.01"))


class MarkPaidForm(forms.Form):
    paid_on = CalendarDateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date the payment was received."),
            "invalid": _("Enter a valid date."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_PAYMENT_NOTE,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": _("E.g. bank transfer, ING statement 14"),
            }
        ),
        help_text=_("Optional; shown on the order's history."),
    )

    amount = AmountField(
        label=_("Amount received"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "decimal", "maxlength": 30}
        ),
        help_text=_("The whole amount due marks the invoice paid; less is recorded as part paid."),
    )

    def __init__(self, *args, with_amount: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_amount:  # a credit invoice is paid back in full
            del self.fields["amount"]

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


# --- The invoice list ---------------------------------------------------------------------------

FILTER_PARAMS = ("q", "type", "state", "date_from", "date_to")


class InvoiceListForm(IndexListForm):
    """What the list shows, read from the URL. Invalid parts are reported and left out."""

    q = search_field(_("Invoice or order number, customer name, e-mail or company"))
    type = forms.MultipleChoiceField(
        label=_("Type"),
        choices=InvoiceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    state = forms.MultipleChoiceField(
        label=_("State"),
        choices=PaymentState.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def filters(self) -> InvoiceFilters:
        data = getattr(self, "cleaned_data", {})
        return InvoiceFilters(
            kinds=tuple(data.get("type") or ()),
            states=tuple(data.get("state") or ()),
            date_from=data.get("date_from"),
            date_to=self.valid_date_to(),
            query=data.get("q") or "",
        )


def filter_query(filters: InvoiceFilters, **changes) -> QueryDict:
    """The URL parameters of a filter state, empty ones left out (clean, bookmarkable URLs)."""
    values = {
        "q": filters.query,
        "type": list(filters.kinds),
        "state": list(filters.states),
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    values.update(changes)
    return list_query(values, FILTER_PARAMS)
