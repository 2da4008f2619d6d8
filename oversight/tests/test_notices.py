"""Notices (通报): generation from the metrics, editing, numbering on publishing, who reads what, the Word file."""

import json
import math
import time
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine

from core.errors import DomainError, Forbidden, InvalidInput, NotFound, StaleVersion
from core.period import period_between, period_text
from geo.models import Region
from insights.selectors.metrics import metrics_summary
from insights.selectors.rankings import rankings
from insights.services import counters_refresh
from oversight.docx import notice_docx
from oversight.models import Notice, NoticeCounter, NoticeStatus
from oversight.permissions import access_notice, notices_visible_to
from oversight.selectors.notices import SECTION_KEYS, short_name
from oversight.services.notices import NoticeEdit, notice_draft, notice_edit, notice_publish
from oversight.tests.factories import MARCH, NOW, history, region
from tests.support import DUYUN, FUQUAN, GUANGHUI, PREFECTURE


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def march_history(personas, frozen):
    return history(personas)


def part(notice: Notice, key: str) -> dict:
    return next(s for s in notice.content["sections"] if s["key"] == key)


def draft(user, code: str = PREFECTURE) -> Notice:
    return notice_draft(user=user, period=MARCH, region=region(code))


# --- generation -------------------------------------------------------------------------------------------


def test_a_prefecture_draft_is_built_from_the_metrics_rankings_overdue_items_and_practices(march_history):
    p = march_history
    notice = draft(p.prefecture_supervisor)
    assert notice.status == NoticeStatus.DRAFT and notice.number == "" and notice.version == 1
    assert notice.title == "关于2025年3月黔南州大走访工作情况的通报"
    assert notice.issuer == "黔南州大走访工作领导小组办公室"
    assert [s["key"] for s in notice.content["sections"]] == list(SECTION_KEYS)
    assert [s["heading"] for s in notice.content["sections"]] == [
        "总体情况",
        "排名情况",
        "存在问题",
        "超期事项",
        "热点问题",
        "经验做法",
        "工作要求",
    ]

    # 总体情况: the metrics as the summary gives them, each with its counts; the definitions beside them.
    summary = metrics_summary(user=p.prefecture_supervisor, period=MARCH, region=region(PREFECTURE))
    overview = part(notice, "overview")
    assert {i["metric"]: i["value"] for i in overview["items"]} == summary.rates
    resolution = next(i for i in overview["items"] if i["metric"] == "on_time_resolution_rate")
    assert (resolution["numerator"], resolution["denominator"]) == (2, 3)
    assert resolution["label"] == "按时办结率"
    assert "交办群众诉求5件" in overview["text"] and "按时办结率66.7%" in overview["text"]
    assert ["按时办结率", "66.7%", "2", "3"] in overview["tables"][0]["rows"]
    assert {d["metric"] for d in notice.content["definitions"]} == set(summary.rates)

    # 排名情况: the county league as the rankings give it, and the prefecture's own departments.
    ranking = part(notice, "ranking")
    counties = rankings(
        user=p.prefecture_supervisor, league="county", period=MARCH, region=region(PREFECTURE)
    )
    assert [(r["name"], r["rank"], r["score"]) for r in ranking["items"]["areas"]] == [
        (r.name, r.rank, r.score) for r in counties.rows
    ]
    areas, departments = ranking["tables"]
    assert areas["caption"] == "各县（市）综合排名" and len(areas["rows"]) == 12
    assert areas["rows"][0][:3] == ["1", "都匀市", "80.00"] and areas["rows"][1][:3] == [
        "2",
        "福泉市",
        "40.00",
    ]
    assert departments["caption"] == "州直部门综合排名"
    assert [row[1] for row in departments["rows"]] == ["黔南州委政法委"]
    lines = ranking["text"].splitlines()
    assert "不少于1件方计入" in lines[0] and "数据不足" in lines[0]
    # Only 都匀市 and 福泉市 have cases: the ten counties judged on village coverage alone are 数据不足, on no board,
    # so with two ranked counties nobody lags.
    assert lines[1] == "各县（市）中，都匀市、福泉市位居前列（红榜）。"
    assert not counties.black and len(counties.insufficient) == 10
    assert (
        lines[2]
        == f"各县（市）中，{'、'.join(r.name for r in counties.insufficient)}本期数据不足，未参与排名。"
    )
    assert areas["rows"][2][2] == "数据不足"
    assert lines[3] == "州直部门中，黔南州委政法委本期数据不足，未参与排名。"  # no case of its own

    # 存在问题: nobody on a black board, so nobody named.
    problems = part(notice, "problems")
    assert problems["items"] == [] and problems["text"] == "本期未发现综合得分排名靠后的单位。"

    # 超期事项: the items past their deadline, most overdue first, with no personal data.
    overdue = part(notice, "overdue")
    assert overdue["total"] == 2
    assert [i["code"] for i in overdue["items"]] == [p.overdue.code, p.far.code]
    first = overdue["items"][0]
    days = math.ceil((NOW - p.overdue.resolve_due).total_seconds() / 86400)
    assert (first["title"], first["lead_unit"], first["days_overdue"]) == (
        "工地欠薪未结清",
        p.duyun_hr.name,
        days,
    )
    assert overdue["items"][1]["title"] == "拖欠工资138****5678"
    assert overdue["tables"][0]["rows"][0][:3] == ["1", p.overdue.code, "工地欠薪未结清"]
    assert "截至2025年4月10日" in overdue["text"]
    everything = json.dumps(notice.content, ensure_ascii=False)
    assert "张三" not in everything and "13812345678" not in everything and "123X" not in everything

    # 经验做法 and 工作要求.
    assert part(notice, "practices")["items"][0]["title"] == "“一站式”化解欠薪纠纷"
    assert "都匀市人力资源和社会保障局：“一站式”化解欠薪纠纷" in part(notice, "practices")["text"]
    assert part(notice, "requirements")["text"]


