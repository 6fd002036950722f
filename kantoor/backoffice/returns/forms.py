"""Forms of the returns: the order's Returns tab (a message to the customer, another status, what
arrived) and the Returns list's filters."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kantoor.backoffice.lists import IndexListForm, list_query, search_field
from kantoor.returns.models import HANDLED_RETURN_STATUSES, Reception, ReturnStatus
from kantoor.returns.selectors import STAGES, ReturnFilters, return_options
from kantoor.returns.services import ReceivedLine
from kantoor.shops.document_statuses import StatusKind
from kantoor.shops.selectors import status_appearances_for


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RefundForm(forms.Form):
    """What a refund credits besides the goods that arrived, and what it keeps back."""

    note = NoteForm.base_fields["note"]
    credit_shipping = forms.BooleanField(required=False)
    charge_restocking_fee = forms.BooleanField(required=False)


def return_status_choices(shop, statuses=tuple(ReturnStatus)) -> list[tuple[str, str]]:
    """(code, the shop's name for it) of ``statuses``, for a menu or a filter (one query)."""
    appearances = status_appearances_for(shop=shop)
    return [
        (status.value, appearances.badge(StatusKind.RETURN, status.value).label)
        for status in statuses
    ]


class ReturnStatusForm(forms.Form):
    """An approved return's next status: processing or one of the shop's own three."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in HANDLED_RETURN_STATUSES],
        error_messages={"invalid_choice": _("Choose one of the statuses in the list.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices:  # with the shop's labels
            self.fields["status"].choices = choices


class ReceiveForm(forms.Form):
    """Per line still awaited: how many arrived, back into stock or not, its condition."""

    def __init__(self, *args, return_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.awaiting = [
            line for line in return_request.lines.all() if line.reception == Reception.AWAITING
        ]
        for line in self.awaiting:
            prefix = f"line-{line.pk}"
            self.fields[f"{prefix}-quantity"] = forms.TypedChoiceField(
                label=_("Arrived of %(name)s") % {"name": line.order_line.name},
                choices=[(str(n), str(n)) for n in range(line.quantity, -1, -1)],
                coerce=int,
                initial=str(line.quantity),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{prefix}-restock"] = forms.BooleanField(
                label=_("Back into stock"),
                required=False,
                initial=bool(line.order_line.product_id),
                disabled=not line.order_line.product_id,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"{prefix}-condition"] = forms.CharField(
                label=_("Condition"),
                required=False,
                max_length=300,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("Optional")}
                ),
            )

    def rows(self):
        return [
            (
                line,
                self[f"line-{line.pk}-quantity"],
                self[f"line-{line.pk}-restock"],
                self[f"line-{line.pk}-condition"],
            )
            for line in self.awaiting
        ]

    def received_lines(self) -> list[ReceivedLine]:
        data = self.cleaned_data
        return [
            ReceivedLine(
                line_id=line.pk,
                quantity=data[f"line-{line.pk}-quantity"],
                restock=bool(data.get(f"line-{line.pk}-restock")),
                condition=data.get(f"line-{line.pk}-condition", ""),
            )
            for line in self.awaiting
        ]


FILTER_PARAMS = ("q", "stage", "status", "reason", "action", "date_from", "date_to")


class ReturnListForm(IndexListForm):
    """What the Returns list shows, read from the URL. Invalid parts are reported and left out."""

    q = search_field(_("Return or order number, customer or e-mail"))
    stage = forms.ChoiceField(
        choices=[("", ""), *((stage, stage) for stage in STAGES)],
        required=False,
        widget=forms.HiddenInput,
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=ReturnStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.TypedMultipleChoiceField(
        label=_("Reason"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    action = forms.TypedMultipleChoiceField(
        label=_("Customer asks for"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, shop, status_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        self.fields["reason"].choices = [
            (option.pk, option.label_for(language))
            for option in return_options(shop=shop, list_name="reasons")
        ]
        self.fields["action"].choices = [
            (option.pk, option.label_for(language))
            for option in return_options(shop=shop, list_name="actions")
        ]
        if status_choices:
            self.fields["status"].choices = status_choices

    def filters(self) -> ReturnFilters:
        data = getattr(self, "cleaned_data", {})
        return ReturnFilters(
            statuses=tuple(data.get("status") or ()),
            reasons=tuple(data.get("reason") or ()),
            actions=tuple(data.get("action") or ()),
            stage=data.get("stage") or "",
            date_from=data.get("date_from"),
            date_to=self.valid_date_to(),
            query=data.get("q") or "",
        )


def filter_query(filters: ReturnFilters, **changes) -> QueryDict:
    """The URL parameters of a filter state, empty ones left out (clean, bookmarkable URLs)."""
    values = {
        "q": filters.query,
        "stage": filters.stage,
        "status": list(filters.statuses),
        "reason": list(filters.reasons),
        "action": list(filters.actions),
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    values.update(changes)
    return list_query(values, FILTER_PARAMS)
