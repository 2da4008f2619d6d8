"""The data scope of DESIGN §4 (条块) over the persona matrix, for both kinds of unit: a territorial unit (块)
sees its region subtree; a functional department (条) the appeals in which it, or a unit of its kind inside its
subtree, has a part; every unit what it registered. Lists, details, exports and the API answer alike, and out of
scope is the same 404 as missing."""

import pytest

from appeals.permissions import access_appeal, appeals_visible_to
from appeals.services import appeal_assign
from appeals.tests.factories import register
from core.errors import NotFound
from org.models import Role, UnitKind
from org.tests.factories import make_member, make_unit
from tests.support import PREFECTURE, api_client, client_for, response_bytes, xlsx_rows

FAMILY_VILLAGE = "522701001002"  # 广惠街道, 都匀市
FUQUAN_VILLAGE = "522702001001"


@pytest.fixture
def matrix(personas):
    """A family dispute of 都匀市 nobody assigned to 人社; a wage case of 都匀市 assigned to 都匀市人社局; a wage
    case of 福泉市 assigned to 福泉市人社局; and a case of 都匀市 registered by the 都匀市公安局's visitor."""
    p = personas
    p.prefecture_hr = make_unit(kind=UnitKind.HUMAN_RESOURCES, region_code=PREFECTURE, name="黔南州人社局")
    p.prefecture_hr_head = make_member(username="pref_hr_head", unit=p.prefecture_hr, role=Role.UNIT_HEAD)
    fuquan_dispatcher = make_member(username="fq_dispatcher", unit=p.fuquan_plc, role=Role.DISPATCHER)
    p.family = register(
        p.dispatcher,
        title="家庭矛盾调解",
        kind="dispute",
        category_code="family.conflict",
        region_code=FAMILY_VILLAGE,
    )
    p.duyun_wages = register(p.dispatcher, title="都匀欠薪")
    appeal_assign(appeal=p.duyun_wages, actor=p.dispatcher, expected_version=1, lead_unit_id=p.duyun_hr.pk)
    p.fuquan_wages = register(fuquan_dispatcher, title="福泉欠薪", region_code=FUQUAN_VILLAGE)
    appeal_assign(
        appeal=p.fuquan_wages, actor=fuquan_dispatcher, expected_version=1, lead_unit_id=p.fuquan_hr.pk
    )
    p.police_found = register(p.visitor, title="走访发现的欠薪", region_code=FAMILY_VILLAGE)
    return p


def titles(user) -> set[str]:
    return set(appeals_visible_to(user).values_list("title", flat=True))


ALL = {"家庭矛盾调解", "都匀欠薪", "福泉欠薪", "走访发现的欠薪"}
DUYUN = {"家庭矛盾调解", "都匀欠薪", "走访发现的欠薪"}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        # 块: territorial units see their region subtree.
        ("dispatcher", DUYUN),  # 都匀市委政法委
        ("supervisor", DUYUN),
        ("prefecture_supervisor", ALL),  # 黔南州委政法委
        ("other_leader", {"福泉欠薪"}),  # 福泉市委政法委
        ("admin", ALL),
        ("township_handler", {"家庭矛盾调解", "都匀欠薪", "走访发现的欠薪"}),  # 广惠街道: its township
        # 条: functional departments see their line's items, not the county's family dispute.
        ("handler", {"都匀欠薪"}),  # 都匀市人社局
        ("unit_head", {"都匀欠薪"}),
        ("other_handler", {"福泉欠薪"}),  # 福泉市人社局
        ("visitor", {"走访发现的欠薪"}),  # 都匀市公安局: what its own unit registered
        ("prefecture_hr_head", {"都匀欠薪", "福泉欠薪"}),  # the prefecture 人社局 oversees the county 人社局s
    ],
)
def test_each_persona_sees_what_the_rule_gives_its_kind_of_unit(matrix, who: str, sees: set[str]) -> None:
    user = getattr(matrix, who)
    assert titles(user) == sees
    # The query shape for one page of a list (a per-row probe instead of a hash) keeps the same rule.
    assert set(appeals_visible_to(user, paged=True).values_list("title", flat=True)) == sees


def test_a_functional_department_gets_the_same_404_for_a_family_dispute_as_for_a_missing_appeal(
    matrix,
) -> None:
    p = matrix
    with pytest.raises(NotFound):
        access_appeal(p.handler, p.family.pk)
    page = client_for(p.handler).get(f"/appeals/{p.family.pk}/")
    missing = client_for(p.handler).get("/appeals/987654321/")
    assert page.status_code == missing.status_code == 404
    api = api_client(p.handler)
    assert api.get(f"/api/v1/appeals/{p.family.pk}").status_code == 404
    assert api.get("/api/v1/appeals/987654321").status_code == 404


def test_the_list_page_the_api_list_and_the_export_follow_the_rule(matrix) -> None:
    p = matrix
    page = client_for(p.prefecture_hr_head).get("/appeals/")
    assert {row.appeal.title for row in page.context["rows"]} == {"都匀欠薪", "福泉欠薪"}
    assert page.context["total"] == 2
    listed = api_client(p.prefecture_hr_head).get("/api/v1/appeals").json()["items"]
    assert {item["title"] for item in listed} == {"都匀欠薪", "福泉欠薪"}
    export = client_for(p.handler).get("/appeals/", {"export": "xlsx"})
    rows = xlsx_rows(response_bytes(export))
    assert [row[1] for row in rows[1:]] == ["都匀欠薪"]