def test_a_county_draft_ranks_its_townships_and_its_own_departments_within_the_county(march_history):
    p = march_history
    notice = draft(p.supervisor, DUYUN)
    assert notice.title == "关于2025年3月都匀市大走访工作情况的通报"
    areas, departments = part(notice, "ranking")["tables"]
    assert areas["caption"] == "各乡镇（街道）综合排名"
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith="522701").count()
    assert len(areas["rows"]) == townships and areas["rows"][0][1] == "广惠街道"
    names = {row[1] for row in departments["rows"]}
    assert p.duyun_hr.name in names and p.fuquan_hr.name not in names and p.guanghui.name not in names
    overdue = part(notice, "overdue")
    assert [i["code"] for i in overdue["items"]] == [p.overdue.code]


def test_a_period_with_nothing_in_it_still_gives_every_section(personas, frozen):
    p = personas
    counters_refresh()
    notice = notice_draft(
        user=p.admin,
        period=period_between(starts=date(2024, 1, 1), ends=date(2024, 2, 1)),
        region=region(DUYUN),
    )
    assert [s["key"] for s in notice.content["sections"]] == list(SECTION_KEYS)
    assert part(notice, "overdue")["total"] == 0 and part(notice, "overdue")["tables"] == []
    assert "无超期未办结事项" in part(notice, "overdue")["text"]
    assert "暂无经验做法" in part(notice, "practices")["text"]


def test_a_township_or_village_notice_is_refused_with_details(personas):
    p = personas
    for code in (GUANGHUI, "522701001001"):
        with pytest.raises(InvalidInput) as error:
            draft(p.prefecture_supervisor, code)
        assert "region" in error.value.details
    assert not Notice.objects.exists()


