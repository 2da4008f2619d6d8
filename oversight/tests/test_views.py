"""The oversight pages against the personas: lists, their Excel exports (audited, scoped), the forms that
create rows, and the action forms on the detail pages with their refusals."""

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from appeals.tests.factories import register
from core.models import AuditEvent
from insights.services import counters_refresh
from insights.tests.factories import accept, assign, march, registered
from org.models import User
from oversight.models import GoodPractice, Interview, InterviewStatus, RectificationStatus
from oversight.tests.factories import make_interview, make_practice, make_rectification
from tests.support import client_for, response_bytes, xlsx_rows

LISTS = ("/oversight/interviews/", "/oversight/rectifications/", "/oversight/practices/")


def browser(user: User) -> Client:
    client = client_for(user)
    client.get("/oversight/practices/")  # any page sets the CSRF cookie
    return client


def submit(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


@pytest.fixture
def rows(personas) -> dict[str, Any]:
    p = personas
    appeal = register(p.dispatcher)
    return {
        "duyun_interview": make_interview(p.supervisor, p.duyun_hr, appeal_ids=(appeal.pk,)),
        "fuquan_interview": make_interview(p.prefecture_supervisor, p.fuquan_hr, interviewee="钱局长"),
        "duyun_item": make_rectification(p.supervisor, p.duyun_hr, due=date(2025, 1, 31)),
        "fuquan_item": make_rectification(
            p.prefecture_supervisor, p.fuquan_hr, problem="福泉市督查检查发现的问题"
        ),
        "duyun_practice": make_practice(p.supervisor, p.duyun_hr, published=True),
        "fuquan_practice": make_practice(
            p.prefecture_supervisor, p.fuquan_hr, published=True, title="福泉经验"
        ),
        "appeal": appeal,
    }


# --- lists and exports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "marker", "duyun", "fuquan"),
    [
        ("/oversight/interviews/", "data-interview", "duyun_interview", "fuquan_interview"),
        ("/oversight/rectifications/", "data-item", "duyun_item", "fuquan_item"),
        ("/oversight/practices/", "data-practice", "duyun_practice", "fuquan_practice"),
    ],
)
def test_each_list_page_shows_each_persona_the_rows_in_scope(
    personas, rows, path, marker, duyun, fuquan
) -> None:
    duyun_readers = {
        "visitor",
        "handler",
        "unit_head",
        "dispatcher",
        "supervisor",
        "prefecture_supervisor",
        "admin",
    }
    fuquan_readers = {"other_handler", "other_leader", "prefecture_supervisor", "admin"}
    for name, user in personas.all().items():
        client = client_for(user)
        html = client.get(path).content.decode()
        assert (f'{marker}="{rows[duyun].pk}"' in html) == (name in duyun_readers), name
        assert (f'{marker}="{rows[fuquan].pk}"' in html) == (name in fuquan_readers), name
        detail = client.get(f"{path}{rows[fuquan].pk}/")
        assert detail.status_code == (200 if name in fuquan_readers else 404), name
        assert ('data-testid="new"' in html) == (name in {"supervisor", "prefecture_supervisor", "admin"}), (
            name
        )


def test_the_lists_need_a_signed_in_user(rows) -> None:
    for path in LISTS:
        response = Client().get(path)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("path", "what", "duyun_text", "fuquan_text"),
    [
        ("/oversight/interviews/export.xlsx", "interviews", "赵局长", "钱局长"),
        (
            "/oversight/rectifications/export.xlsx",
            "rectifications",
            "案件评查发现",
            "福泉市督查检查发现的问题",
        ),
        ("/oversight/practices/export.xlsx", "good_practices", "“一站式”化解欠薪纠纷", "福泉经验"),
    ],
)
def test_each_export_holds_the_rows_the_user_sees_and_is_audited(
    personas, rows, path, what, duyun_text, fuquan_text
) -> None:
    p = personas
    for user, sees_duyun, sees_fuquan in (
        (p.handler, True, False),
        (p.other_handler, False, True),
        (p.prefecture_supervisor, True, True),
        (p.township_handler, False, False),
    ):
        response = client_for(user).get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = xlsx_rows(response_bytes(response))
        text = "\n".join("|".join(row) for row in sheet[1:])
        assert len(sheet) - 1 == sees_duyun + sees_fuquan, user.username
        assert (duyun_text in text) == sees_duyun and (fuquan_text in text) == sees_fuquan
        event = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.EXPORTED).latest("id")
        assert event.data["export"] == what and event.data["rows"] == len(sheet) - 1


def test_the_export_follows_the_filters_and_carries_the_appeal_codes(personas, rows) -> None:
    p = personas
    client = client_for(p.prefecture_supervisor)
    sheet = xlsx_rows(response_bytes(client.get(f"/oversight/interviews/export.xlsx?unit={p.duyun_hr.pk}")))
    assert len(sheet) == 2 and rows["appeal"].code in sheet[1]
    assert "按时办结率 42% (2025-02-01 – 2025-02-28)" in sheet[1]  # by its inclusive last day
    overdue = xlsx_rows(response_bytes(client.get("/oversight/rectifications/export.xlsx?status=overdue")))
    assert len(overdue) == 3  # both items are past due and open
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.data["filters"] == {"status": "overdue"}


