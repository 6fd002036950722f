"""The return form, as the customer sees it on the account page or the guest page and as staff
fill it in for a customer on the order page. It parses what was chosen; the returns service
checks the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kantoor.core.parsing import parse_id
from kantoor.returns.services import RequestedLine


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one field; each is checked as a photo by the returns service."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReturnForm(forms.Form):
    """The return form: per returnable line how many, why and what the customer would like;
    a comment and photos. Field names are ``line-<order line id>-quantity|reason|action``;
    the returns service checks the rest (and names the field of what it refuses)."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Anything the shop should know, e.g. what is wrong with it."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 5 photos, e.g. of the damage: JPEG, PNG or WebP, at most 5 MB each."),
        widget=MultiplePhotoInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}
        ),
    )

    def __init__(self, *args, returnable, reasons, actions, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        reason_choices = [("", _("Choose a reason"))] + [
            (str(r.pk), r.label_for(language)) for r in reasons
        ]
        action_choices = [("", _("Choose"))] + [(str(a.pk), a.label_for(language)) for a in actions]
        for item in returnable:
            if item.returnable < 1:
                continue
            line = item.line
            prefix = f"line-{line.pk}"
            self.fields[f"{prefix}-quantity"] = forms.TypedChoiceField(
                label=_("How many of %(name)s") % {"name": line.name},
                choices=[(str(n), str(n)) for n in range(item.returnable + 1)],
                coerce=int,
                empty_value=0,
                required=False,
                initial="0",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"{prefix}-reason"] = forms.ChoiceField(
                label=_("Reason"), choices=reason_choices, required=False
            )
            self.fields[f"{prefix}-action"] = forms.ChoiceField(
                label=_("What would you like?"), choices=action_choices, required=False
            )
            for name in ("reason", "action"):
                self.fields[f"{prefix}-{name}"].widget.attrs["class"] = "form-select"
            self.rows.append((item, prefix))
        self.fields["comment"] = self.fields.pop("comment")  # after the lines
        self.fields["photos"] = self.fields.pop("photos")

    def bound_rows(self):
        """(returnable line, quantity, reason, action) bound fields, for the template."""
        return [
            (item, self[f"{p}-quantity"], self[f"{p}-reason"], self[f"{p}-action"])
            for item, p in self.rows
        ]

    def clean(self):
        data = super().clean()
        for _item, prefix in self.rows:
            if data.get(f"{prefix}-quantity"):
                if not data.get(f"{prefix}-reason"):
                    self.add_error(f"{prefix}-reason", _("Choose a reason."))
                if not data.get(f"{prefix}-action"):
                    self.add_error(f"{prefix}-action", _("Choose what you would like."))
        return data

    def requested_lines(self) -> list[RequestedLine]:
        data = self.cleaned_data
        return [
            RequestedLine(
                order_line_id=item.line.pk,
                quantity=data.get(f"{p}-quantity") or 0,
                reason_id=parse_id(data.get(f"{p}-reason")),
                action_id=parse_id(data.get(f"{p}-action")),
            )
            for item, p in self.rows
        ]
