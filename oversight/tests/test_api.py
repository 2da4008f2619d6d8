"""The oversight API against every persona: lists and their scope, detail 404s, creation and every action
with its refusals (403 role, 404 scope, 409 stale or out of order, 422 bad input, nothing written)."""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from appeals.models import Category
from appeals.tests.factories import register
from insights.services import counters_refresh
from insights.tests.factories import assign, give_back, march, registered
from oversight.models import GoodPractice, Interview, InterviewStatus, Rectification, RectificationStatus
from oversight.services import interview_hold, rectification_progress
from oversight.tests.factories import fuquan_appeal, make_interview, make_practice, make_rectification
from tests.support import api_client

# Who sees the 都匀市人社局 rows and who sees the 福泉市人社局 rows (DESIGN §4: the region subtree of one's
# units, plus one's own units).
SEES_DUYUN = {"visitor", "handler", "unit_head", "dispatcher", "supervisor", "prefecture_supervisor", "admin"}
SEES_FUQUAN = {"other_handler", "other_leader", "prefecture_supervisor", "admin"}

INTERVIEW = {
    "held_on": "2025-03-10",
    "place": "市委政法委三楼会议室",
    "interviewers": "杨督查",
    "interviewee": "赵局长",
    "commitments": ["一个月内清理超期件"],
    "follow_up_due": "2025-04-10",
    "reasons": [{"metric": "return_rate", "value": 0.5, "from": "2025-03-01", "to": "2025-04-01"}],
}


def post(client: Client, path: str, body: object, method: str = "post") -> Any:
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def rows(personas) -> dict[str, Any]:
    p = personas
    return {
        "duyun_interview": make_interview(p.supervisor, p.duyun_hr),
        "fuquan_interview": make_interview(p.prefecture_supervisor, p.fuquan_hr),
        "duyun_item": make_rectification(p.supervisor, p.duyun_hr),
        "fuquan_item": make_rectification(p.prefecture_supervisor, p.fuquan_hr, source="inspection"),
        "duyun_practice": make_practice(p.supervisor, p.duyun_hr, published=True),
        "fuquan_practice": make_practice(p.prefecture_supervisor, p.fuquan_hr, published=True),
    }


# --- lists and details by persona -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "duyun", "fuquan"),
    [
        ("/api/v1/oversight/interviews", "duyun_interview", "fuquan_interview"),
        ("/api/v1/oversight/rectifications", "duyun_item", "fuquan_item"),
        ("/api/v1/oversight/practices", "duyun_practice", "fuquan_practice"),
    ],
)
def test_each_persona_lists_and_reads_only_the_rows_of_the_units_in_scope(
    personas, rows, path, duyun, fuquan
) -> None:
    for name, user in personas.all().items():
        client = api_client(user)
        listed = client.get(path)
        assert listed.status_code == 200, name
        ids = {item["id"] for item in listed.json()["items"]}
        expected = {
            rows[key].pk for key, seen in ((duyun, SEES_DUYUN), (fuquan, SEES_FUQUAN)) if name in seen
        }
        assert ids == expected, name
        for key in (duyun, fuquan):
            status = client.get(f"{path}/{rows[key].pk}").status_code
            assert status == (200 if rows[key].pk in expected else 404), (name, key)
        assert client.get(f"{path}/999999").status_code == 404


def test_lists_need_a_signed_in_user(rows) -> None:
    assert Client().get("/api/v1/oversight/interviews").status_code == 401


def test_the_lists_filter_and_page(personas, rows) -> None:
    p = personas
    client = api_client(p.prefecture_supervisor)
    by_unit = client.get(f"/api/v1/oversight/interviews?unit={p.fuquan_hr.pk}").json()["items"]
    assert [i["id"] for i in by_unit] == [rows["fuquan_interview"].pk]
    assert client.get("/api/v1/oversight/interviews?status=held").json()["items"] == []
    assert client.get("/api/v1/oversight/interviews?from=2025-03-11").json()["items"] == []
    assert len(client.get("/api/v1/oversight/interviews?from=2025-03-10&to=2025-03-10").json()["items"]) == 2
    first = client.get("/api/v1/oversight/interviews?limit=1").json()
    second = client.get(f"/api/v1/oversight/interviews?limit=1&cursor={first['next_cursor']}").json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {
        rows["duyun_interview"].pk,
        rows["fuquan_interview"].pk,
    }
    assert second["next_cursor"] is None
    sources = client.get("/api/v1/oversight/rectifications?source=inspection").json()["items"]
    assert [r["id"] for r in sources] == [rows["fuquan_item"].pk]
    # Both items fell due on 2025-06-30 and are still open: overdue today.
    overdue = client.get("/api/v1/oversight/rectifications?status=overdue").json()["items"]
    assert len(overdue) == 2 and all(r["overdue"] for r in overdue)
    assert client.get("/api/v1/oversight/rectifications?status=lost").status_code == 422
    assert client.get("/api/v1/oversight/interviews?cursor=garbage").status_code == 422


