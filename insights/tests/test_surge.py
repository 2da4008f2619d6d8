"""Weekly surge alerts (热点预警): a Poisson test against the township's own 4 weeks before, a minimum count, one
alert per week and subject, to the county's supervisors only, no personal data in the message."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from appeals.models import Notification
from appeals.services import Reporter
from insights.models import SurgeAlert
from insights.services.surge import is_surge, poisson_tail, surge_alerts_send, week_of
from insights.tests.factories import FUQUAN_VILLAGE, GUANGHUI_VILLAGE, registered
from tests.support import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = date(2025, 3, 17)  # a Monday
FLOODING = "广惠社区桥头路段每逢下雨就严重积水，行人车辆无法通行，排水管道堵塞多年无人疏通。"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def flooding(
    actor, day: date, *, title: str = "桥头路段下雨积水无法通行", place: str = GUANGHUI_VILLAGE, n: int = 0
):
    return registered(
        actor,
        at(day),
        region_code=place,
        category_code="land.boundary",
        title=title,
        description=FLOODING,
        reporter=Reporter(name="王建国", phone=f"1390000{n:04d}"),
    )


def test_the_poisson_rule_needs_evidence_and_a_minimum() -> None:
    assert is_surge(3, 0)[0] is True  # λ floored at 0.25: P(X ≥ 3) = 0.002
    assert is_surge(2, 0)[0] is False  # below the minimum
    assert is_surge(3, 4)[0] is False  # one a week before: P = 0.08
    assert is_surge(5, 4)[0] is True
    assert is_surge(18, 40)[0] is False and is_surge(19, 40)[0] is True
    assert poisson_tail(0, 3.0) == 1.0 and round(poisson_tail(1, 1.0), 4) == round(1 - 0.36788, 4)


def test_a_new_cluster_in_a_township_alerts_the_countys_supervisors_once(personas: Personas) -> None:
    d = personas.dispatcher
    for i, day in enumerate((17, 18, 19, 20)):
        flooding(d, date(2025, 3, day), n=i)
    [category, cluster] = sorted(surge_alerts_send(week_starts=WEEK), key=lambda a: a.subject)
    assert category.subject == "category:land.boundary" and cluster.subject.startswith("cluster:")
    assert (cluster.count, cluster.township) == (4, "522701001000")
    notes = Notification.objects.filter(kind=Notification.Kind.SURGE)
    assert {n.user_id for n in notes} == {personas.supervisor.pk}
    message = notes.filter(appeal__isnull=False).get().message
    assert "都匀市广惠街道" in message and "4件" in message and "热点预警" in message
    assert "王建国" not in message and "1390000" not in message
    assert surge_alerts_send(week_starts=WEEK) == []
    assert SurgeAlert.objects.count() == 2 and notes.count() == 2


def test_a_steady_flow_is_no_surge(personas: Personas) -> None:
    d = personas.dispatcher
    n = 0
    for monday in (date(2025, 2, 17), date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 10), WEEK):
        for offset in range(3):
            flooding(d, date(monday.year, monday.month, monday.day + offset), n=n)
            n += 1
    assert surge_alerts_send(week_starts=WEEK) == []
    assert not Notification.objects.filter(kind=Notification.Kind.SURGE).exists()


def test_another_countys_surge_goes_to_its_own_supervisors(personas: Personas) -> None:
    for i, day in enumerate((17, 18, 19)):
        flooding(personas.other_leader, date(2025, 3, day), place=FUQUAN_VILLAGE, n=i)
    surge_alerts_send(week_starts=WEEK)
    receivers = set(
        Notification.objects.filter(kind=Notification.Kind.SURGE).values_list("user_id", flat=True)
    )
    assert personas.supervisor.pk not in receivers


@pytest.mark.parametrize(("day", "monday"), [(date(2025, 3, 17), WEEK), (date(2025, 3, 23), WEEK)])
def test_week_of_is_the_monday(day: date, monday: date) -> None:
    assert week_of(day) == monday
