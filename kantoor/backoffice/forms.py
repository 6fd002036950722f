from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log-in with e-mail address and password (the user model's USERNAME_FIELD is email)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )

    error_messages = {
        "invalid_login": _(
            "This e-mail address and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account has been switched off. Ask the platform operator."),
    }

    def clean_username(self) -> str:
        # Accounts are stored with a lower-case e-mail address.
        return self.cleaned_data["username"].strip().lower()