def test_a_region_beyond_the_supervisors_grants_is_answered_as_missing(personas):
    p = personas
    for code in (FUQUAN, PREFECTURE):
        with pytest.raises(NotFound):
            draft(p.supervisor, code)
    assert not Notice.objects.exists()


def test_roles_that_do_not_write_notices_may_not_draft_them(personas):
    p = personas
    for user in (p.visitor, p.handler, p.unit_head, p.dispatcher, p.other_leader, p.township_handler):
        with pytest.raises(Forbidden):
            draft(user, DUYUN)
    assert not Notice.objects.exists()


def test_autonomous_areas_go_by_their_short_names(personas):
    assert short_name(region(PREFECTURE)) == "黔南州"
    assert short_name(region("522732000000")) == "三都县"
    assert short_name(region(DUYUN)) == "都匀市"


def test_periods_are_named_as_a_notice_names_them():
    assert period_text(date(2026, 10, 1), date(2026, 11, 1)) == "2026年10月"
    assert period_text(date(2026, 1, 1), date(2027, 1, 1)) == "2026年"
    assert period_text(date(2026, 7, 1), date(2026, 10, 1)) == "2026年7月至9月"
    assert period_text(date(2026, 10, 8), date(2026, 11, 8)) == "2026年10月8日至11月7日"
    assert period_text(date(2026, 12, 20), date(2027, 1, 10)) == "2026年12月20日至2027年1月9日"
    assert period_text(date(2026, 10, 8), date(2026, 10, 9)) == "2026年10月8日"


# --- editing and publishing ---------------------------------------------------------------------------------


def test_an_edit_changes_the_named_texts_and_keeps_the_tables(march_history):
    p = march_history
    notice = draft(p.supervisor, DUYUN)
    tables = part(notice, "ranking")["tables"]
    edit = NoticeEdit(title="关于3月都匀市大走访工作的通报", sections={"overview": "第一段\n第二段"})
    edited = notice_edit(notice=notice, actor=p.supervisor, expected_version=1, edit=edit)
    edited.refresh_from_db()
    assert (edited.version, edited.title) == (2, "关于3月都匀市大走访工作的通报")
    assert part(edited, "overview")["text"] == "第一段\n第二段"
    assert part(edited, "ranking")["tables"] == tables
    assert part(edited, "problems")["text"] == part(notice, "problems")["text"]


def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(march_history):
    p = march_history
    notice = draft(p.supervisor, DUYUN)
    notice_edit(notice=notice, actor=p.supervisor, expected_version=1, edit=NoticeEdit(title="第一稿"))
    with pytest.raises(StaleVersion) as error:
        notice_edit(notice=notice, actor=p.supervisor, expected_version=1, edit=NoticeEdit(title="第二稿"))
    assert error.value.status == 409 and error.value.details["current_version"] == 2
    notice.refresh_from_db()
    assert (notice.title, notice.version) == ("第一稿", 2)


def test_an_edit_naming_an_unknown_section_or_empty_title_is_refused_with_details(march_history):
    p = march_history
    notice = draft(p.supervisor, DUYUN)
    with pytest.raises(InvalidInput) as error:
        notice_edit(
            notice=notice,
            actor=p.supervisor,
            expected_version=1,
            edit=NoticeEdit(title=" ", sections={"appendix": "附件", "overview": "<script>x</script>"}),
        )
    assert set(error.value.details) == {"title", "sections.appendix", "sections.overview"}
    notice.refresh_from_db()
    assert notice.version == 1


def test_only_supervisors_covering_the_region_may_edit(march_history):
    p = march_history
    notice = draft(p.prefecture_supervisor)
    with pytest.raises(NotFound):
        notice_edit(notice=notice, actor=p.supervisor, expected_version=1, edit=NoticeEdit(title="改"))
    with pytest.raises(Forbidden):
        notice_edit(notice=notice, actor=p.other_leader, expected_version=1, edit=NoticeEdit(title="改"))


