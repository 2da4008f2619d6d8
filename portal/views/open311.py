"""Open311 GeoReport v2 at /open311/v2/ (DESIGN §10), in JSON and XML, for existing civic-tech clients.

Errors take the specification's shape ([{"code", "description"}] or <errors>), not the site's error page, so
DomainErrors are turned into that shape here. The mapping of Zoufang's states is in docs/open311.md."""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from appeals.models import Appeal, AppealKind, AppealStatus
from appeals.services import AppealDraft, Reporter
from core.errors import DomainError, InvalidInput, NotFound
from core.text import plain_text
from portal.models import PublicRequest
from portal.permissions import access_open311_key, check_open311_rate, check_submit_allowed, count_submission
from portal.selectors import (
    OPEN311_CLOSED,
    PUBLIC_STATUS,
    open311_filter,
    open311_requests,
    open311_services,
    place_near,
    region_label,
)
from portal.services import portal_submit
from text.redact import redact

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00+08:00"
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)

Data = Any
View = Callable[..., HttpResponse]


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _xml(root: str, item: str, data: Data) -> bytes:
    """Open311's XML: a root element holding one element per item, a field per child, None as empty."""

    def fill(parent: ET.Element, value: Data, name: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                child = ET.SubElement(parent, key)
                fill(child, inner, key)
        elif isinstance(value, list):
            singular = {
                "formats": "format",
                "endpoints": "endpoint",
                "attributes": "attribute",
                "values": "value",
            }
            for inner in value:
                child = ET.SubElement(parent, singular.get(name, "item"))
                fill(child, inner, child.tag)
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        elif value is not None:
            parent.text = str(value)

    top = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            fill(ET.SubElement(top, item), entry, item)
    else:
        fill(top, data, root)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _answer(fmt: str, data: Data, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root, item, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def open311(view: View) -> View:
    """Answer errors in the specification's shape and format."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            status, description = exc.status, exc.description
        except DomainError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            status = 400 if exc.status == 422 else exc.status
            description = "; ".join([exc.message, *(f"{k}: {v}" for k, v in details.items())])
        return _answer(
            fmt, [{"code": status, "description": description}], root="errors", item="error", status=status
        )

    return wrapper


def _base(request: HttpRequest) -> str:
    return (
        request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]
        + "/"
    )


@open311
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = {
        "changeset": CHANGESET,
        "contact": "请联系本地大走访工作指挥中心 / the campaign office of your county",
        "key_service": "api_key 由系统管理员按对接系统签发 / api_key issued per integration by the administrator",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _answer(fmt, data, root="discovery", item="discovery")


def _service(category: Any) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name} / {category.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": category.parent.name,
        "group": category.parent.name,
    }


@open311
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return _answer(fmt, [_service(c) for c in open311_services()], root="services", item="service")


@open311
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    if not open311_services().filter(code=code).exists():
        raise Open311Error(404, f"service_code {code} not found")
    data = {"service_code": code, "attributes": []}
    return _answer(fmt, data, root="service_definition", item="service_definition")


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _status_notes(appeal: Appeal) -> str:
    note = str(PUBLIC_STATUS[AppealStatus(appeal.status)])
    if appeal.status in (AppealStatus.RESOLVED, AppealStatus.CLOSED) and appeal.reply:
        note = f"{note}：{redact(appeal.reply)}"
    return note


def _service_notice(appeal: Appeal) -> str:
    if appeal.resolve_due:
        return f"办理时限：{timezone.localtime(appeal.resolve_due):%Y-%m-%d %H:%M} 前办结"
    return "已受理，将按规定时限交办相关单位"


def _request(appeal: Appeal) -> dict[str, Any]:
    public: PublicRequest = appeal.public_request
    latitude = public.latitude if public.latitude is not None else appeal.region.latitude
    longitude = public.longitude if public.longitude is not None else appeal.region.longitude
    return {
        "service_request_id": appeal.code,
        "status": "closed" if appeal.status in OPEN311_CLOSED else "open",
        "status_notes": _status_notes(appeal),
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": redact(appeal.description)[:4000],
        "agency_responsible": appeal.lead_unit.name if appeal.lead_unit else None,
        "service_notice": _service_notice(appeal),
        "requested_datetime": _when(appeal.created_at),
        "updated_datetime": _when(
            appeal.closed_at if appeal.status == AppealStatus.CLOSED else appeal.updated_at
        ),
        "expected_datetime": _when(appeal.resolve_due),
        "address": region_label(appeal.region),
        "address_id": appeal.region_id,
        "zipcode": None,
        "lat": float(latitude) if latitude is not None else None,
        "long": float(longitude) if longitude is not None else None,
        "media_url": None,
    }


def _date(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time") from None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _list(fmt: str, rows: QuerySet[Appeal] | list[Appeal]) -> HttpResponse:
    return _answer(fmt, [_request(a) for a in rows], root="service_requests", item="request")


@csrf_exempt
@open311
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, "method not allowed")
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    start, end = _date(request, "start_date"), _date(request, "end_date")
    status = request.GET.get("status", "").strip().lower()
    if status and status not in ("open", "closed"):
        raise Open311Error(400, "status must be open or closed")
    if not ids and start is None:
        start = (end or timezone.now()) - DEFAULT_WINDOW
    rows = open311_filter(
        open311_requests(),
        ids=ids,
        service_code=request.GET.get("service_code", "").strip(),
        start=start,
        end=end,
        status=status,
    )
    return _list(fmt, rows[:MAX_RESULTS])


def _decimal(raw: str, name: str) -> Decimal | None:
    if not raw.strip():
        return None
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        raise Open311Error(400, f"{name} must be a number") from None


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    form = request.POST
    key = access_open311_key(form.get("api_key", ""))
    check_open311_rate(key)
    category = open311_services().filter(code=form.get("service_code", "").strip()).first()
    if category is None:
        raise Open311Error(404, "service_code not found")
    latitude, longitude = _decimal(form.get("lat", ""), "lat"), _decimal(form.get("long", ""), "long")
    region_code = form.get("address_id", "").strip()
    if not region_code and latitude is not None and longitude is not None:
        near = place_near(latitude, longitude)
        region_code = near.code if near else ""
    if not region_code:
        raise Open311Error(
            400, "a location is required: address_id (a region code) or lat/long inside the area"
        )
    name = (form.get("last_name", "") + form.get("first_name", "")).strip()
    phone = form.get("phone", "").strip()
    if bool(name) != bool(phone):
        raise Open311Error(
            400, "first_name/last_name and phone go together (or neither, for an anonymous report)"
        )
    try:
        description = plain_text(form.get("description", ""), max_length=4000)
        reporter = Reporter(name=plain_text(name, max_length=50), phone=phone) if name else Reporter()
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_input", details={"description": str(exc)}) from None
    check_submit_allowed(ip=None, phone=phone)
    kind = AppealKind.SUGGESTION if category.code.startswith("suggestion.") else AppealKind.REQUEST
    registered = portal_submit(
        draft=AppealDraft(
            kind=kind,
            source="web",
            title=description.splitlines()[0][:30] if description else category.name,
            description=description,
            region_code=region_code,
            category_code=category.code,
            anonymous=not name,
            reporter=reporter,
            address=plain_text(form.get("address_string", ""), max_length=200, required=False),
        ),
        channel=PublicRequest.Channel.OPEN311,
        key=key,
        latitude=latitude,
        longitude=longitude,
    )
    count_submission(ip=None, phone=phone)
    appeal = registered.appeal
    data = [
        {
            "service_request_id": appeal.code,
            "token": str(appeal.public_request.token),
            "service_notice": _service_notice(appeal),
        }
    ]
    return _answer(fmt, data, root="service_requests", item="request", status=201)


@open311
def request_detail(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    appeal = open311_requests().filter(code=code).first()
    if appeal is None:
        raise NotFound(f"service_request_id {code} not found")
    return _list(fmt, [appeal])


@open311
def token(request: HttpRequest, token_id: str, *, fmt: str) -> HttpResponse:
    public = (
        PublicRequest.objects.filter(token=token_id, channel=PublicRequest.Channel.OPEN311)
        .select_related("appeal")
        .first()
        if _is_uuid(token_id)
        else None
    )
    if public is None:
        raise NotFound(f"token {token_id} not found")
    data = [{"service_request_id": public.appeal.code, "token": str(public.token)}]
    return _answer(fmt, data, root="service_requests", item="request")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