def test_drafts_of_good_practices_are_read_only_by_those_who_write_them(personas) -> None:
    p = personas
    draft = make_practice(p.supervisor, p.duyun_hr)
    assert api_client(p.handler).get(f"/api/v1/oversight/practices/{draft.pk}").status_code == 404
    assert api_client(p.handler).get("/api/v1/oversight/practices").json()["items"] == []
    assert (
        api_client(p.supervisor).get(f"/api/v1/oversight/practices/{draft.pk}").json()["is_published"]
        is False
    )
    drafts = api_client(p.supervisor).get("/api/v1/oversight/practices?status=draft").json()["items"]
    assert [d["id"] for d in drafts] == [draft.pk]


# --- interviews ---------------------------------------------------------------------------------------------


def test_a_supervisor_records_an_interview_through_the_api(personas) -> None:
    p = personas
    appeal = register(p.dispatcher)
    response = post(
        api_client(p.supervisor),
        "/api/v1/oversight/interviews",
        INTERVIEW | {"unit": p.duyun_hr.pk, "appeals": [appeal.pk]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled" and body["version"] == 1 and body["unit_name"] == p.duyun_hr.name
    assert body["reasons"] == INTERVIEW["reasons"]
    assert [a["code"] for a in body["appeals"]] == [appeal.code]
    assert "reporter_name" not in body["appeals"][0]


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("handler", "duyun_hr", 403),
        ("unit_head", "duyun_hr", 403),
        ("dispatcher", "duyun_hr", 403),
        ("other_leader", "fuquan_hr", 403),
        ("supervisor", "fuquan_hr", 404),
        ("township_handler", "duyun_hr", 404),
    ],
)
def test_creating_an_interview_is_refused_to_other_roles_and_out_of_scope(
    personas, who, unit, status
) -> None:
    p = personas
    response = post(
        api_client(getattr(p, who)), "/api/v1/oversight/interviews", INTERVIEW | {"unit": getattr(p, unit).pk}
    )
    assert response.status_code == status
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"reasons": [{"metric": "happiness", "value": 0.5, "from": "2025-03-01", "to": "2025-04-01"}]},
            "reasons",
        ),
        ({"commitments": []}, "commitments"),
        ({"follow_up_due": "2025-03-01"}, "follow_up_due"),
        ({"held_on": "yesterday"}, "held_on"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_interview_input_is_422_with_details_and_nothing_is_written(personas, change, field) -> None:
    p = personas
    response = post(
        api_client(p.supervisor), "/api/v1/oversight/interviews", INTERVIEW | {"unit": p.duyun_hr.pk} | change
    )
    assert response.status_code == 422
    assert field in json.dumps(response.json()["error"]["details"])
    assert not Interview.objects.exists()


def test_an_appeal_outside_the_recorders_scope_is_404_and_nothing_is_written(personas) -> None:
    p = personas
    hidden = fuquan_appeal(p.admin)
    response = post(
        api_client(p.supervisor),
        "/api/v1/oversight/interviews",
        INTERVIEW | {"unit": p.duyun_hr.pk, "appeals": [hidden.pk]},
    )
    assert response.status_code == 404
    assert not Interview.objects.exists()


def test_interview_actions_through_the_api_with_their_refusals(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    base = f"/api/v1/oversight/interviews/{interview.pk}"
    client = api_client(p.supervisor)
    assert (
        post(api_client(p.unit_head), f"{base}/hold", {"version": 1, "summary": "自行登记"}).status_code
        == 403
    )
    assert (
        post(api_client(p.other_handler), f"{base}/hold", {"version": 1, "summary": "越权"}).status_code
        == 404
    )
    assert post(client, f"{base}/close", {"version": 1}).json()["error"]["code"] == "not_followed_up"
    assert post(client, f"{base}/hold", {"version": 1, "summary": ""}).status_code == 422
    held = post(client, f"{base}/hold", {"version": 1, "summary": "已约谈"})
    assert held.status_code == 200 and held.json()["status"] == "held"
    stale = post(client, f"{base}/follow-ups", {"version": 1, "on": "2025-03-20", "note": "回访"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    followed = post(client, f"{base}/follow-ups", {"version": 2, "on": "2025-03-20", "note": "回访"})
    assert followed.status_code == 200 and followed.json()["follow_ups"][0]["by"] == "杨督查"
    edited = post(
        client,
        base,
        {
            "version": 3,
            "held_on": "2025-03-10",
            "place": "人社局",
            "interviewers": "杨督查",
            "interviewee": "赵局长",
            "summary": "已约谈",
            "commitments": ["整改"],
            "follow_up_due": "2025-04-10",
        },
        method="patch",
    )
    assert edited.status_code == 200 and edited.json()["place"] == "人社局"
    closed = post(client, f"{base}/close", {"version": 4})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    interview.refresh_from_db()
    assert (interview.status, interview.version) == (InterviewStatus.CLOSED, 5)


def test_the_prefill_endpoint_gives_the_rates_that_fall_short(personas) -> None:
    p = personas
    returned = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, returned, march(4), unit=p.duyun_hr)
    give_back(p.handler, returned, march(4, 10, 30))
    counters_refresh()
    client = api_client(p.supervisor)
    response = client.get(
        f"/api/v1/oversight/interviews/prefill?unit={p.duyun_hr.pk}&from=2025-03-01&to=2025-04-01"
    )
    assert response.status_code == 200
    body = response.json()
    metrics = [r["metric"] for r in body["reasons"]]
    assert "return_rate" in metrics and "on_time_acceptance_rate" in metrics
    assert body["rates"]["return_rate"] == 1.0 and body["rates"]["solved_rate"] is None
    assert body["reasons"][0]["from"] == "2025-03-01" and body["reasons"][0]["to"] == "2025-04-01"
    assert "solved_rate" not in metrics
    out_of_scope = client.get(
        f"/api/v1/oversight/interviews/prefill?unit={p.fuquan_hr.pk}&from=2025-03-01&to=2025-04-01"
    )
    assert out_of_scope.status_code == 404
    backwards = client.get(
        f"/api/v1/oversight/interviews/prefill?unit={p.duyun_hr.pk}&from=2025-04-01&to=2025-03-01"
    )
    assert backwards.status_code == 422


# --- rectifications -----------------------------------------------------------------------------------------


def test_a_rectification_item_through_the_api_from_opening_to_verification(personas) -> None:
    p = personas
    interview = make_interview(p.supervisor, p.duyun_hr)
    created = post(
        api_client(p.supervisor),
        "/api/v1/oversight/rectifications",
        {
            "unit": p.duyun_hr.pk,
            "source": "chronic_problem",
            "problem": "拖欠农民工工资反复发生",
            "due": "2025-06-30",
            "interview": interview.pk,
        },
    )
    assert created.status_code == 201, created.content
    item = created.json()
    base = f"/api/v1/oversight/rectifications/{item['id']}"
    assert post(api_client(p.visitor), f"{base}/progress", {"version": 1, "note": "越权"}).status_code == 403
    assert (
        post(api_client(p.other_handler), f"{base}/progress", {"version": 1, "note": "越权"}).status_code
        == 404
    )
    progress = post(
        api_client(p.handler), f"{base}/progress", {"version": 1, "note": "整改完毕", "done": True}
    )
    assert progress.status_code == 200 and progress.json()["status"] == "done"
    assert (
        post(
            api_client(p.handler), f"{base}/verify", {"version": 2, "passed": True, "note": "自验"}
        ).status_code
        == 403
    )
    assert (
        post(
            api_client(p.supervisor), f"{base}/verify", {"version": 1, "passed": True, "note": "验收"}
        ).status_code
        == 409
    )
    assert (
        post(
            api_client(p.supervisor), f"{base}/verify", {"version": 2, "passed": "yes", "note": "验收"}
        ).status_code
        == 422
    )
    verified = post(
        api_client(p.supervisor), f"{base}/verify", {"version": 2, "passed": True, "note": "抽查属实"}
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert [u["status"] for u in verified.json()["updates"]] == ["done", "verified"]
    edit = post(
        api_client(p.supervisor),
        base,
        {"version": 3, "source": "inspection", "problem": "改", "due": "2025-07-01"},
        method="patch",
    )
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "verified"


def test_creating_a_rectification_is_refused_with_nothing_written(personas) -> None:
    p = personas
    body = {"unit": p.duyun_hr.pk, "source": "inspection", "problem": "问题", "due": "2025-06-30"}
    assert post(api_client(p.unit_head), "/api/v1/oversight/rectifications", body).status_code == 403
    assert (
        post(
            api_client(p.supervisor), "/api/v1/oversight/rectifications", body | {"unit": p.fuquan_hr.pk}
        ).status_code
        == 404
    )
    assert (
        post(
            api_client(p.supervisor), "/api/v1/oversight/rectifications", body | {"source": "rumour"}
        ).status_code
        == 422
    )
    assert (
        post(api_client(p.supervisor), "/api/v1/oversight/rectifications", body | {"problem": ""}).status_code
        == 422
    )
    hidden = fuquan_appeal(p.admin)
    assert (
        post(
            api_client(p.supervisor), "/api/v1/oversight/rectifications", body | {"appeals": [hidden.pk]}
        ).status_code
        == 404
    )
    assert not Rectification.objects.exists()


def test_a_stale_progress_report_is_409(personas) -> None:
    p = personas
    item = make_rectification(p.supervisor, p.duyun_hr)
    rectification_progress(actor=p.handler, item=item, note="已制定方案", expected_version=1)
    stale = post(
        api_client(p.unit_head),
        f"/api/v1/oversight/rectifications/{item.pk}/progress",
        {"version": 1, "note": "重复"},
    )
    assert stale.status_code == 409
    item.refresh_from_db()
    assert (item.status, item.version, item.updates.count()) == (RectificationStatus.IN_PROGRESS, 2, 1)


# --- good practices -----------------------------------------------------------------------------------------


def test_a_good_practice_through_the_api(personas) -> None:
    p = personas
    body = {
        "unit": p.duyun_hr.pk,
        "title": "欠薪“一站式”化解",
        "summary": "联合坐班当场调解",
        "from": "2025-03-01",
        "to": "2025-04-01",
        "tags": ["欠薪"],
    }
    assert post(api_client(p.handler), "/api/v1/oversight/practices", body).status_code == 403
    assert (
        post(api_client(p.supervisor), "/api/v1/oversight/practices", body | {"to": "2025-02-01"}).status_code
        == 422
    )
    created = post(api_client(p.supervisor), "/api/v1/oversight/practices", body)
    assert created.status_code == 201 and created.json()["from"] == "2025-03-01"
    practice_id = created.json()["id"]
    assert api_client(p.handler).get(f"/api/v1/oversight/practices/{practice_id}").status_code == 404
    published = post(
        api_client(p.supervisor), f"/api/v1/oversight/practices/{practice_id}/publish", {"version": 1}
    )
    assert published.status_code == 200 and published.json()["is_published"] is True
    assert (
        post(
            api_client(p.supervisor), f"/api/v1/oversight/practices/{practice_id}/publish", {"version": 2}
        ).status_code
        == 409
    )
    assert api_client(p.handler).get(f"/api/v1/oversight/practices/{practice_id}").status_code == 200
    assert api_client(p.other_handler).get(f"/api/v1/oversight/practices/{practice_id}").status_code == 404
    assert GoodPractice.objects.count() == 1


def test_the_openapi_declares_the_oversight_endpoints(personas) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/oversight/interviews",
        "/api/v1/oversight/interviews/{interview_id}/hold",
        "/api/v1/oversight/rectifications/{item_id}/verify",
        "/api/v1/oversight/practices",
    ):
        assert path in paths
    hold = paths["/api/v1/oversight/interviews/{interview_id}/hold"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(hold)


def test_holding_an_interview_before_its_day_is_409(personas) -> None:
    p = personas
    interview = make_interview(
        p.supervisor, p.duyun_hr, held_on=date(2099, 1, 1), follow_up_due=date(2099, 2, 1)
    )
    response = post(
        api_client(p.supervisor),
        f"/api/v1/oversight/interviews/{interview.pk}/hold",
        {"version": 1, "summary": "提前登记"},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_yet"
    interview_hold(
        actor=p.supervisor,
        interview=interview,
        summary="到期登记",
        expected_version=1,
        today=date(2099, 1, 1),
    )


def test_the_practices_filter_by_category_takes_in_its_subcategories(personas) -> None:
    p = personas
    wages = Category.objects.get(code="labour.wage_arrears")
    tagged = make_practice(p.supervisor, p.duyun_hr, published=True, category_id=wages.pk)
    make_practice(p.supervisor, p.duyun_police, published=True)
    client = api_client(p.supervisor)
    assert wages.parent is not None
    for code in ("labour.wage_arrears", wages.parent.code):
        items = client.get(f"/api/v1/oversight/practices?category={code}").json()["items"]
        assert [i["id"] for i in items] == [tagged.pk], code
        assert items[0]["category_name"] == wages.name
