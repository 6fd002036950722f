"""Forms of the e-mail settings: a template's text, and the statuses that send an e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kantoor.core.statuses import OrderStatus
from kantoor.messaging.rendering import MAX_TEMPLATE_CHARS, template_error


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        error_messages={"required": _("Enter a subject.")},
        widget=forms.TextInput(attrs={"class": "form-control", "spellcheck": "true"}),
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Plain text. Use the variables on the right, e.g. {{ order_number }}; "
            "{% if … %} and {% for … %} work too."
        ),
        max_length=MAX_TEMPLATE_CHARS,
        error_messages={"required": _("Enter the text of the e-mail.")},
        widget=forms.Textarea(
            attrs={"class": "form-control kt-mono", "rows": 18, "spellcheck": "true"}
        ),
        strip=False,
    )

    def _clean_template(self, name: str) -> str:
        value = self.cleaned_data[name]
        problem = template_error(value)
        if problem:
            raise forms.ValidationError(
                _("This template has an error: %(error)s"), params={"error": problem}
            )
        return value

    def clean_subject(self) -> str:
        return self._clean_template("subject")

    def clean_body(self) -> str:
        if not self.cleaned_data["body"].strip():
            raise forms.ValidationError(_("Enter the text of the e-mail."))
        return self._clean_template("body")


class StatusMessagesForm(forms.Form):
    statuses = forms.TypedMultipleChoiceField(
        label=_("E-mail the customer when an order becomes"),
        choices=[(s.value, s.label) for s in OrderStatus if s != OrderStatus.NEW],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
