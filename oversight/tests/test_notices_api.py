"""/api/v1/notices: drafting, the list, one notice, editing, publishing and the Word file, for every persona."""

from io import BytesIO

import docx
import pytest
import time_machine
from django.test import Client

from core.officedoc import DOCX_CONTENT_TYPE
from oversight.models import Notice, NoticeStatus
from oversight.tests.factories import NOW, history
from tests.support import DUYUN, GUANGHUI, PREFECTURE, api_client, client_for

URL = "/api/v1/notices"
MARCH = {"from": "2025-03-01", "to": "2025-04-01"}
MISSING = 987654321


@pytest.fixture
def march_history(personas):
    with time_machine.travel(NOW, tick=False):
        yield history(personas)


def create(user, region: str = PREFECTURE, **overrides):
    return api_client(user).post(
        URL, {**MARCH, "region": region, **overrides}, content_type="application/json"
    )


def created(user, region: str = PREFECTURE) -> dict:
    response = create(user, region)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def edit(user, notice_id: int, body: dict, *, method: str = "patch"):
    client = api_client(user)
    send = client.patch if method == "patch" else client.post
    return send(f"{URL}/{notice_id}", body, content_type="application/json")


def publish(user, notice_id: int, version: int):
    return api_client(user).post(
        f"{URL}/{notice_id}/publish", {"version": version}, content_type="application/json"
    )


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_supervisor_drafts_a_notice_and_gets_it_back_whole(march_history):
    p = march_history
    body = created(p.prefecture_supervisor)
    assert set(body) >= {"id", "title", "number", "status", "version", "period", "region", "content"}
    assert (body["status"], body["number"], body["version"]) == ("draft", "", 1)
    assert body["period"] == {"from": "2025-03-01", "to": "2025-04-01"}
    assert body["region"] == {"code": PREFECTURE, "name": "黔南布依族苗族自治州"}
    assert [s["key"] for s in body["content"]["sections"]] == [
        "overview",
        "ranking",
        "problems",
        "overdue",
        "hot",
        "practices",
        "requirements",
    ]
    # Chinese as it is, not as \u escapes.
    assert "总体情况".encode() in create(p.prefecture_supervisor).content


def test_only_supervisors_and_admins_covering_the_region_may_draft(march_history):
    p = march_history
    expected = {
        "visitor": 403,
        "handler": 403,
        "unit_head": 403,
        "other_handler": 403,
        "dispatcher": 403,
        "supervisor": 404,
        "prefecture_supervisor": 201,
        "other_leader": 403,
        "township_handler": 403,
        "admin": 201,
    }
    for name, user in p.all().items():
        assert create(user).status_code == expected[name], name
    assert Notice.objects.count() == 2
    assert create(p.supervisor, DUYUN).status_code == 201


def test_bad_drafting_input_is_refused_with_details(march_history):
    p = march_history
    township = create(p.supervisor, GUANGHUI)
    assert township.status_code == 422 and "region" in township.json()["error"]["details"]
    backwards = create(p.supervisor, DUYUN, **{"from": "2025-04-01", "to": "2025-03-01"})
    assert backwards.status_code == 422 and "to" in backwards.json()["error"]["details"]
    assert create(p.supervisor, "5227").status_code == 422
    assert create(p.supervisor, "999999000000").status_code == 404
    unknown = create(p.supervisor, DUYUN, unit=1)
    assert unknown.status_code == 422
    assert not Notice.objects.exists()


