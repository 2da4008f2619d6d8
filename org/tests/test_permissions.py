import pytest
from django.db import connection

from core.errors import Forbidden, NotFound
from org.models import Role, Unit
from org.permissions import (
    access_region,
    access_unit,
    regions_visible_to,
    require_role,
    units_visible_to,
    user_scope,
)
from org.tests.factories import make_member, make_user


def test_scope_is_the_unit_region_subtree(personas) -> None:
    assert user_scope(personas.handler).prefixes == ("522701",)
    assert user_scope(personas.township_handler).prefixes == ("522701001",)
    assert user_scope(personas.prefecture_supervisor).prefixes == ("5227",)
    assert user_scope(personas.handler).roles == {"handler"}


def test_memberships_in_nested_regions_collapse_to_the_widest(personas) -> None:
    make_member(username="handler", unit=personas.prefecture_plc, role=Role.HANDLER)
    make_member(username="handler", unit=personas.guanghui, role=Role.HANDLER)
    user = type(personas.handler).objects.get(pk=personas.handler.pk)
    assert user_scope(user).prefixes == ("5227",)


def test_a_user_without_membership_sees_nothing(qiannan) -> None:
    from org.tests.factories import make_user

    nobody = make_user(username="nobody")
    assert not regions_visible_to(nobody).exists()
    assert not units_visible_to(nobody).exists()


def test_county_users_see_their_county_units_and_not_the_neighbours(personas) -> None:
    visible = set(units_visible_to(personas.handler).values_list("name", flat=True))
    assert visible == {"都匀市委政法委", "都匀市人力资源和社会保障局", "都匀市公安局", "广惠街道办事处"}
    assert set(units_visible_to(personas.other_leader).values_list("name", flat=True)) == {
        "福泉市委政法委",
        "福泉市人力资源和社会保障局",
    }


def test_prefecture_users_see_every_county(personas) -> None:
    assert units_visible_to(personas.prefecture_supervisor).count() == Unit.objects.count()
    assert regions_visible_to(personas.prefecture_supervisor).count() == 1586  # all but the province


def test_own_unit_is_visible_even_outside_the_region_subtree(personas) -> None:
    # A township handler sees the township's subtree, and always its own unit.
    assert set(units_visible_to(personas.township_handler).values_list("name", flat=True)) == {
        "广惠街道办事处"
    }


def test_out_of_scope_and_missing_are_the_same_not_found(personas) -> None:
    with pytest.raises(NotFound) as out_of_scope:
        access_unit(personas.other_leader, personas.duyun_hr.pk)
    with pytest.raises(NotFound) as missing:
        access_unit(personas.other_leader, 987654)
    assert (out_of_scope.value.code, out_of_scope.value.message) == (
        missing.value.code,
        missing.value.message,
    )
    with pytest.raises(NotFound):
        access_region(personas.other_leader, "522701000000")
    assert access_region(personas.handler, "522701001001").name == "广惠社区居民委员会"


def test_require_role(personas) -> None:
    require_role(personas.dispatcher, Role.DISPATCHER)
    with pytest.raises(Forbidden):
        require_role(personas.handler, Role.DISPATCHER, Role.SUPERVISOR)


def test_inactive_users_and_units_grant_no_scope(personas) -> None:
    personas.duyun_hr.is_active = False
    personas.duyun_hr.save(update_fields=["is_active"])
    assert user_scope(personas.handler).prefixes == ()


def test_subtree_queries_use_an_index(personas) -> None:
    regions = regions_visible_to(personas.handler).filter(level=4)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = regions.explain()
        assert "Index" in plan and "Seq Scan" not in plan
    else:
        plan = regions.explain()
        assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan or "USING COVERING INDEX" in plan


def test_a_superuser_without_membership_sees_every_unit(personas) -> None:
    root = make_user(username="root-only")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    assert units_visible_to(root).count() == Unit.objects.count() > 1
