"""What every router shares: strict request bodies and their field types, the error shape, the JSON renderer,
declared error responses, pages."""

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.types import DictStrAny
from pydantic import BeforeValidator, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic import ValidationError as SchemaError
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

# Every day the API takes lies in this range: a campaign, a deadline or a statistical period outside it is a typo
# (0001-01-01, 9999-12-31), and the period arithmetic past it overflows.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
DAY_RANGE_MESSAGE = f"日期应在{FIRST_DAY.isoformat()}至{LAST_DAY.isoformat()}之间，格式为YYYY-MM-DD"
_DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: Any) -> Any:
    """A day is written YYYY-MM-DD (never a number of seconds since 1970) and lies in the sane range."""
    if isinstance(value, str):
        value = value.strip()
        if not _DAY_TEXT.fullmatch(value):
            raise ValueError(DAY_RANGE_MESSAGE)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(DAY_RANGE_MESSAGE) from None
    if type(value) is not date or not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(DAY_RANGE_MESSAGE)
    return value


def in_day_range(value: date) -> bool:
    """Whether a day (also the date part of a moment) lies in the range the API takes."""
    return FIRST_DAY <= value <= LAST_DAY


def _moment(value: Any) -> Any:
    """A moment is an ISO 8601 text (never a number of seconds since 1970) on a day in the sane range."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("时间格式应为ISO 8601，例如 2027-01-05T09:30:00+08:00") from None
    if not isinstance(value, datetime) or not in_day_range(value.date()):
        raise ValueError(DAY_RANGE_MESSAGE)
    return value


Day = Annotated[date, BeforeValidator(_day), Field(strict=False)]
Moment = Annotated[datetime, BeforeValidator(_moment), Field(strict=False)]


class JSONParser(Parser):
    """JSON bodies as RFC 8259 has them: no NaN or Infinity, no lone surrogate (it cannot be stored or sent)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = json.loads(request.body, parse_constant=_refuse_constant)
        _refuse_lone_surrogates(data)
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(data: Any) -> None:
    if isinstance(data, str):
        if _SURROGATE.search(data):
            raise ValueError("lone surrogate")
    elif isinstance(data, dict):
        for key, value in data.items():
            _refuse_lone_surrogates(key)
            _refuse_lone_surrogates(value)
    elif isinstance(data, list):
        for value in data:
            _refuse_lone_surrogates(value)


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


# What any endpoint may answer, declared on every operation (see `responses`).
ALWAYS_DECLARED = frozenset({400, 401, 413, 422, 429})


def responses(ok: Any, *errors: int, status: int = 200) -> dict[int, Any]:
    """The declared responses of an endpoint: its success schema plus the error codes it can answer.

    400 (a body or query that cannot be parsed), 401 (not signed in), 413 (a body over the limit), 422 (bad
    input) and 429 (rate limit, core/ratelimit.py) can come from any endpoint, so they are always there.
    """
    declared: dict[int, Any] = {status: ok}
    for code in sorted({*ALWAYS_DECLARED, *errors}):
        declared[code] = ErrorOut
    return declared


def error_responses(*errors: int) -> dict[int, Any]:
    """The declared error answers of an endpoint whose success is a file, not JSON (see `responses`)."""
    return {code: ErrorOut for code in sorted({*ALWAYS_DECLARED, *errors})}


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


# --- the OpenAPI document ----------------------------------------------------------------------------------

# Values for the fields of the examples, by name, where a type alone would make a poor one.
EXAMPLE_VALUES: dict[str, Any] = {
    "username": "duyun_handler",
    "password": "zoufang-demo-2027",
    "title": "返乡农民工工资被拖欠",
    "description": "某建筑工地拖欠12名农民工工资共计18万元，已多次讨要未果。",
    "region_code": "522701001001",
    "place_code": "522701001001",
    "region": "522701000000",
    "category": "labour.wages",
    "league": "county",
    "reason": "不属于本单位职责，应由住建部门办理",
    "reply": "经协调，施工单位已于本周结清拖欠工资。",
    "note": "已电话联系当事人，约定明日上门核实。",
    "summary": "已约谈，单位负责人作出整改承诺。",
    "problem": "拖欠农民工工资问题反复发生",
}


def example_of(schema: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """A value that fits `schema`: its own example or default if it has one, else one built from its type."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    for key in ("examples", "example"):
        if schema.get(key):
            return schema[key][0] if key == "examples" else schema[key]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    options = [o for o in schema.get("anyOf", schema.get("oneOf", [])) if o.get("type") != "null"]
    if options:
        return example_of(options[0], components, name, depth)
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        properties = schema.get("properties", {})
        return {key: example_of(properties[key], components, key, depth + 1) for key in required}
    if kind == "array":
        items = schema.get("items", {})
        return [example_of(items, components, name, depth + 1)] if depth < 3 and items else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1)) if name != "limit" else 50
    if kind == "number":
        return schema.get("minimum", 0) + 0.5 if schema.get("maximum", 1) >= 0.5 else schema.get("minimum", 0)
    if kind == "boolean":
        return True
    if kind == "string":
        return _string_example(schema, name)
    return {}


def _string_example(schema: dict[str, Any], name: str) -> str:
    formats = {
        "date": "2027-01-10",
        "date-time": "2027-01-10T09:30:00+08:00",
        "uuid": "0b7e4b8e-6a0c-4b59-9a44-3f9f8a1d2c3e",
        "binary": "photo.jpg",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if name in EXAMPLE_VALUES:
        return str(EXAMPLE_VALUES[name])
    if schema.get("pattern") == r"^\d{12}$":
        return "522701001001"
    return "已核实"[: schema.get("maxLength", 3)]


def add_body_examples(document: dict[str, Any]) -> dict[str, Any]:
    """Every request body of the document gets an example: the schema's own, else one built from it."""
    components = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "example" not in media and "examples" not in media:
                    media["example"] = example_of(media.get("schema", {}), components)
    return document


class DocumentedAPI(NinjaAPI):
    """ninja's API with an example for every request body in its OpenAPI document (docs, fuzzers)."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return add_body_examples(super().get_openapi_schema(**kwargs))


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

    def on_unparseable(request: HttpRequest, exc: Any) -> HttpResponse:
        # Django raises these while reading a body that ApiRequestMiddleware could not check beforehand.
        if isinstance(exc, RequestDataTooBig):
            return error_response(api, request, status=413, code="body_too_large", message="请求体过大")
        return error_response(
            api, request, status=400, code="malformed_request", message="请求格式错误，无法解析"
        )

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
    api.add_exception_handler(MultiPartParserError, on_unparseable)
    api.add_exception_handler(SuspiciousOperation, on_unparseable)
    api.add_exception_handler(Exception, on_unexpected)


# Batches (the field app's visits and consultation answers): each item is taken or refused on its own.


def batch_refused(index: int, raw: dict[str, Any], exc: SchemaError, **empty: None) -> dict[str, Any]:
    """The result of a batch item its schema refused: 422 with the validation errors as details; `empty`
    names the batch's other result fields (id, …), None here."""
    uuid = raw.get("uuid")
    details = [
        {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return {
        "index": index,
        "uuid": uuid if isinstance(uuid, str) else "",
        "status": 422,
        **empty,
        "error": {"code": "invalid_input", "message": "输入有误，请检查后重试", "details": details},
    }


def batch_out(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch's answer: the results in the input order and how many were created, repeated and refused."""
    statuses = [item["status"] for item in items]
    return {
        "results": items,
        "created": statuses.count(201),
        "repeated": statuses.count(200),
        "failed": sum(1 for s in statuses if s >= 400),
    }
