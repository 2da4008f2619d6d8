"""Sign-in, one's own password, and two-factor enrolment."""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from core.errors import DomainError, Forbidden
from core.web import request_user
from org.forms import LoginForm, OwnPasswordForm
from org.permissions import may_enrol_otp
from org.services import otp_confirm, otp_device, otp_enrolment_device, otp_match


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user changes their own password; their API tokens end with the old one."""

    template_name = "registration/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: OwnPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed. API tokens issued before were revoked."))
        return response


@login_required
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Enrol an authenticator app (TOTP) for two-factor login, or confirm this session with its code."""
    user = request_user(request)
    if not may_enrol_otp(user):
        raise Forbidden(str(_("Two-factor login is for administrators and supervisors.")))
    device = otp_device(user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if device is None:
            try:
                device = otp_confirm(user=user, code=code, request=request)
            except DomainError as refusal:
                error = refusal.message
            else:
                otp_login(request, device)
                messages.success(
                    request, _("Two-factor login is on. Sign in with the app's code from now on.")
                )
                return redirect(request.GET.get("next") or "home")
        else:
            matched = otp_match(user=user, code=code)
            if matched is None:
                error = str(_("The authenticator code is wrong or was already used."))
            else:
                otp_login(request, matched)
                return redirect(request.GET.get("next") or "home")
    context: dict[str, Any] = {"enrolled": device is not None, "error": error}
    if device is None:
        pending = otp_enrolment_device(user=user)
        context["qr"] = segno.make(pending.config_url, error="m").svg_data_uri(scale=4)
        context["secret"] = _base32(pending.bin_key)
    else:
        verified = getattr(user, "is_verified", lambda: False)()
        context["verified"] = verified
    return render(request, "registration/two_factor.html", context)


def _base32(key: bytes) -> str:
    """The secret as authenticator apps accept it typed by hand, in groups of four."""
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
