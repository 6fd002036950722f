from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kantoor.core.throttle import Throttle, Throttled, check_all, client_ip, hit_all

# Wrong passwords per account and per IP address; at the limit even the right one is refused.
LOGIN_PER_ACCOUNT = Throttle("staff-login-account", limit=5, window=15 * 60)
LOGIN_PER_IP = Throttle("staff-login-ip", limit=20, window=15 * 60)


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

    throttled: Throttled | None = None

    def clean_username(self) -> str:
        # Accounts are stored with a lower-case e-mail address.
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return super().clean()
        pairs = ((LOGIN_PER_ACCOUNT, email), (LOGIN_PER_IP, client_ip(self.request)))
        try:
            check_all(*pairs)
        except Throttled as throttled:
            self.throttled = throttled
            raise ValidationError(throttled.message, code=throttled.code) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            hit_all(*pairs)
            raise
        LOGIN_PER_ACCOUNT.clear(email)
        return cleaned
