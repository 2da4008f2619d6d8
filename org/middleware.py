"""Pages a signed-in user must pass before any other: a password change forced by a reset, and, when
ADMIN_2FA_REQUIRED is on, an administrator's two-factor enrolment or confirmation."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.api import error_json
from core.web import url_with_query
from org.permissions import is_administrator

# Always reachable, so that the user can do what is asked, or leave.
OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/accounts/logout/", "/accounts/login/")


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if user.must_change_password:
            return self._gate(
                request,
                reverse("org:password_change"),
                code="password_change_required",
                message="管理员已重置您的密码，请先修改密码",
            )
        if settings.ADMIN_2FA_REQUIRED and not user.is_verified() and is_administrator(user):
            return self._gate(
                request,
                reverse("org:two_factor"),
                code="otp_required",
                message="管理员须开启并通过两步验证后才能继续",
            )
        return self.get_response(request)

    def _gate(self, request: HttpRequest, page: str, *, code: str, message: str) -> HttpResponse:
        if request.path == page:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return error_json(status=403, code=code, message=message)
        return redirect(url_with_query(page, next=request.get_full_path()))