def test_the_ledger_shows_an_overdue_item_as_overdue(personas, rows) -> None:
    html = client_for(personas.handler).get("/oversight/rectifications/?status=overdue").content.decode()
    assert f'data-item="{rows["duyun_item"].pk}"' in html and 'data-testid="overdue"' in html


# --- interviews -----------------------------------------------------------------------------------------------


def test_the_new_interview_page_offers_the_metrics_that_fell_short(personas) -> None:
    p = personas
    late = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, late, march(4), unit=p.duyun_hr)
    accept(p.handler, late, march(4, 13))
    counters_refresh()
    html = (
        client_for(p.supervisor)
        .get(f"/oversight/interviews/new/?unit={p.duyun_hr.pk}&starts=2025-03-01&ends=2025-03-31")
        .content.decode()
    )
    assert 'data-testid="rates"' in html
    checked = re.findall(r'<input type="checkbox" name="reasons" value="(\w+)" id="\w+" checked>', html)
    # Accepted late: acceptance 0%; no village visited: coverage 0%; nothing returned: return rate 0%.
    assert checked == ["on_time_acceptance_rate", "visit_coverage"]


def test_a_supervisor_records_an_interview_from_the_page_with_the_reasons_the_metrics_give(personas) -> None:
    p = personas
    late = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, late, march(4), unit=p.duyun_hr)
    accept(p.handler, late, march(4, 13))
    counters_refresh()
    appeal = register(p.dispatcher)
    client = browser(p.supervisor)
    form = {
        "unit": p.duyun_hr.pk,
        "starts": "2025-03-01",
        "ends": "2025-03-31",  # the inclusive last day
        "reasons": ["on_time_acceptance_rate"],
        "held_on": "2025-03-10",
        "place": "市委政法委会议室",
        "interviewers": "杨督查",
        "interviewee": "赵局长",
        "commitments": "清理超期件\n\n每周调度\n",
        "follow_up_due": "2025-04-10",
        "appeals": appeal.code,
    }
    response = submit(client, "/oversight/interviews/new/", form)
    interview = Interview.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oversight/interviews/{interview.pk}/"
    assert interview.reasons == [
        {"metric": "on_time_acceptance_rate", "value": 0.0, "from": "2025-03-01", "to": "2025-04-01"}
    ]
    assert interview.commitments == ["清理超期件", "每周调度"] and list(interview.appeals.all()) == [appeal]
    shown = client.get(f"/oversight/interviews/{interview.pk}/").content.decode()
    assert "(2025-03-01 – 2025-03-31)" in shown  # the period by its inclusive last day


def test_the_interview_form_refuses_bad_input_and_writes_nothing(personas) -> None:
    p = personas
    client = browser(p.supervisor)
    base = {
        "unit": p.duyun_hr.pk,
        "held_on": "2025-03-10",
        "place": "会议室",
        "interviewers": "杨督查",
        "interviewee": "赵局长",
        "commitments": "整改",
        "follow_up_due": "2025-04-10",
    }
    assert (
        submit(client, "/oversight/interviews/new/", base | {"follow_up_due": "2025-03-01"}).status_code
        == 400
    )
    assert submit(client, "/oversight/interviews/new/", base | {"commitments": "  "}).status_code == 400
    assert (
        submit(client, "/oversight/interviews/new/", base | {"appeals": "522701-2025-999999"}).status_code
        == 400
    )
    assert (
        submit(client, "/oversight/interviews/new/", base | {"reasons": ["solved_rate"]}).status_code == 400
    )
    # A unit outside the supervisor's regions is not among the choices.
    assert submit(client, "/oversight/interviews/new/", base | {"unit": p.fuquan_hr.pk}).status_code == 400
    assert not Interview.objects.exists()


def test_the_new_pages_are_refused_to_those_who_do_not_write(personas) -> None:
    for user in (personas.handler, personas.unit_head, personas.other_leader):
        client = client_for(user)
        for path in (
            "/oversight/interviews/new/",
            "/oversight/rectifications/new/",
            "/oversight/practices/new/",
        ):
            assert client.get(path).status_code == 403


