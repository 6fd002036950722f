"""Forms of the settings pages: they parse and validate; the services change and record."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantoor.core.statuses import OrderStatus
from kantoor.numbering.formatting import InvalidPrefix, validate_prefix
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.selectors import last_counter_value, preview_next_number
from kantoor.payments.models import Provider
from kantoor.shops.contrast import MIN_CONTRAST, contrast_ratio, is_hex_colour
from kantoor.shops.document_statuses import STATUSES, StatusKind
from kantoor.shops.models import WorkflowSettings
from kantoor.shops.services import (
    MAX_PADDING,
    WORKFLOW_FIELDS,
    SeriesSettings,
    StatusLook,
    unreadable_colours_message,
)

COLOUR_ERROR = _("Enter a colour as # and six hexadecimal digits, for example #1e3a8a.")


def validate_colour(value: str) -> None:
    if not is_hex_colour(value):
        raise ValidationError(COLOUR_ERROR)


class ColourField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=7,
            validators=[validate_colour],
            error_messages={"required": COLOUR_ERROR, "max_length": COLOUR_ERROR},
            widget=forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
            **kwargs,
        )

    def clean(self, value):
        return super().clean(value).lower()


def _key(kind: str, code: str) -> str:
    return f"{kind}__{code}"


class StatusesForm(forms.Form):
    """Colours of every status of every document kind, labels where a label is not fixed."""

    def __init__(self, *args, appearances, **kwargs):
        super().__init__(*args, **kwargs)
        self.appearances = appearances
        for kind, statuses in STATUSES.items():
            for status in statuses:
                row = appearances.row(kind, status.code)
                key = _key(kind, status.code)
                label = str(status.label)
                self.fields[f"{key}__background"] = ColourField(
                    label=_("Background colour of %(status)s") % {"status": label},
                    initial=row.background if row else status.background,
                )
                self.fields[f"{key}__text"] = ColourField(
                    label=_("Text colour of %(status)s") % {"status": label},
                    initial=row.text if row else status.text,
                )
                if not status.label_fixed:
                    for lang, name in (("nl", _("Dutch")), ("en", _("English"))):
                        self.fields[f"{key}__label_{lang}"] = forms.CharField(
                            label=_("Label of %(status)s (%(language)s)")
                            % {"status": label, "language": name},
                            required=False,
                            max_length=40,
                            initial=getattr(row, f"label_{lang}", "") if row else "",
                            widget=forms.TextInput(
                                attrs={
                                    "class": "form-control form-control-sm",
                                    "placeholder": label,
                                }
                            ),
                        )

    def clean(self):
        """A badge must be readable (4.5:1): the text colour field says so, nothing is saved."""
        data = super().clean()
        for kind, statuses in STATUSES.items():
            for status in statuses:
                key = _key(kind, status.code)
                background, text = data.get(f"{key}__background"), data.get(f"{key}__text")
                if background and text:
                    message = unreadable_colours_message(text, background)
                    if message:
                        self.add_error(f"{key}__text", message)
        return data

    def add_service_errors(self, errors: dict[tuple[str, str], str]) -> None:
        for (kind, code), message in errors.items():
            self.add_error(f"{_key(kind, code)}__text", message)

    def sections(self):
        """The form as the page shows it: per document kind, per status its fields and badge."""
        result = []
        for kind, statuses in STATUSES.items():
            rows = []
            for status in statuses:
                key = _key(kind, status.code)
                background = self[f"{key}__background"]
                text = self[f"{key}__text"]
                bg_value, text_value = background.value(), text.value()
                ratio = (
                    contrast_ratio(text_value, bg_value)
                    if is_hex_colour(bg_value or "") and is_hex_colour(text_value or "")
                    else None
                )
                badge = self.appearances.badge(kind, status.code)
                rows.append(
                    {
                        "status": status,
                        "key": key,
                        "background": background,
                        "text": text,
                        "label_nl": None if status.label_fixed else self[f"{key}__label_nl"],
                        "label_en": None if status.label_fixed else self[f"{key}__label_en"],
                        "preview_label": badge.label,
                        "preview_background": bg_value if ratio is not None else badge.background,
                        "preview_text": text_value if ratio is not None else badge.text,
                        "ratio": ratio,
                        "readable": ratio is None or ratio >= MIN_CONTRAST,
                        "customised": self.appearances.row(kind, status.code) is not None,
                    }
                )
            result.append({"kind": kind, "label": StatusKind(kind).label, "rows": rows})
        return result

    def looks(self) -> dict[tuple[str, str], StatusLook]:
        data = self.cleaned_data
        looks = {}
        for kind, statuses in STATUSES.items():
            for status in statuses:
                key = _key(kind, status.code)
                looks[(kind, status.code)] = StatusLook(
                    background=data[f"{key}__background"],
                    text=data[f"{key}__text"],
                    label_nl=data.get(f"{key}__label_nl", ""),
                    label_en=data.get(f"{key}__label_en", ""),
                )
        return looks


class NumbersForm(forms.Form):
    """Prefix, padding and yearly restart of each number series; credit invoices' series."""

    credit_invoices_share_invoice_series = forms.BooleanField(
        label=_("Credit invoices share the invoice series"),
        help_text=_("On: a credit invoice gets the next invoice number. Off: its own series."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )

    def __init__(self, *args, series, workflow: WorkflowSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series
        self.fields[
            "credit_invoices_share_invoice_series"
        ].initial = workflow.credit_invoices_share_invoice_series
        for row in series:
            kind_label = DocumentKind(row.kind).label
            self.fields[f"{row.kind}__prefix"] = forms.CharField(
                label=_("Prefix of %(kind)s numbers") % {"kind": kind_label},
                required=False,
                max_length=40,
                initial=row.prefix,
                widget=forms.TextInput(
                    attrs={"class": "form-control kt-mono", "spellcheck": "false"}
                ),
            )
            self.fields[f"{row.kind}__padding"] = forms.IntegerField(
                label=_("Digits of %(kind)s numbers") % {"kind": kind_label},
                min_value=0,
                max_value=MAX_PADDING,
                initial=row.padding,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
            self.fields[f"{row.kind}__yearly_restart"] = forms.BooleanField(
                label=_("Restart %(kind)s numbers every year") % {"kind": kind_label},
                required=False,
                initial=row.yearly_restart,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def clean(self):
        data = super().clean()
        for row in self.series:
            prefix = data.get(f"{row.kind}__prefix")
            if prefix is None:
                continue
            try:
                validate_prefix(prefix, yearly_restart=data.get(f"{row.kind}__yearly_restart"))
            except InvalidPrefix as error:
                self.add_error(f"{row.kind}__prefix", str(error))
        return data

    def rows(self):
        today = timezone.localdate()
        return [
            {
                "series": row,
                "next_number": preview_next_number(shop=row.shop_id, kind=row.kind, on=today),
                "last_yearly": last_counter_value(
                    shop=row.shop_id, kind=row.kind, yearly_restart=True, on=today
                ),
                "last_always": last_counter_value(
                    shop=row.shop_id, kind=row.kind, yearly_restart=False, on=today
                ),
                "label": DocumentKind(row.kind).label,
                "prefix": self[f"{row.kind}__prefix"],
                "padding": self[f"{row.kind}__padding"],
                "yearly_restart": self[f"{row.kind}__yearly_restart"],
            }
            for row in self.series
        ]

    def series_settings(self) -> dict[str, SeriesSettings]:
        data = self.cleaned_data
        return {
            row.kind: SeriesSettings(
                prefix=data[f"{row.kind}__prefix"],
                padding=data[f"{row.kind}__padding"],
                yearly_restart=bool(data[f"{row.kind}__yearly_restart"]),
            )
            for row in self.series
        }


def _switch(field: forms.Field) -> None:
    field.widget = forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"})


class ReturnsSettingsForm(forms.ModelForm):
    class Meta:
        model = WorkflowSettings
        fields = WORKFLOW_FIELDS["returns"]
        widgets = {
            "return_period_days": forms.NumberInput(
                attrs={"class": "form-control", "min": 0, "max": 365}
            ),
            "return_restocking_fee_percent": forms.NumberInput(
                attrs={"class": "form-control", "min": 0, "max": 100, "step": "0.01"}
            ),
            "returns_intro_nl": forms.Textarea(attrs={"class": "form-control", "rows": 3}),
            "returns_intro_en": forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        }
        labels = {"returns_enabled": _("Returns are on")}
        help_texts = {
            "returns_enabled": _("Off: customers cannot return anything and the menu hides it."),
            "returns_intro_nl": _("Shown above the return form, for customers who read Dutch."),
            "returns_intro_en": _("Shown above the return form, for customers who read English."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "returns_enabled",
            "returns_self_service",
            "returns_for_guests",
            "return_refunds_shipping",
        ):
            _switch(self.fields[name])
        self.fields["return_period_days"].min_value = 0
        self.fields["return_period_days"].max_value = 365
        self.fields["return_restocking_fee_percent"].required = False  # empty: no fee

    def clean_return_restocking_fee_percent(self):
        return self.cleaned_data["return_restocking_fee_percent"] or Decimal("0.00")


class QuotesSettingsForm(forms.ModelForm):
    class Meta:
        model = WorkflowSettings
        fields = WORKFLOW_FIELDS["quotes"]
        widgets = {
            "quote_validity_days": forms.NumberInput(
                attrs={"class": "form-control", "min": 1, "max": 365}
            ),
            "quote_reminder_days": forms.NumberInput(
                attrs={"class": "form-control", "min": 0, "max": 60}
            ),
            "quote_terms_nl": forms.Textarea(attrs={"class": "form-control", "rows": 4}),
            "quote_terms_en": forms.Textarea(attrs={"class": "form-control", "rows": 4}),
        }
        help_texts = {
            "quote_terms_nl": _("On the quote and its page, for customers who read Dutch."),
            "quote_terms_en": _("On the quote and its page, for customers who read English."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("quotes_convert_on_acceptance", "quotes_from_cart"):
            _switch(self.fields[name])
        self.fields["quote_validity_days"].min_value = 1
        self.fields["quote_validity_days"].max_value = 365
        self.fields["quote_reminder_days"].min_value = 0
        self.fields["quote_reminder_days"].max_value = 60


class ModulesForm(forms.ModelForm):
    class Meta:
        model = WorkflowSettings
        fields = WORKFLOW_FIELDS["modules"]
        labels = {"quotes_enabled": _("Quotes"), "returns_enabled": _("Returns")}
        help_texts = {
            "quotes_enabled": _("Write quotes and let customers accept them on their account."),
            "returns_enabled": _("Let customers send goods back, and handle their returns."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            _switch(self.fields[name])


class ReturnOptionForm(forms.Form):
    label_nl = forms.CharField(
        label=_("Label in Dutch"),
        max_length=80,
        error_messages={"required": _("Enter the label in Dutch.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    label_en = forms.CharField(
        label=_("Label in English"),
        max_length=80,
        error_messages={"required": _("Enter the label in English.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


# --- Payments --------------------------------------------------------------------------------

# An order that becomes paid never moves back to "Awaiting payment", nor to "Cancelled".
STATUS_WHEN_PAID_EXCLUDED = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED})


class PaymentWorkflowForm(forms.ModelForm):
    """Workflow > Payments: where an order awaiting payment goes once it is paid."""

    status_when_paid = forms.TypedChoiceField(
        label=_("When an order awaiting payment is paid, move it to"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Only orders with the status Awaiting payment move; the order shows as paid either way."
        ),
        error_messages={"invalid_choice": _("Choose one of the statuses in the list.")},
        widget=forms.Select(attrs={"class": "form-select kt-inv-field"}),
    )

    class Meta:
        model = WorkflowSettings
        fields = WORKFLOW_FIELDS["payments"]

    def __init__(self, *args, status_labels: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels or {status: status.label for status in OrderStatus}
        self.fields["status_when_paid"].choices = [("", _("Keep the status it has"))] + [
            (status.value, labels[status])
            for status in OrderStatus
            if status not in STATUS_WHEN_PAID_EXCLUDED
        ]


class PaymentProviderForm(forms.Form):
    """Settings > Payments: the provider and its key. A key is never shown back."""

    provider = forms.ChoiceField(
        label=_("Payment provider"),
        choices=[
            (Provider.DEMO.value, _("Demo — test mode, no real money")),
            (Provider.MOLLIE.value, _("Mollie")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Choose the demo provider or Mollie."),
            "invalid_choice": _("Choose the demo provider or Mollie."),
        },
    )
    mollie_api_key = forms.CharField(
        label=_("Mollie API key"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "class": "form-control kt-mono",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "live_…",
            },
        ),
        help_text=_(
            "From Mollie's dashboard, Developers > API keys: starts with live_ (real payments) "
            "or test_ (Mollie's test mode)."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("provider") == Provider.DEMO and data.get("mollie_api_key"):
            self.add_error(
                "mollie_api_key",
                _("A Mollie key is saved with Mollie chosen: choose Mollie, or empty the field."),
            )
        return data
