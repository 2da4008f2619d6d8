from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from core.api import error_json
from core.audit import audit_context
from core.errors import DomainError


class LanguageMiddleware:
    """Chinese for everyone unless the person chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a government platform reads
    the same for every cadre, whatever language their browser was installed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class AuditContextMiddleware:
    """Lets the audit rows fed by model signals (roles, privileges, passwords) name the request's user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)


class DomainErrorMiddleware:
    """A `DomainError` that reached no handler becomes its answer: the API's error shape under /api/, else
    a Chinese error page inside the site's layout with the error's status (404 for absent or out of scope,
    403 for a role that may not, 409 for a state that forbids it now, 422 for refused input)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return error_json(
                status=exception.status,
                code=exception.code,
                message=exception.message,
                details=exception.details,
            )
        return error_page(request, status=exception.status, message=exception.message)


ERROR_TITLES = {
    400: _("The request could not be understood"),
    403: _("You may not do this"),
    404: _("Not found"),
    409: _("This cannot be done now"),
    413: _("Too large"),
    422: _("The input was refused"),
    429: _("Too many requests"),
    500: _("Something went wrong"),
}


def error_page(request: HttpRequest, *, status: int, message: str = "") -> HttpResponse:
    """The error page inside the site's layout, in the user's language."""
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    context = {"status": status, "title": title, "message": message}
    return render(request, "core/error.html", context, status=status)
