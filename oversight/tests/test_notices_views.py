"""The notice pages: the list with its audited export, drafting, the official-looking page edited section by
section, publishing, and the Word download."""

from datetime import date
from io import BytesIO

import docx
import pytest
import time_machine
from django.test import Client

from core.models import AuditEvent
from oversight.models import Notice, NoticeStatus
from oversight.services.notices import notice_draft, notice_publish
from oversight.tests.factories import MARCH, NOW, history, region
from tests.support import DUYUN, FUQUAN, GUANGHUI, PREFECTURE, api_client, client_for

LIST = "/oversight/notices/"
NEW = "/oversight/notices/new/"


@pytest.fixture
def march_history(personas):
    with time_machine.travel(NOW, tick=False):
        yield history(personas)


def signed_in(user) -> Client:
    """A browser that has fetched a page and so holds its CSRF cookie, sending the token back like a form."""
    client = client_for(user)
    client.get("/")
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def detail(notice: Notice) -> str:
    return f"/oversight/notices/{notice.pk}/"


def test_a_supervisor_drafts_a_notice_from_the_form(march_history):
    p = march_history
    client = signed_in(p.supervisor)
    form = client.get(NEW)
    assert form.status_code == 200
    options = form.content.decode()
    assert f'value="{DUYUN}"' in options and f'value="{FUQUAN}"' not in options
    # The period is asked by its inclusive last day; the end is kept exclusive.
    response = post(client, NEW, {"starts": "2025-03-01", "ends": "2025-03-31", "region": DUYUN})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(notice)
    assert (notice.region_id, notice.status, notice.created_by) == (DUYUN, NoticeStatus.DRAFT, p.supervisor)
    assert (notice.period_starts, notice.period_ends) == (date(2025, 3, 1), date(2025, 4, 1))
    page = client.get(detail(notice)).content.decode()
    assert "2025-03-01至2025-03-31" in page and "（不含）" not in page


def test_the_form_shows_the_last_complete_month_filled_in_in_chinese(march_history):
    client = signed_in(march_history.supervisor)
    html = client.get(NEW, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # <input type=date> takes only YYYY-MM-DD: a localised 2025/03/01 would render blank.
    assert 'type="date" name="starts" value="2025-03-01"' in html
    assert 'type="date" name="ends" value="2025-03-31"' in html
    assert "统计期截止日" in html and "（不含）" not in html
    refused = post(client, NEW, {"starts": "2025-03-01", "ends": "2025-02-30", "region": DUYUN})
    assert refused.status_code == 400 and 'value="2025-03-01"' in refused.content.decode()


def test_the_draft_form_refuses_other_roles_foreign_regions_and_bad_periods(march_history):
    p = march_history
    assert client_for(p.handler).get(NEW).status_code == 403
    assert client_for(p.other_leader).get(NEW).status_code == 403
    client = signed_in(p.supervisor)
    foreign = post(client, NEW, {"starts": "2025-03-01", "ends": "2025-04-01", "region": PREFECTURE})
    assert foreign.status_code == 400 and "region" in foreign.context["form"].errors
    backwards = post(client, NEW, {"starts": "2025-04-01", "ends": "2025-03-01", "region": DUYUN})
    assert backwards.status_code == 400 and "ends" in backwards.context["form"].errors
    assert not Notice.objects.exists()


def test_the_page_shows_the_sections_and_tables_and_a_draft_is_edited_in_place(march_history):
    p = march_history
    notice = notice_draft(user=p.supervisor, period=MARCH, region=region(DUYUN))
    client = signed_in(p.supervisor)
    page = client.get(detail(notice)).content.decode()
    for heading in (
        "一、总体情况",
        "二、排名情况",
        "三、存在问题",
        "四、超期事项",
        "五、热点问题",
        "六、经验做法",
        "七、工作要求",
    ):
        assert heading in page
    assert 'data-table="ranking"' in page and 'data-table="overdue"' in page
    assert '<textarea name="overview"' in page and 'name="version" value="1"' in page
    assert "/docx" in page and 'data-testid="publish"' in page and "（不含）" not in page
    saved = post(
        client, detail(notice), {"version": "1", "title": notice.title, "overview": "一段新的总体情况"}
    )
    assert saved.status_code == 302
    notice.refresh_from_db()
    assert notice.version == 2
    assert notice.content["sections"][0]["text"] == "一段新的总体情况"
    # The same form sent again carries the old version: refused, nothing changes.
    stale = post(client, detail(notice), {"version": "1", "overview": "又一段"})
    assert stale.status_code == 302
    notice.refresh_from_db()
    assert notice.version == 2 and notice.content["sections"][0]["text"] == "一段新的总体情况"
    assert "该记录已被他人修改" in client.get(detail(notice)).content.decode()


def test_publishing_from_the_page_gives_the_number_and_ends_editing(march_history):
    p = march_history
    notice = notice_draft(user=p.supervisor, period=MARCH, region=region(DUYUN))
    client = signed_in(p.supervisor)
    # First the confirmation, by a plain link (no script needed): what goes out, and who is named lagging.
    ask = client.get(f"{detail(notice)}publish/")
    html = ask.content.decode()
    assert ask.status_code == 200 and 'data-testid="publish-confirm"' in html and notice.title in html
    assert 'name="confirm" value="1"' in html
    # A POST that was not confirmed asks again and publishes nothing.
    again = post(client, f"{detail(notice)}publish/", {"version": "1"})
    assert again.status_code == 200 and 'data-testid="publish-confirm"' in again.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and notice.number == ""
    assert post(client, f"{detail(notice)}publish/", {"version": "1", "confirm": "1"}).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.number) == (NoticeStatus.PUBLISHED, "黔南走访办通〔2025〕1号")
    page = client.get(detail(notice)).content.decode()
    assert (
        "黔南走访办通〔2025〕1号" in page and "<textarea" not in page and 'data-testid="publish"' not in page
    )
    assert post(client, detail(notice), {"version": "2", "overview": "改"}).status_code == 403
    post(client, f"{detail(notice)}publish/", {"version": "2", "confirm": "1"})
    notice.refresh_from_db()
    assert notice.number == "黔南走访办通〔2025〕1号"
    assert "通报已印发" in client.get(detail(notice)).content.decode()


