"""The period picker of the VAT return: the whole year, a quarter or a month of a year."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantoor.reports.errors import InvalidPeriod
from kantoor.reports.periods import (
    MAX_YEAR,
    MIN_YEAR,
    QUARTERS,
    VatPeriod,
    period_choices,
    period_of,
)


def default_period_values() -> dict[str, str]:
    """The quarter before today's: the return most often filed next."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3  # 0-based: the previous quarter
    year = today.year if quarter else today.year - 1
    return {"period": QUARTERS[quarter - 1], "year": str(year)}


class VatPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=())
    year = forms.IntegerField(
        label=_("Year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "kt-year-input"}),
    )

    def __init__(self, data=None):
        super().__init__(data if data is not None else default_period_values())
        self.fields["period"].choices = period_choices()
        for field in self.fields.values():
            classes = field.widget.attrs.get("class", "")
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = f"{classes} {'form-select' if select else 'form-control'}"

    @classmethod
    def from_query(cls, query) -> VatPeriodForm:
        if "period" in query or "year" in query:
            return cls({"period": query.get("period", ""), "year": query.get("year", "")})
        return cls()

    def vat_period(self) -> VatPeriod | None:
        """The chosen period, or None (with the reason among the form's errors)."""
        if not self.is_valid():
            return None
        try:
            return period_of(self.cleaned_data["year"], self.cleaned_data["period"])
        except InvalidPeriod as error:
            self.add_error(None, error.message)
            return None

    def query(self) -> dict[str, str]:
        return {"period": self.data.get("period", ""), "year": str(self.data.get("year", ""))}
