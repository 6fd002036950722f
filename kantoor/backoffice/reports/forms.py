"""The period pickers: the VAT return's (the whole year, a quarter or a month of a year) and the
Statistics page's (a period or a custom range, a comparison, a grouping)."""

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
from kantoor.reports.statistics import (
    COMPARISONS,
    DEFAULT_COMPARISON,
    DEFAULT_PRESET,
    GROUPINGS,
    PRESETS,
    StatisticsRange,
    statistics_range,
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


METRICS = {
    "net_sales": _("Net sales"),
    "orders": _("Orders"),
    "units": _("Units sold"),
    "total": _("Total incl. VAT"),
}


class StatisticsForm(forms.Form):
    """The Statistics page's picker: a period (or a custom range of at most five years), what
    to compare it with, the grouping of the chart and the figure it shows."""

    preset = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()))
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare = forms.ChoiceField(label=_("Compare with"), choices=list(COMPARISONS.items()))
    group = forms.ChoiceField(label=_("Group by"), choices=list(GROUPINGS.items()))
    metric = forms.ChoiceField(label=_("Chart"), choices=list(METRICS.items()))

    FIELDS = ("preset", "start", "end", "compare", "group", "metric")
    DEFAULTS = {
        "preset": DEFAULT_PRESET,
        "compare": DEFAULT_COMPARISON,
        "group": "auto",
        "metric": "net_sales",
    }

    def __init__(self, data=None):
        super().__init__(data)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    @classmethod
    def from_query(cls, query) -> StatisticsForm:
        data = {name: query.get(name, cls.DEFAULTS.get(name, "")) for name in cls.FIELDS}
        if "preset" not in query and (query.get("start") or query.get("end")):
            # Dates given without a period: they are the range wanted.
            data["preset"] = "custom"
        return cls(data)

    def statistics_range(self, *, shop) -> StatisticsRange | None:
        """The chosen range, or None (with the reason among the form's errors)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return statistics_range(
                shop=shop,
                preset=data["preset"],
                start=data["start"],
                end=data["end"],
                comparison=data["compare"],
                grouping=data["group"],
            )
        except InvalidPeriod as error:
            self.add_error("end" if data["preset"] == "custom" else None, error.message)
            return None

    def query(self) -> dict[str, str]:
        return {name: str(self.data.get(name) or "") for name in self.FIELDS if self.data.get(name)}
