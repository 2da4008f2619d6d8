"""Open311 GeoReport v2: every answer validated against the specification's schemas (open311_schemas/, copies
of ../shared/data/open311/, CC BY 3.0), in JSON and in XML, and a client's round trip (POST, then GET by token
and by id) in both."""

import json
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.test import Client

from appeals.models import Appeal
from appeals.tests.factories import register
from portal.models import PublicRequest
from portal.services import open311_key_issue
from portal.tests.factories import VILLAGE, handled

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "open311_schemas"  # copies of ../shared/data/open311 (CC BY 3.0)
NUMBERS = {"lat", "long"}
BOOLEANS = {"metadata", "variable", "required"}
LISTS = {"attributes", "values", "formats", "endpoints"}


def schema(name: str) -> Any:
    """A schema of the specification with its one-level `$ref`s to sibling files put in place."""
    loaded = json.loads((SCHEMAS / name).read_text())
    if "$ref" in loaded.get("items", {}):
        loaded["items"] = json.loads((SCHEMAS / loaded["items"]["$ref"]).read_text())
    return loaded


def swagger(definition: str) -> Any:
    return {
        "type": "array",
        "items": json.loads((SCHEMAS / "swagger.json").read_text())["definitions"][definition],
    }


def valid(data: Any, against: Any) -> None:
    errors = [e.message for e in jsonschema_rs.validator_for(against).iter_errors(data)]
    assert not errors, errors


def from_xml(content: bytes) -> Any:
    """Open311's XML as the JSON it stands for: a list of the root's children, types restored."""

    def value(element: ET.Element) -> Any:
        if element.tag in LISTS:
            return [value(child) for child in element]
        if len(element):
            return {child.tag: value(child) for child in element}
        text = element.text
        if text is None:
            return None
        if element.tag in NUMBERS:
            return float(text)
        if element.tag in BOOLEANS:
            return text == "true"
        return text

    root = ET.fromstring(content)  # noqa: S314 (our own answer, in a test)
    if root.tag in ("discovery", "service_definition"):
        return value(root)
    return [value(child) for child in root]


def get(client: Client, path: str, fmt: str, **query: Any) -> tuple[int, Any]:
    response = client.get(f"/open311/v2/{path}.{fmt}", query)
    if fmt == "xml":
        assert response["Content-Type"].startswith("text/xml")
        return response.status_code, from_xml(response.content)
    return response.status_code, response.json()


@pytest.fixture
def api_key(qiannan) -> str:
    return open311_key_issue(name="测试客户端")[1]


