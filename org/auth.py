"""How API requests authenticate: a bearer token, or the browser's session (with its CSRF check)."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from core.errors import Forbidden
from org.models import User
from org.services import token_authenticate


def api_user(request: HttpRequest) -> User:
    """The user an authenticated endpoint runs for (ninja puts it on `request.auth`)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(key=token)
        if api_token is None:
            return None
        if api_token.user.must_change_password:
            raise Forbidden("管理员已重置您的密码，请先在网页上修改密码", code="password_change_required")
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


class BrowserSessionAuth(SessionAuth):
    """The browser's session, with its CSRF check, for a request that has one. A request with a bearer token
    (valid or not) or with no signed-in session is not the browser's: it answers 401, never 403 `csrf_failed`."""

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_AUTHORIZATION" in request.META or not request.user.is_authenticated:
            return None
        return super().__call__(request)


API_AUTH = [TokenAuth(), BrowserSessionAuth()]