def test_readers_see_published_notices_without_editing_and_others_are_refused(march_history):
    p = march_history
    notice = notice_draft(user=p.supervisor, period=MARCH, region=region(DUYUN))
    assert client_for(p.unit_head).get(detail(notice)).status_code == 404
    assert client_for(p.handler).get(detail(notice)).status_code == 403
    assert client_for(p.visitor).get(LIST).status_code == 403
    notice_publish(notice=notice, actor=p.supervisor, expected_version=1)
    page = client_for(p.unit_head).get(detail(notice))
    assert page.status_code == 200 and "<textarea" not in page.content.decode()
    assert client_for(p.other_leader).get(detail(notice)).status_code == 404
    assert client_for(p.other_leader).get(f"{detail(notice)}docx").status_code == 404
    assert post(signed_in(p.unit_head), f"{detail(notice)}publish/", {"version": "2"}).status_code == 403


def test_the_word_file_downloads_from_the_page(march_history):
    p = march_history
    notice = notice_draft(user=p.prefecture_supervisor, period=MARCH, region=region(PREFECTURE))
    response = client_for(p.prefecture_supervisor).get(f"{detail(notice)}docx")
    assert response.status_code == 200
    document = docx.Document(BytesIO(response.content))
    assert notice.title in [para.text for para in document.paragraphs]
    assert len(document.tables) >= 3


def test_every_download_of_the_word_file_is_audited(march_history):
    p = march_history
    notice = notice_draft(user=p.prefecture_supervisor, period=MARCH, region=region(PREFECTURE))
    assert client_for(p.prefecture_supervisor).get(f"{detail(notice)}docx").status_code == 200
    assert api_client(p.prefecture_supervisor).get(f"/api/v1/notices/{notice.pk}/docx").status_code == 200
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, data__export="notice")
    assert rows.count() == 2
    assert {row.username for row in rows} == {p.prefecture_supervisor.username}
    assert rows[0].data == {
        "export": "notice",
        "format": "docx",
        "filters": {"notice": notice.pk, "number": ""},
    }


def test_the_list_filters_pages_and_its_export_is_audited(march_history):
    p = march_history
    county = notice_draft(user=p.supervisor, period=MARCH, region=region(DUYUN))
    prefecture = notice_draft(user=p.prefecture_supervisor, period=MARCH, region=region(PREFECTURE))
    notice_publish(notice=county, actor=p.supervisor, expected_version=1)
    client = client_for(p.prefecture_supervisor)
    page = client.get(LIST).content.decode()
    assert county.title in page and prefecture.title in page and 'data-testid="new-notice"' in page
    published = client.get(LIST, {"status": "published"})
    assert [n.pk for n in published.context["rows"]] == [county.pk]
    assert [n.pk for n in client.get(LIST, {"region": DUYUN}).context["rows"]] == [county.pk]
    assert [n.pk for n in client.get(LIST, {"region": GUANGHUI}).context["rows"]] == [
        prefecture.pk,
        county.pk,
    ]

    export = client.get(f"{LIST}export.xlsx", {"status": "published"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    b"".join(export.streaming_content)  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.data["export"], event.data["rows"]) == (p.prefecture_supervisor, "notices", 1)
    assert event.data["filters"] == {"status": "published"}
    assert client_for(p.handler).get(f"{LIST}export.xlsx").status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1
