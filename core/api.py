"""What every router shares: strict request bodies and their field types, the error shape, the JSON renderer,
declared error responses, pages."""

import json
import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Generic, TypeVar

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from core.errors import DomainError
from core.text import plain_text

logger = logging.getLogger(__name__)
T = TypeVar("T")


# --- request bodies -----------------------------------------------------------------------------------

MAX_ID = 2**63 - 1  # BigAutoField
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class PlainText:
    """Marks a free-text field: stripped, at most `max_length` characters, no markup or control characters."""

    max_length: int
    required: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        check = partial(plain_text, max_length=self.max_length, required=self.required)
        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["maxLength"] = self.max_length
        if self.required:
            json_schema["minLength"] = 1
        return json_schema


@dataclass(frozen=True)
class Matching:
    """Marks a code-like field that must match `pattern` in full once stripped; `message` says why not."""

    pattern: str
    message: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        compiled = re.compile(self.pattern)

        def check(value: str) -> str:
            value = value.strip()
            if not compiled.fullmatch(value):
                raise ValueError(self.message)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = f"^{self.pattern}$"
        return json_schema


RegionCode = Annotated[str, Matching(r"\d{12}", "区划代码应为12位数字")]


class StrictIn(Schema):
    """Base of every request body: unknown fields and loosely typed values are refused with 422."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- responses ------------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    """The one error shape of the API: `{"error": {"code", "message", "details"}}`."""

    error: ErrorBody


class Page(Schema, Generic[T]):
    """One page of a keyset-paginated list; pass `next_cursor` back as `cursor` for the next page."""

    items: list[T]
    next_cursor: str | None


def responses(ok: Any, *errors: int, status: int = 200) -> dict[int, Any]:
    """The declared responses of an endpoint: its success schema plus the error codes it can answer.

    401 (not signed in) and 422 (bad input) can come from any authenticated endpoint, and 429 (rate limit,
    core/ratelimit.py) from any endpoint, so they are always there.
    """
    declared: dict[int, Any] = {status: ok}
    for code in {401, 422, 429, *errors}:
        declared[code] = ErrorOut
    return declared


class UnicodeJSONRenderer(BaseRenderer):
    """JSON with Chinese as it is, not as \\u escapes."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False)


def error_json(*, status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    """The API's error shape for the few JSON views that ninja does not serve (404s, lockout, the field app)."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": details}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details}}, status=status
    )


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure leaves the API in the one error shape, with a machine code and a Chinese message.

    Handlers take `exc: Any` because ninja's stubs type the argument as "instance or class".
    """

    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, status=exc.status, code=exc.code, message=exc.message, details=exc.details
        )

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        details = [
            {"loc": list(err.get("loc", [])), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors
        ]
        return error_response(
            api, request, status=422, code="invalid_input", message="输入有误，请检查后重试", details=details
        )

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, status=401, code="unauthenticated", message="请先登录或提供有效的令牌"
        )

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):
            return error_response(
                api, request, status=403, code="csrf_failed", message="安全校验（CSRF）失败，请刷新页面后重试"
            )
        if exc.status_code == 400:
            return error_response(
                api, request, status=400, code="malformed_request", message="请求格式错误，无法解析"
            )
        return error_response(api, request, status=exc.status_code, code="http_error", message=str(exc))

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found", message="对象不存在")

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("unhandled API error", exc_info=exc)
        return error_response(
            api, request, status=500, code="internal_error", message="服务器内部错误，请稍后重试"
        )

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(Exception, on_unexpected)
