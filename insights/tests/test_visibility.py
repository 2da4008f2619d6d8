"""Who sees which appeals (DESIGN §4), within a region subtree: the region condition alone when the user's
regions hold the subtree, otherwise the user's regions or their units' parts, inside that subtree."""

from appeals.permissions import appeals_visible_to
from appeals.tests.factories import register
from insights.tests.factories import FUQUAN_VILLAGE, GUANGHUI_VILLAGE, WENFENG_VILLAGE, assign, march

DUYUN, WENFENG = "522701", "522701002"


def titles(user, within: str | None = None) -> set[str]:
    return set(appeals_visible_to(user, within=within).values_list("title", flat=True))


def test_within_a_subtree_a_user_sees_their_regions_and_their_units_parts_there_and_nothing_else(
    personas,
) -> None:
    p = personas
    register(p.dispatcher, at=march(3), region_code=GUANGHUI_VILLAGE, title="广惠欠薪")
    given = register(p.dispatcher, at=march(3), region_code=WENFENG_VILLAGE, title="文峰交办广惠")
    assign(p.dispatcher, given, march(3), unit=p.guanghui)
    register(p.dispatcher, at=march(3), region_code=WENFENG_VILLAGE, title="文峰欠薪")
    register(p.admin, at=march(3), region_code=FUQUAN_VILLAGE, title="福泉欠薪")

    # 广惠街道's handler: its own township, and what its unit was given elsewhere; the subtree narrows both.
    assert titles(p.township_handler) == {"广惠欠薪", "文峰交办广惠"}
    assert titles(p.township_handler, DUYUN) == {"广惠欠薪", "文峰交办广惠"}
    assert titles(p.township_handler, WENFENG) == {"文峰交办广惠"}
    assert titles(p.township_handler, "522702") == set()
    # 都匀市's supervisor holds the whole county: within it, or within one of its townships, all of it.
    assert titles(p.supervisor, DUYUN) == {"广惠欠薪", "文峰交办广惠", "文峰欠薪"}
    assert titles(p.supervisor, WENFENG) == {"文峰交办广惠", "文峰欠薪"}
    assert titles(p.supervisor, "522702") == set()
    assert titles(p.admin, "522702") == {"福泉欠薪"}


def test_a_functional_departments_overseer_gets_its_unit_view_not_an_area_overview(personas) -> None:
    """The area counters count an area's appeals, which a functional department does not see as a whole
    (DESIGN §4); its leader opens the unit view, whose numbers are its own unit's."""
    from org.models import Role
    from org.tests.factories import make_member
    from tests.support import client_for

    leader = make_member(username="hr_leader", unit=personas.duyun_hr, role=Role.LEADER)
    response = client_for(leader).get("/insights/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/insights/unit/{personas.duyun_hr.pk}/")
    assert client_for(leader).get("/api/v1/dashboard").status_code == 403
