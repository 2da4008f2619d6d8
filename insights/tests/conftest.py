"""The scenes the insights tests share: a March in 都匀市 seen by the dashboards, and a season of the rankings."""

import pytest

from campaigns.models import Metric, Target
from insights.services import counters_refresh
from insights.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGE,
    WENFENG_VILLAGE,
    accept,
    assign,
    callback,
    campaign,
    handled,
    march,
    moment,
    registered,
    resolve,
    visit,
)
from org.models import Role
from org.tests.factories import make_member


@pytest.fixture
def scene(personas):
    """都匀市 in March 2025: two handled requests (广惠, 文峰), a red dispute assigned and never accepted, an orange
    dispute only registered, a contract request accepted and left open; one appeal in April; one in 福泉市.
    Three visits of the spring campaign, against a target of 100 households."""
    p = personas
    good = handled(p, march(3), resolved_at=march(3, 15), region_code=GUANGHUI_VILLAGE)
    callback(p.dispatcher, good, march(4), solved=True, satisfaction="satisfied")
    poor = handled(p, march(4), resolved_at=march(5, 15), region_code=WENFENG_VILLAGE)
    callback(p.dispatcher, poor, march(6), solved=False, satisfaction="unsatisfied")
    red = registered(
        p.dispatcher,
        march(10),
        kind="dispute",
        risk_colour="red",
        region_code=GUANGHUI_VILLAGE,
        category_code="land.boundary",
        title="宅基地边界纠纷",
    )
    assign(p.dispatcher, red, march(10), unit=p.duyun_hr)
    registered(
        p.dispatcher,
        march(11),
        kind="dispute",
        risk_colour="orange",
        region_code=WENFENG_VILLAGE,
        category_code="neighbour.dispute",
        title="邻里噪音纠纷",
    )
    open_item = registered(
        p.dispatcher,
        march(12),
        region_code=GUANGHUI_VILLAGE,
        category_code="labour.contract",
        title="劳动合同未续签",
    )
    assign(p.dispatcher, open_item, march(12), unit=p.duyun_hr)
    accept(p.handler, open_item, march(12, 11))
    registered(p.dispatcher, moment(4, 2), region_code=GUANGHUI_VILLAGE)
    fuquan_dispatcher = make_member(username="fuquan_dispatcher", unit=p.fuquan_plc, role=Role.DISPATCHER)
    far = registered(fuquan_dispatcher, march(3), region_code=FUQUAN_VILLAGE, title="福泉欠薪")
    assign(fuquan_dispatcher, far, march(3), unit=p.fuquan_hr)
    spring = campaign()
    visit(p.visitor, march(3), place=GUANGHUI_VILLAGE, households=12)
    visit(p.visitor, march(17), place=GUANGHUI_VILLAGE, households=8)
    visit(p.visitor, march(18), place="522701002001", households=5)
    Target.objects.create(campaign=spring, unit=p.duyun_police, metric=Metric.HOUSEHOLDS, quantity=100)
    counters_refresh()
    p.spring = spring
    return p


@pytest.fixture
def season(personas):
    """都匀市: 广惠街道 served well, 文峰街道 with an unsolved callback; 福泉市: one item assigned, never accepted."""
    p = personas
    good = handled(p, march(3), resolved_at=march(3, 15), region_code=GUANGHUI_VILLAGE)
    callback(p.dispatcher, good, march(4), solved=True, satisfaction="satisfied")
    poor = handled(p, march(3), resolved_at=march(3, 15), region_code=WENFENG_VILLAGE)
    callback(p.dispatcher, poor, march(4), solved=False, satisfaction="unsatisfied")
    township = registered(p.dispatcher, march(5), region_code=GUANGHUI_VILLAGE)
    assign(p.dispatcher, township, march(5), unit=p.guanghui)
    accept(p.township_handler, township, march(5, 10, 30))
    resolve(p.township_handler, township, march(6))
    fuquan_dispatcher = make_member(username="fuquan_dispatcher", unit=p.fuquan_plc, role=Role.DISPATCHER)
    far = registered(fuquan_dispatcher, march(3), region_code=FUQUAN_VILLAGE)
    assign(fuquan_dispatcher, far, march(3), unit=p.fuquan_hr)
    counters_refresh()
    return p