def test_the_list_pages_by_keyset_and_filters(march_history):
    p = march_history
    first = created(p.prefecture_supervisor)
    second = created(p.prefecture_supervisor, DUYUN)
    page = api_client(p.prefecture_supervisor).get(URL, {"limit": 1}).json()
    assert [n["id"] for n in page["items"]] == [second["id"]] and "content" not in page["items"][0]
    rest = api_client(p.prefecture_supervisor).get(URL, {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [n["id"] for n in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
    duyun = api_client(p.prefecture_supervisor).get(URL, {"region": DUYUN}).json()
    assert [n["id"] for n in duyun["items"]] == [second["id"]]
    published = api_client(p.prefecture_supervisor).get(URL, {"status": "published"}).json()
    assert published["items"] == []
    assert api_client(p.prefecture_supervisor).get(URL, {"status": "lost"}).status_code == 422
    assert api_client(p.prefecture_supervisor).get(URL, {"cursor": "garbage"}).status_code == 422
    assert api_client(p.handler).get(URL).status_code == 403
    assert api_client(p.supervisor).get(URL).json()["items"][0]["id"] == second["id"]


def test_one_notice_is_read_by_those_it_concerns_and_answered_as_missing_to_others(march_history):
    p = march_history
    county = created(p.supervisor, DUYUN)
    url = f"{URL}/{county['id']}"
    assert api_client(p.supervisor).get(url).status_code == 200
    # A draft: not yet for the unit head; never for 福泉市.
    assert api_client(p.unit_head).get(url).status_code == 404
    assert api_client(p.other_leader).get(url).status_code == 404
    assert api_client(p.visitor).get(url).status_code == 403
    assert api_client(p.handler).get(url).status_code == 403
    assert api_client(p.supervisor).get(f"{URL}/{MISSING}").status_code == 404
    assert publish(p.supervisor, county["id"], 1).status_code == 200
    assert api_client(p.unit_head).get(url).json()["number"] == "黔南走访办通〔2025〕1号"
    assert api_client(p.other_leader).get(url).status_code == 404


def test_an_edit_with_a_stale_version_is_refused_with_409(march_history):
    p = march_history
    notice = created(p.supervisor, DUYUN)
    ok = edit(p.supervisor, notice["id"], {"version": 1, "sections": {"overview": "新的总体情况"}})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert (
        next(s for s in ok.json()["content"]["sections"] if s["key"] == "overview")["text"] == "新的总体情况"
    )
    stale = edit(p.supervisor, notice["id"], {"version": 1, "title": "另一个标题"}, method="post")
    assert stale.status_code == 409 and error_code(stale) == "stale_version"
    assert stale.json()["error"]["details"] == {"expected_version": 1, "current_version": 2}
    again = edit(p.supervisor, notice["id"], {"version": 2, "title": "另一个标题"}, method="post")
    assert again.status_code == 200 and again.json()["title"] == "另一个标题"


def test_edits_are_refused_for_bad_input_other_roles_and_published_notices(march_history):
    p = march_history
    notice = created(p.prefecture_supervisor)
    nid = notice["id"]
    bad = edit(p.prefecture_supervisor, nid, {"version": 1, "sections": {"annex": "x"}})
    assert bad.status_code == 422 and "sections.annex" in bad.json()["error"]["details"]
    assert edit(p.prefecture_supervisor, nid, {"version": 1, "colour": "red"}).status_code == 422
    assert edit(p.prefecture_supervisor, nid, {"title": "无版本"}).status_code == 422
    assert edit(p.supervisor, nid, {"version": 1, "title": "改"}).status_code == 404
    assert publish(p.prefecture_supervisor, nid, 1).status_code == 200
    assert edit(p.other_leader, nid, {"version": 2, "title": "改"}).status_code == 403
    final = edit(p.prefecture_supervisor, nid, {"version": 2, "title": "改"})
    assert final.status_code == 409 and error_code(final) == "notice_published"


def test_publishing_gives_numbers_in_order_and_refuses_a_second_time(march_history):
    p = march_history
    first, second = created(p.prefecture_supervisor), created(p.supervisor, DUYUN)
    assert publish(p.prefecture_supervisor, first["id"], 1).json()["number"] == "黔南走访办通〔2025〕1号"
    body = publish(p.supervisor, second["id"], 1).json()
    assert (body["number"], body["status"], body["version"]) == ("黔南走访办通〔2025〕2号", "published", 2)
    again = publish(p.prefecture_supervisor, first["id"], 2)
    assert again.status_code == 409 and error_code(again) == "already_published"
    stale = publish(p.prefecture_supervisor, first["id"], 1)
    assert stale.status_code == 409
    assert publish(p.handler, first["id"], 2).status_code == 403
    assert Notice.objects.get(pk=first["id"]).number == "黔南走访办通〔2025〕1号"
    assert Notice.objects.filter(status=NoticeStatus.PUBLISHED).count() == 2


def test_the_word_file_downloads_with_the_ranking_and_overdue_tables(march_history):
    p = march_history
    notice = created(p.prefecture_supervisor)
    response = api_client(p.prefecture_supervisor).get(f"{URL}/{notice['id']}/docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    document = docx.Document(BytesIO(response.content))
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert [
        "排名",
        "单位",
        "综合得分",
        "及时签收率",
        "按时办结率",
        "解决率",
        "满意率",
        "走访覆盖率",
    ] in headers
    assert ["序号", "编号", "事项", "所在地", "牵头单位", "办结时限", "超期天数"] in headers
    assert api_client(p.unit_head).get(f"{URL}/{notice['id']}/docx").status_code == 404
    assert api_client(p.visitor).get(f"{URL}/{notice['id']}/docx").status_code == 403


def test_a_browser_session_needs_the_csrf_token_to_draft(march_history):
    p = march_history
    response = client_for(p.prefecture_supervisor).post(
        URL, {**MARCH, "region": PREFECTURE}, content_type="application/json"
    )
    assert response.status_code == 403 and not Notice.objects.exists()


def test_the_openapi_declares_the_notice_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/notices"])
    assert {"get", "patch", "post"} <= set(paths["/api/v1/notices/{notice_id}"])
    assert (
        DOCX_CONTENT_TYPE in paths["/api/v1/notices/{notice_id}/docx"]["get"]["responses"]["200"]["content"]
    )