def test_the_interview_actions_from_its_page(personas, rows) -> None:
    p = personas
    interview = rows["duyun_interview"]
    url = f"/oversight/interviews/{interview.pk}/"
    client = browser(p.supervisor)
    assert 'data-testid="hold-form"' in client.get(url).content.decode()
    assert 'data-testid="hold-form"' not in client_for(p.unit_head).get(url).content.decode()
    assert (
        submit(browser(p.unit_head), f"{url}hold/", {"version": 1, "summary": "自行登记"}).status_code == 403
    )
    assert (
        submit(browser(p.other_handler), f"{url}hold/", {"version": 1, "summary": "越权"}).status_code == 404
    )
    assert submit(client, f"{url}hold/", {"version": 1, "summary": "已约谈"}).status_code == 302
    stale = submit(client, f"{url}follow-up/", {"version": 1, "on": "2025-03-12", "note": "回访"})
    assert stale.status_code == 302
    assert "该记录已被他人修改" in client.get(url).content.decode()
    assert (
        submit(client, f"{url}follow-up/", {"version": 2, "on": "2025-03-12", "note": "回访"}).status_code
        == 302
    )
    assert submit(client, f"{url}close/", {"version": 3}).status_code == 302
    interview.refresh_from_db()
    assert (interview.status, interview.follow_ups.count()) == (InterviewStatus.CLOSED, 1)
    assert submit(client, f"{url}explode/", {"version": 4}).status_code == 404


# --- rectifications ---------------------------------------------------------------------------------------------


def test_a_rectification_from_an_interview_page_then_progress_and_verification(personas, rows) -> None:
    p = personas
    interview = rows["duyun_interview"]
    client = browser(p.supervisor)
    page = client.get(f"/oversight/rectifications/new/?interview={interview.pk}").content.decode()
    assert 'data-testid="from-interview"' in page
    assert '<button type="submit" class="primary">立项</button>' in page  # not 查看, the other "Open"
    created = submit(
        client,
        f"/oversight/rectifications/new/?interview={interview.pk}",
        {
            "unit": p.duyun_hr.pk,
            "interview": interview.pk,
            "source": "chronic_problem",
            "problem": "欠薪问题反复",
            "due": "2025-06-30",
            "appeals": rows["appeal"].code,
        },
    )
    item = interview.rectifications.get()
    assert created.status_code == 302 and created["Location"] == f"/oversight/rectifications/{item.pk}/"
    assert list(item.appeals.all()) == [rows["appeal"]]
    url = f"/oversight/rectifications/{item.pk}/"
    handler = browser(p.handler)
    assert 'data-testid="progress-form"' in handler.get(url).content.decode()
    assert 'data-testid="progress-form"' not in client_for(p.visitor).get(url).content.decode()
    assert submit(browser(p.visitor), f"{url}progress/", {"version": 1, "note": "越权"}).status_code == 403
    assert (
        submit(handler, f"{url}progress/", {"version": 1, "note": "整改完毕", "done": "on"}).status_code
        == 302
    )
    assert submit(handler, f"{url}verify/", {"version": 2, "note": "自验", "passed": "1"}).status_code == 403
    assert 'data-testid="verify-form"' in client.get(url).content.decode()
    assert (
        submit(client, f"{url}verify/", {"version": 2, "note": "抽查属实", "passed": "1"}).status_code == 302
    )
    item.refresh_from_db()
    assert (item.status, item.verification_note) == (RectificationStatus.VERIFIED, "抽查属实")


def test_an_interview_out_of_scope_cannot_seed_a_rectification(personas, rows) -> None:
    client = client_for(personas.supervisor)
    assert (
        client.get(f"/oversight/rectifications/new/?interview={rows['fuquan_interview'].pk}").status_code
        == 404
    )


# --- good practices ---------------------------------------------------------------------------------------------


def test_a_practice_is_written_edited_and_published_from_its_pages(personas) -> None:
    p = personas
    client = browser(p.supervisor)
    form = {
        "unit": p.duyun_police.pk,
        "title": "警民联调",
        "summary": "派出所与司法所联合调解",
        "period_starts": "2025-03-01",
        "period_ends": "2025-03-31",
        "tags": "调解，联动",
    }
    assert (
        submit(client, "/oversight/practices/new/", form | {"period_ends": "2025-02-01"}).status_code == 400
    )
    created = submit(client, "/oversight/practices/new/", form)
    practice = GoodPractice.objects.get()
    assert created.status_code == 302 and practice.tags == ["调解", "联动"] and not practice.is_published
    url = f"/oversight/practices/{practice.pk}/"
    assert client_for(p.visitor).get(url).status_code == 404
    edited = submit(client, f"{url}edit/", form | {"title": "警民联调化纠纷", "version": 1})
    assert edited.status_code == 302
    stale = submit(client, f"{url}edit/", form | {"title": "旧版本覆盖", "version": 1})
    assert stale.status_code == 200 and "该记录已被他人修改" in stale.content.decode()
    assert submit(browser(p.handler), f"{url}publish/", {"version": 2}).status_code == 404
    assert submit(client, f"{url}publish/", {"version": 2}).status_code == 302
    practice.refresh_from_db()
    assert practice.is_published and practice.title == "警民联调化纠纷"
    assert client_for(p.visitor).get(url).status_code == 200
    assert client_for(p.handler).get(f"{url}edit/").status_code == 403
