"""The dashboard pages: the overview, county, township and unit views render their numbers and links for the
personas in scope, refuse the rest, pick periods, and export their tables (audited, no personal data)."""

import json
from datetime import date

from django.utils import timezone

from core.models import AuditEvent
from core.period import preset_period
from insights.tests.factories import DUYUN, FUQUAN, GUANGHUI, MARCH_PARAMS, min_samples
from tests.support import client_for, response_bytes, xlsx_rows

OVERVIEW = "/insights/"


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_leaders_overview_shows_the_prefecture_by_county_with_its_charts(scene) -> None:
    response = client_for(scene.prefecture_supervisor).get(OVERVIEW, MARCH_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "都匀市" in html and "福泉市" in html and "黔南布依族苗族自治州" in html
    assert 'data-figure="appeals"><span class="value">6</span>' in html
    assert 'data-figure="overdue"><span class="value">3</span>' in html
    assert f'href="/insights/county/{DUYUN}/?from=2025-03-01&amp;to=2025-04-01"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    assert 'data-chart="by_kind"' in html and 'data-chart="weeks"' in html
    data = chart_data(response)
    assert data["appeals"]["value"] == 6 and data["series"]["visits"]
    as_of = timezone.localtime(response.context["as_of"])
    assert 'data-testid="as-of"' in html and as_of.strftime("%H:%M") in html  # 数据截至 HH:MM


def test_a_county_view_lists_its_townships_with_links_to_their_lists(scene) -> None:
    response = client_for(scene.supervisor).get(f"/insights/county/{DUYUN}/", MARCH_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "广惠街道" in html and "文峰街道" in html and "福泉市" not in html
    assert f"/appeals/?region={GUANGHUI}&amp;from=2025-03-01&amp;to=2025-03-31" in html
    assert f'href="/insights/township/{GUANGHUI}/?from=2025-03-01&amp;to=2025-04-01"' in html
    assert 'data-testid="overdue-count">2</a>' in html
    assert "宅基地边界纠纷" in html  # the most overdue item


def test_a_township_view_opens_from_its_county_and_says_what_it_cannot_break_down(scene) -> None:
    response = client_for(scene.prefecture_supervisor).get(f"/insights/township/{GUANGHUI}/", MARCH_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="appeals"><span class="value">3</span>' in html
    assert f'href="/insights/county/{DUYUN}/?from=2025-03-01&amp;to=2025-04-01"' in html  # the trail
    assert "按县统计" in html or "counted per county" in html


def test_the_views_refuse_what_lies_outside_the_scope_and_the_wrong_level(scene) -> None:
    leader = client_for(scene.other_leader)
    assert leader.get(f"/insights/county/{DUYUN}/").status_code == 404
    assert leader.get(f"/insights/township/{GUANGHUI}/").status_code == 404
    assert leader.get(f"/insights/county/{FUQUAN}/").status_code == 200
    assert leader.get(f"/insights/unit/{scene.duyun_hr.pk}/").status_code == 404
    supervisor = client_for(scene.supervisor)
    assert supervisor.get(f"/insights/county/{GUANGHUI}/").status_code == 404  # a township is not a county
    assert supervisor.get("/insights/county/nonsense/").status_code == 404


def test_a_visitor_is_refused_and_unit_staff_land_on_their_units_view(scene) -> None:
    assert client_for(scene.visitor).get(OVERVIEW).status_code == 403
    assert client_for(scene.visitor).get(f"/insights/county/{DUYUN}/").status_code == 403
    response = client_for(scene.handler).get(OVERVIEW, MARCH_PARAMS)
    assert response.status_code == 302
    assert response["Location"] == f"/insights/unit/{scene.duyun_hr.pk}/?from=2025-03-01&to=2025-04-01"
    assert client_for(scene.handler).get(f"/insights/county/{DUYUN}/").status_code == 403


def test_the_unit_view_shows_its_queue_overdue_items_and_rank(scene) -> None:
    min_samples(1)
    response = client_for(scene.unit_head).get(f"/insights/unit/{scene.duyun_hr.pk}/", MARCH_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/appeals/?unit={scene.duyun_hr.pk}&amp;task=assigned" data-figure="assigned"' in html
    assert 'data-figure="overdue"><span class="value">2</span>' in html
    assert response.context["rank"] is not None and response.context["rank"].rank == 1
    assert 'href="/appeals/unit/?unit=' in html  # the unit's own queue, for its staff
    other = client_for(scene.unit_head).get(f"/insights/unit/{scene.duyun_police.pk}/")
    assert other.status_code == 404
    assert client_for(scene.supervisor).get(f"/insights/unit/{scene.duyun_police.pk}/").status_code == 200


def test_the_period_picker_takes_presets_custom_dates_and_refuses_bad_ones(scene) -> None:
    client = client_for(scene.supervisor)
    last_month = client.get(OVERVIEW, {"period": "last_month"})
    assert last_month.context["preset"] == "last_month"
    assert last_month.context["period"] == preset_period("last_month", timezone.localdate())
    custom = client.get(OVERVIEW, MARCH_PARAMS)
    assert custom.context["preset"] == "custom" and custom.context["period"].starts == date(2025, 3, 1)
    bad = client.get(OVERVIEW, {"from": "2025-04-01", "to": "2025-03-01"})
    assert bad.status_code == 200 and bad.context["preset"] == "this_month"
    assert "统计期的结束日期应晚于开始日期" in bad.content.decode()
    garbled = client.get(OVERVIEW, {"from": "March"})
    assert garbled.status_code == 200 and garbled.context["preset"] == "this_month"


def test_presets_cover_the_month_quarter_and_year_so_far() -> None:
    today = date(2025, 5, 20)
    assert (preset_period("this_month", today).starts, preset_period("this_month", today).ends) == (
        date(2025, 5, 1),
        date(2025, 5, 21),
    )
    assert (preset_period("last_month", today).starts, preset_period("last_month", today).ends) == (
        date(2025, 4, 1),
        date(2025, 5, 1),
    )
    assert preset_period("last_month", date(2025, 1, 5)).starts == date(2024, 12, 1)
    assert preset_period("this_quarter", today).starts == date(2025, 4, 1)
    assert preset_period("this_year", today).starts == date(2025, 1, 1)


def test_the_heat_table_export_holds_the_rows_and_is_audited(scene) -> None:
    response = client_for(scene.supervisor).get(
        f"/insights/county/{DUYUN}/", {**MARCH_PARAMS, "export": "heat"}
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = xlsx_rows(response_bytes(response))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["广惠街道"][2:4] == ["3", "2"]  # appeals, visits
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.data["export"] == "dashboard_areas" and event.data["rows"] == len(rows) - 1
    assert event.actor_id == scene.supervisor.pk and event.data["filters"]["region"] == DUYUN


def test_the_overdue_export_lists_every_overdue_item_without_personal_data(scene) -> None:
    response = client_for(scene.prefecture_supervisor).get(OVERVIEW, {"export": "overdue"})
    assert response.status_code == 200
    rows = xlsx_rows(response_bytes(response))
    assert [row[1] for row in rows[1:]] == ["福泉欠薪", "宅基地边界纠纷", "劳动合同未续签"]
    content = "".join("".join(row) for row in rows)
    assert "张三" not in content and "13812345678" not in content
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.data["export"] == "dashboard_overdue" and event.data["rows"] == 3
    refused = client_for(scene.visitor).get(OVERVIEW, {"export": "overdue"})
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1


def test_the_overdue_export_masks_a_name_typed_into_a_title(scene) -> None:
    from appeals.models import Appeal

    Appeal.objects.filter(title="福泉欠薪").update(title="包工头王建国福泉欠薪")
    response = client_for(scene.prefecture_supervisor).get(OVERVIEW, {"export": "overdue"})
    titles = [row[1] for row in xlsx_rows(response_bytes(response))[1:]]
    assert "包工头王**福泉欠薪" in titles and not any("王建国" in t for t in titles)
