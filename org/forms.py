"""The sign-in form (with the authenticator's code for accounts that have one) and the password forms."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from org.models import User
from org.services import otp_device, otp_match, user_set_password


class LoginForm(AuthenticationForm):
    """Username and password; an account with two-factor login also gives its authenticator's current code."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=12,
        help_text=_(
            "Only for accounts with two-factor login: the six digits shown in the authenticator app."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_device: TOTPDevice | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None or otp_device(user) is None:
            return cleaned
        code = cleaned.get("otp_token", "")
        if not code:
            raise forms.ValidationError(
                _("This account uses two-factor login: enter the code from your authenticator app."),
                code="otp_required",
            )
        self.otp_device = otp_match(user=user, code=code)
        if self.otp_device is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=self.request
            )
            raise forms.ValidationError(
                _("The authenticator code is wrong or was already used."), code="otp_invalid"
            )
        return cleaned


class OwnPasswordForm(PasswordChangeForm):
    """A user changes their own password; a forced change (after a reset) ends with it."""

    def save(self, commit: bool = True) -> Any:
        user: User = self.user
        return user_set_password(
            user=user, password=self.cleaned_data["new_password1"], actor=user, must_change=False
        )


class ResetPasswordForm(AdminPasswordChangeForm):
    """An administrator sets a user's password, by default forcing the user to pick their own at next login."""

    must_change = forms.BooleanField(
        label=_("Must change the password at next login"), required=False, initial=True
    )

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = self.cleaned_data.get("must_change", False)
        return super().save(commit=commit)
