import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
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


API_PREFIX = "/api/"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# What an API answer that Django or ninja made outside the error handlers (a 405, the CSRF page, a 500) is called.
STATUS_CODES = {
    400: ("malformed_request", "请求格式错误，无法解析"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "接口不存在"),
    405: ("method_not_allowed", "此接口不支持该请求方法"),
    413: ("body_too_large", "请求体过大"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
}


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


class ApiRequestMiddleware:
    """Under /api/, a body is checked before anything reads it, and every answer is JSON in the error shape.

    - A body longer than its endpoint's limit (`API_BODY_LIMITS`, else DATA_UPLOAD_MAX_MEMORY_SIZE) is 413.
    - A form body (multipart, urlencoded) that cannot be parsed, or has too many fields, is 400. Django would
      raise wherever `request.POST` is first read (the CSRF check, axes' login handlers) and the API would
      answer 500; axes would neither count nor audit the failed login. A JSON body sent under a form content
      type is read as the JSON it is, with an empty `request.POST`.
    - An answer that is not JSON (ninja's 405, Django's CSRF page, the static 500) becomes the error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limits = [(re.compile(pattern), limit) for pattern, limit in settings.API_BODY_LIMITS]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self._refusal(request) or self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return self._as_json(response)
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = next(
            (limit for pattern, limit in self.limits if pattern.fullmatch(request.path)),
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _malformed("Content-Length 无效")
        if length > limit:
            return _too_large(limit)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and request.content_type not in FORM_TYPES:
            # Read here, under the endpoint's own limit checked above, so that Django's site-wide one does not
            # refuse it when the endpoint reads `request.body`.
            request._body = request.read()
        if request.method != "POST" or request.content_type not in FORM_TYPES:
            return None
        try:
            if length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                request.body  # kept, so that a failed form parse can still be read as JSON  # noqa: B018
            request.POST  # noqa: B018
        except RequestDataTooBig:
            return _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except TooManyFieldsSent:
            return _malformed(f"表单字段过多（最多{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}个）")
        except TooManyFilesSent:
            return _malformed(f"上传文件过多（最多{settings.DATA_UPLOAD_MAX_NUMBER_FILES}个）")
        except MultiPartParserError:
            if hasattr(request, "_body") and _is_json(request._body):
                return None  # Django has left request.POST empty
            return _malformed("multipart 请求体无法解析")
        except BadRequest:
            return _malformed("表单请求体应为UTF-8编码")
        return None

    def _as_json(self, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        code, message = STATUS_CODES.get(status, ("http_error", response.reason_phrase))
        if status == 403 and not response.streaming and b"CSRF" in response.content:
            code, message = "csrf_failed", "安全校验（CSRF）失败，请刷新页面后重试"
        answer = error_json(status=status, code=code, message=message)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


def _malformed(reason: str) -> HttpResponse:
    return error_json(
        status=400, code="malformed_request", message="请求格式错误，无法解析", details={"reason": reason}
    )


def _too_large(limit: int) -> HttpResponse:
    return error_json(
        status=413,
        code="body_too_large",
        message=f"请求体过大，此接口最多接受{limit / (1024 * 1024):.1f} MB",
        details={"limit_bytes": limit},
    )


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
