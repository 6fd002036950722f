"""The Export page's form: the columns (of the chosen kind, in its order), the file format and
the CSV separator. The kind and the list's filter come beside it (export_views)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kantoor.reports.exports.models import ExportFormat

SEPARATOR_CHOICES = [
    (";", _("Semicolon and decimal comma (Dutch Excel)")),
    (",", _("Comma and decimal point (international)")),
]


class ExportForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one column."),
            "invalid_choice": _("“%(value)s” is not a column of this export."),
        },
    )
    format = forms.ChoiceField(
        label=_("File"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose CSV or Excel (XLSX).")},
    )
    separator = forms.ChoiceField(
        label=_("CSV layout"),
        choices=SEPARATOR_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose a semicolon or a comma between the cells.")},
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["columns"].choices = [(c.key, str(c.label)) for c in kind.columns]

    def clean_columns(self):
        chosen = set(self.cleaned_data["columns"])
        return [column.key for column in self.kind.columns if column.key in chosen]

    def clean_separator(self):
        return self.cleaned_data.get("separator") or ";"