def post(client: Client, fmt: str, **fields: Any) -> tuple[int, Any]:
    response = client.post(f"/open311/v2/requests.{fmt}", fields)
    if fmt == "xml":
        return response.status_code, from_xml(response.content)
    return response.status_code, response.json()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_endpoint_and_its_formats(qiannan, fmt) -> None:
    status, data = get(Client(), "discovery", fmt)
    assert status == 200
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {
        "text/xml",
        "application/json",
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_categories(qiannan, fmt) -> None:
    status, data = get(Client(), "services", fmt)
    assert status == 200
    valid(data, schema("services.json"))
    wage = next(s for s in data if s["service_code"] == "labour.wage_arrears")
    assert (
        wage["service_name"] == "拖欠农民工工资"
        and wage["group"] == "劳动和社会保障"
        and wage["metadata"] is False
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_service_definition_and_an_unknown_service(qiannan, fmt) -> None:
    status, data = get(Client(), "services/labour.wage_arrears", fmt)
    assert status == 200
    valid(data, schema("service-definition.json"))
    status, errors = get(Client(), "services/nope", fmt)
    assert status == 404 and errors[0]["code"] in (404, "404")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_round_trip(qiannan, api_key, fmt) -> None:
    client = Client()
    status, created = post(
        client,
        fmt,
        api_key=api_key,
        service_code="infrastructure.roads",
        address_id=VILLAGE,
        description="村口的桥被洪水冲坏了，学生上学要绕行五公里，联系电话13812345678。",
        first_name="三",
        last_name="张",
        phone="13812345678",
    )
    assert status == 201, created
    valid(created, swagger("RequestResponse"))
    code, token = created[0]["service_request_id"], created[0]["token"]
    appeal = Appeal.objects.get(code=code)
    assert (
        appeal.source == "web"
        and appeal.public_request.channel == "open311"
        and appeal.reporter_name == "张三"
    )

    status, by_token = get(client, f"tokens/{token}", fmt)
    assert status == 200 and by_token[0]["service_request_id"] == code
    valid(by_token, swagger("TokenResponse"))

    status, one = get(client, f"requests/{code}", fmt)
    assert status == 200
    valid(one, schema("requests.json"))
    assert one[0]["status"] == "open" and one[0]["service_code"] == "infrastructure.roads"
    assert "13812345678" not in json.dumps(one, ensure_ascii=False)  # redacted, and no reporter fields at all
    assert one[0]["address_id"] == VILLAGE and "广惠社区" in one[0]["address"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_without_a_valid_key_is_refused_with_nothing_stored(qiannan, fmt) -> None:
    for key in ("", "guessed"):
        status, errors = post(
            Client(),
            fmt,
            api_key=key,
            service_code="other.other",
            address_id=VILLAGE,
            description="路灯坏了很久没人修",
        )
        assert status == 403 and errors[0]["description"]
    assert not Appeal.objects.exists()


def test_a_post_without_a_place_or_with_markup_is_refused(qiannan, api_key) -> None:
    status, _ = post(
        Client(), "json", api_key=api_key, service_code="other.other", description="路灯坏了很久没人修"
    )
    assert status == 400
    status, _ = post(
        Client(),
        "json",
        api_key=api_key,
        service_code="other.other",
        address_id=VILLAGE,
        description="<script>x</script>路灯坏了",
    )
    assert status == 400
    status, _ = post(
        Client(),
        "json",
        api_key=api_key,
        service_code="other.other",
        address_id=VILLAGE,
        description="路灯坏了",
        phone="13812345678",
    )
    assert status == 400
    assert not Appeal.objects.exists()


def test_get_requests_filters_and_states(qiannan, personas, api_key) -> None:
    client = Client()
    codes = []
    for service in ("infrastructure.roads", "other.other"):
        _status, created = post(
            client,
            "json",
            api_key=api_key,
            service_code=service,
            address_id=VILLAGE,
            description="村里的路灯坏了一个多月，晚上出行不便。",
        )
        codes.append(created[0]["service_request_id"])
    handled(personas, Appeal.objects.get(code=codes[0]), reply="经核查，路灯已于本周更换新灯泡，恢复照明。")
    register(personas.dispatcher)  # registered by a cadre: not a public request, never listed

    _s, everything = get(client, "requests", "json")
    valid(everything, schema("requests.json"))
    assert {r["service_request_id"] for r in everything} == set(codes)
    handled_one = next(r for r in everything if r["service_request_id"] == codes[0])
    assert (
        handled_one["status"] == "closed"
        and handled_one["agency_responsible"] == "都匀市人力资源和社会保障局"
    )
    assert "更换新灯泡" in handled_one["status_notes"] and handled_one["expected_datetime"]
    assert [r["service_request_id"] for r in get(client, "requests", "json", status="open")[1]] == [codes[1]]
    assert [r["service_request_id"] for r in get(client, "requests", "xml", status="closed")[1]] == [codes[0]]
    assert [
        r["service_request_id"] for r in get(client, "requests", "json", service_code="other.other")[1]
    ] == [codes[1]]
    assert get(client, "requests", "json", start_date="2099-01-01T00:00:00Z")[1] == []
    assert len(get(client, "requests", "json", service_request_id=",".join(codes))[1]) == 2
    status, errors = get(client, "requests", "json", start_date="yesterday")
    assert status == 400 and errors[0]["code"] == 400


def test_tips_are_never_listed(qiannan, api_key) -> None:
    _s, created = post(
        Client(),
        "json",
        api_key=api_key,
        service_code="other.other",
        address_id=VILLAGE,
        description="村里的路灯坏了一个多月，晚上出行不便。",
    )
    Appeal.objects.filter(code=created[0]["service_request_id"]).update(kind="tip")
    assert get(Client(), "requests", "json")[1] == []
    assert get(Client(), f"requests/{created[0]['service_request_id']}", "json")[0] == 404


def test_the_key_command_prints_a_working_key(qiannan) -> None:
    out = StringIO()
    call_command("open311_key", "--name", "FixMyStreet 贵州", stdout=out)
    key = out.getvalue().strip()
    status, _ = post(
        Client(),
        "json",
        api_key=key,
        service_code="other.other",
        address_id=VILLAGE,
        description="村里的路灯坏了一个多月，晚上出行不便。",
    )
    key_row = PublicRequest.objects.get().key
    assert status == 201 and key_row is not None and key_row.name == "FixMyStreet 贵州"


def test_an_integration_is_limited_per_key_not_like_one_phone(qiannan, api_key, settings) -> None:
    settings.PORTAL_LIMITS = {"open311_key_hour": (15, 3600)}
    statuses = [
        post(
            Client(),
            "json",
            api_key=api_key,
            service_code="other.other",
            address_id=VILLAGE,
            description=f"村里的第{i}盏路灯坏了一个多月，晚上出行不便。",
        )[0]
        for i in range(17)
    ]
    assert statuses == [201] * 15 + [429, 429]
    assert Appeal.objects.count() == 15