def test_publishing_numbers_the_years_notices_in_order_and_never_twice(march_history):
    p = march_history
    first, second = draft(p.prefecture_supervisor), draft(p.supervisor, DUYUN)
    first = notice_publish(notice=first, actor=p.prefecture_supervisor, expected_version=1)
    second = notice_publish(notice=second, actor=p.supervisor, expected_version=1)
    assert (first.number, second.number) == ("黔南走访办通〔2025〕1号", "黔南走访办通〔2025〕2号")
    assert (first.status, first.version, first.published_by) == (
        NoticeStatus.PUBLISHED,
        2,
        p.prefecture_supervisor,
    )
    assert first.published_at == NOW
    with pytest.raises(DomainError) as error:
        notice_publish(notice=first, actor=p.prefecture_supervisor, expected_version=2)
    assert error.value.code == "already_published" and error.value.status == 409
    first.refresh_from_db()
    assert first.number == "黔南走访办通〔2025〕1号"
    assert NoticeCounter.objects.get(year=2025).last == 2


def test_a_new_year_starts_its_numbers_at_one(march_history):
    p = march_history
    notice_publish(notice=draft(p.supervisor, DUYUN), actor=p.supervisor, expected_version=1)
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        notice = notice_publish(notice=draft(p.supervisor, DUYUN), actor=p.supervisor, expected_version=1)
    assert notice.number == "黔南走访办通〔2026〕1号"


def test_publishing_with_a_stale_version_is_refused_and_gives_no_number(march_history):
    p = march_history
    notice = draft(p.supervisor, DUYUN)
    notice_edit(notice=notice, actor=p.supervisor, expected_version=1, edit=NoticeEdit(title="改"))
    with pytest.raises(StaleVersion):
        notice_publish(notice=notice, actor=p.supervisor, expected_version=1)
    notice.refresh_from_db()
    assert (notice.status, notice.number) == (NoticeStatus.DRAFT, "")
    assert not NoticeCounter.objects.filter(last__gt=0).exists()


def test_a_published_notice_can_no_longer_be_edited(march_history):
    p = march_history
    notice = notice_publish(notice=draft(p.supervisor, DUYUN), actor=p.supervisor, expected_version=1)
    with pytest.raises(DomainError) as error:
        notice_edit(notice=notice, actor=p.supervisor, expected_version=2, edit=NoticeEdit(title="改"))
    assert error.value.code == "notice_published" and error.value.status == 409


# --- who reads what ---------------------------------------------------------------------------------------


def test_drafts_stay_with_their_supervisors_and_published_notices_reach_the_units_below(march_history):
    p = march_history
    county = draft(p.supervisor, DUYUN)
    prefecture = draft(p.prefecture_supervisor)

    def readable(user) -> set[int]:
        return set(notices_visible_to(user).values_list("pk", flat=True))

    assert readable(p.supervisor) == {county.pk}
    assert readable(p.prefecture_supervisor) == readable(p.admin) == {county.pk, prefecture.pk}
    assert readable(p.unit_head) == readable(p.other_leader) == set()
    notice_publish(notice=county, actor=p.supervisor, expected_version=1)
    notice_publish(notice=prefecture, actor=p.prefecture_supervisor, expected_version=1)
    assert readable(p.unit_head) == {county.pk, prefecture.pk}
    # 福泉市's leader reads the prefecture's notice, which ranks 福泉市, not 都匀市's.
    assert readable(p.other_leader) == {prefecture.pk}
    with pytest.raises(NotFound):
        access_notice(p.other_leader, county.pk)
    for user in (p.visitor, p.handler, p.dispatcher, p.township_handler):
        with pytest.raises(Forbidden):
            access_notice(user, prefecture.pk)


# --- the Word file ----------------------------------------------------------------------------------------


def test_the_word_file_holds_the_sections_the_ranking_table_and_the_overdue_table(march_history):
    p = march_history
    notice = notice_publish(
        notice=draft(p.prefecture_supervisor), actor=p.prefecture_supervisor, expected_version=1
    )
    document = docx.Document(BytesIO(notice_docx(notice)))
    texts = [para.text for para in document.paragraphs]
    assert texts[0] == notice.issuer and "黔南走访办通〔2025〕1号" in texts and notice.title in texts
    assert "一、总体情况" in texts and "五、热点问题" in texts and "七、工作要求" in texts
    assert texts[-1] == "2025年4月10日"
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["排名", "单位", "综合得分", "及时签收率", "按时办结率", "解决率", "满意率", "走访覆盖率"] in cells
    assert any(row[:3] == ["1", "都匀市", "80.00"] for row in cells)
    assert ["序号", "编号", "事项", "所在地", "牵头单位", "办结时限", "超期天数"] in cells
    assert any(row[1] == p.overdue.code and row[2] == "工地欠薪未结清" for row in cells)


def test_a_draft_word_file_is_marked_as_a_draft(march_history):
    p = march_history
    document = docx.Document(BytesIO(notice_docx(draft(p.supervisor, DUYUN))))
    assert "（草稿）" in [para.text for para in document.paragraphs[:4]]


def test_a_full_prefecture_notice_with_20_overdue_items_renders_well_under_five_seconds(personas):
    p = personas
    ranking_row = ["1", "某某县", "88.88", "95.0%", "90.0%", "80.0%", "85.0%", "70.0%"]
    overdue_row = [
        "1",
        "522701-2025-000001",
        "工地欠薪未结清",
        "广惠社区",
        "都匀市人社局",
        "2025-03-21",
        "20",
    ]
    notice = Notice.objects.create(
        title="关于2025年3月黔南布依族苗族自治州大走访工作情况的通报",
        issuer="黔南布依族苗族自治州大走访工作领导小组办公室",
        period_starts=date(2025, 3, 1),
        period_ends=date(2025, 4, 1),
        region_id=PREFECTURE,
        created_by=p.prefecture_supervisor,
        content={
            "addressee": "各县（市）",
            "sections": [
                {
                    "key": "ranking",
                    "heading": "排名情况",
                    "text": "按综合得分排序。\n" * 5,
                    "tables": [
                        {"caption": "各县（市）", "headers": ["h"] * 8, "rows": [ranking_row] * 12},
                        # Every prefecture and county department of the prefecture: about 250.
                        {"caption": "部门", "headers": ["h"] * 8, "rows": [ranking_row] * 250},
                    ],
                },
                {
                    "key": "overdue",
                    "heading": "超期事项",
                    "text": "超期。",
                    "tables": [
                        {"caption": "超期", "headers": ["h"] * 7, "rows": [overdue_row] * 20},
                    ],
                },
            ],
        },
    )
    started = time.perf_counter()
    data = notice_docx(notice)
    elapsed = time.perf_counter() - started
    print(f"notice .docx with 262 ranking rows and 20 overdue items: {elapsed:.2f} s, {len(data)} bytes")
    assert elapsed < 2.5
    assert len(docx.Document(BytesIO(data)).tables) == 3


def test_the_notice_lists_the_hot_issues_by_text_with_names_masked(march_history):
    from insights.tests.factories import march, registered

    for day in (10, 11, 12):
        registered(march_history.dispatcher, march(day), title="包工头王建国拖欠工资")
    notice = draft(march_history.prefecture_supervisor)
    hot = part(notice, "hot")
    assert hot["tables"][0]["headers"] == ["排名", "问题ID", "热度指数", "地点/人群", "问题描述", "件数"]
    assert hot["items"][0]["appeals"] >= 3 and "热度最高" in hot["text"]
    assert "王建国" not in json.dumps(notice.content, ensure_ascii=False)
    document = docx.Document(BytesIO(notice_docx(notice)))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "热度指数" in cells and not any("王建国" in c for c in cells)
