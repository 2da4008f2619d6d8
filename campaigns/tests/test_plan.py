"""Planning: targets and responsibilities (包保) through the services and the plan page, with every refusal."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign, Enterprise, Metric, Responsibility, Target
from campaigns.services.plan import (
    responsibilities_assign_township,
    responsibility_assign,
    responsibility_remove,
    target_set,
    visitor_candidates,
)
from campaigns.tests.factories import FUQUAN_VILLAGE, GUANGHUI_VILLAGES, make_campaign
from core.errors import Forbidden, InvalidInput, NotFound
from org.models import Role, UnitKind
from org.tests.factories import make_member, make_unit
from tests.support import GUANGHUI, client_for


@pytest.fixture
def campaign(personas) -> Campaign:
    return make_campaign()


def counts() -> tuple[int, int]:
    return Target.objects.count(), Responsibility.objects.count()


# --- targets ----------------------------------------------------------------------------------------------


def test_a_dispatcher_sets_changes_and_clears_a_target_of_a_unit_in_scope(personas, campaign) -> None:
    unit = personas.duyun_police
    target = target_set(
        actor=personas.dispatcher, campaign=campaign, unit_id=unit.pk, metric=Metric.HOUSEHOLDS, quantity=800
    )
    assert target is not None and target.quantity == 800
    target_set(
        actor=personas.dispatcher, campaign=campaign, unit_id=unit.pk, metric=Metric.HOUSEHOLDS, quantity=900
    )
    assert Target.objects.get(campaign=campaign, unit=unit, metric=Metric.HOUSEHOLDS).quantity == 900
    cleared = target_set(
        actor=personas.dispatcher, campaign=campaign, unit_id=unit.pk, metric=Metric.HOUSEHOLDS, quantity=0
    )
    assert cleared is None and not Target.objects.exists()


def test_an_admin_sets_targets_anywhere_in_the_prefecture(personas, campaign) -> None:
    target_set(
        actor=personas.admin,
        campaign=campaign,
        unit_id=personas.fuquan_hr.pk,
        metric=Metric.ENTERPRISES,
        quantity=40,
    )
    assert Target.objects.filter(unit=personas.fuquan_hr).count() == 1


@pytest.mark.parametrize("persona", ["visitor", "handler", "unit_head", "supervisor", "other_leader"])
def test_only_admins_and_dispatchers_may_set_targets(personas, campaign, persona) -> None:
    with pytest.raises(Forbidden):
        target_set(
            actor=getattr(personas, persona),
            campaign=campaign,
            unit_id=personas.duyun_police.pk,
            metric=Metric.HOUSEHOLDS,
            quantity=10,
        )
    assert counts() == (0, 0)


def test_a_target_of_a_unit_elsewhere_is_answered_like_a_missing_unit(personas, campaign) -> None:
    for unit_id in (personas.fuquan_hr.pk, personas.prefecture_plc.pk, 999_999):
        with pytest.raises(NotFound) as caught:
            target_set(
                actor=personas.dispatcher,
                campaign=campaign,
                unit_id=unit_id,
                metric=Metric.HOUSEHOLDS,
                quantity=10,
            )
        assert caught.value.message == "单位不存在"
    assert counts() == (0, 0)


def test_a_bad_metric_or_quantity_is_refused_with_details(personas, campaign) -> None:
    with pytest.raises(InvalidInput) as caught:
        target_set(
            actor=personas.dispatcher,
            campaign=campaign,
            unit_id=personas.duyun_police.pk,
            metric="smiles",
            quantity=-1,
        )
    assert caught.value.status == 422
    assert set(caught.value.details) == {"metric", "quantity"}
    assert counts() == (0, 0)


# --- responsibilities -------------------------------------------------------------------------------------


def test_visitor_candidates_hold_a_visiting_role_in_the_planners_regions(personas) -> None:
    names = set(visitor_candidates(personas.dispatcher).values_list("username", flat=True))
    # Visitors, handlers, unit heads and dispatchers of Duyun; not Fuquan's handler, not supervisors.
    assert {"visitor", "handler", "unit_head", "dispatcher", "township_handler"} <= names
    assert not names & {"other_handler", "supervisor", "other_leader", "prefecture_supervisor"}
    everyone = set(visitor_candidates(personas.admin).values_list("username", flat=True))
    assert "other_handler" in everyone


def test_a_dispatcher_assigns_a_village_and_a_repeat_changes_nothing(personas, campaign) -> None:
    first = responsibility_assign(
        actor=personas.dispatcher,
        campaign=campaign,
        visitor_id=personas.visitor.pk,
        place_code=GUANGHUI_VILLAGES[0],
    )
    again = responsibility_assign(
        actor=personas.dispatcher,
        campaign=campaign,
        visitor_id=personas.visitor.pk,
        place_code=GUANGHUI_VILLAGES[0],
    )
    assert first.pk == again.pk
    assert (first.region_id, first.visitor, first.enterprise) == (
        GUANGHUI_VILLAGES[0],
        personas.visitor,
        None,
    )
    assert counts() == (0, 1)


def test_an_enterprise_can_be_assigned(personas, campaign) -> None:
    factory = Enterprise.objects.create(name="都匀经开区某电子厂", region_id=GUANGHUI_VILLAGES[1])
    r = responsibility_assign(
        actor=personas.dispatcher, campaign=campaign, visitor_id=personas.visitor.pk, enterprise_id=factory.pk
    )
    assert (r.enterprise, r.region) == (factory, None)


def test_assigning_needs_exactly_one_place_a_village_and_a_visitor_who_may_visit_it(
    personas, campaign
) -> None:
    def assign(**kwargs):
        return responsibility_assign(actor=personas.dispatcher, campaign=campaign, **kwargs)

    factory = Enterprise.objects.create(name="某厂", region_id=GUANGHUI_VILLAGES[1])
    refusals: list[tuple[dict[str, Any], str]] = [
        (dict(visitor_id=personas.visitor.pk), "place_code"),
        (
            dict(visitor_id=personas.visitor.pk, place_code=GUANGHUI_VILLAGES[0], enterprise_id=factory.pk),
            "place_code",
        ),
        (
            dict(visitor_id=personas.visitor.pk, place_code=GUANGHUI),
            "place_code",
        ),  # a township, not a village
        (dict(visitor_id=personas.supervisor.pk, place_code=GUANGHUI_VILLAGES[0]), "visitor"),
        (dict(visitor_id=personas.other_handler.pk, place_code=GUANGHUI_VILLAGES[0]), "visitor"),
        (dict(visitor_id=999_999, place_code=GUANGHUI_VILLAGES[0]), "visitor"),
    ]
    for kwargs, field in refusals:
        with pytest.raises(InvalidInput) as caught:
            assign(**kwargs)
        assert field in caught.value.details, kwargs
    # The Guanghui handler may only visit Guanghui: not a Wenfeng community.
    with pytest.raises(InvalidInput) as caught:
        assign(visitor_id=personas.township_handler.pk, place_code="522701002001")
    assert "visitor" in caught.value.details
    assert counts() == (0, 0)


def test_a_place_elsewhere_is_answered_like_a_missing_one(personas, campaign) -> None:
    elsewhere = Enterprise.objects.create(name="福泉某厂", region_id=FUQUAN_VILLAGE)
    cases: list[dict[str, Any]] = [
        dict(place_code=FUQUAN_VILLAGE),
        dict(place_code="522701001999"),
        dict(enterprise_id=elsewhere.pk),
        dict(enterprise_id=999_999),
    ]
    for kwargs in cases:
        with pytest.raises(NotFound):
            responsibility_assign(
                actor=personas.dispatcher, campaign=campaign, visitor_id=personas.visitor.pk, **kwargs
            )
    with pytest.raises(Forbidden):
        responsibility_assign(
            actor=personas.supervisor,
            campaign=campaign,
            visitor_id=personas.visitor.pk,
            place_code=GUANGHUI_VILLAGES[0],
        )
    assert counts() == (0, 0)


def test_a_whole_township_is_assigned_in_one_go_keeping_what_is_there(personas, campaign) -> None:
    Responsibility.objects.create(campaign=campaign, visitor=personas.visitor, region_id=GUANGHUI_VILLAGES[0])
    result = responsibilities_assign_township(
        actor=personas.dispatcher, campaign=campaign, visitor_id=personas.visitor.pk, township_code=GUANGHUI
    )
    assert (result.created, result.already) == (12, 1)
    held = set(Responsibility.objects.filter(visitor=personas.visitor).values_list("region_id", flat=True))
    assert held == set(GUANGHUI_VILLAGES)
    again = responsibilities_assign_township(
        actor=personas.dispatcher, campaign=campaign, visitor_id=personas.visitor.pk, township_code=GUANGHUI
    )
    assert (again.created, again.already) == (0, 13)


def test_township_assignment_refusals(personas, campaign) -> None:
    with pytest.raises(NotFound):
        responsibilities_assign_township(
            actor=personas.dispatcher,
            campaign=campaign,
            visitor_id=personas.visitor.pk,
            township_code="522702001000",
        )
    with pytest.raises(InvalidInput) as caught:
        responsibilities_assign_township(
            actor=personas.dispatcher,
            campaign=campaign,
            visitor_id=personas.visitor.pk,
            township_code=GUANGHUI_VILLAGES[0],
        )
    assert "township" in caught.value.details
    # A village committee's visitor cannot answer for the whole township.
    committee = make_unit(kind=UnitKind.VILLAGE_COMMITTEE, region_code=GUANGHUI_VILLAGES[0])
    village_visitor = make_member(username="village_visitor", unit=committee, role=Role.VISITOR)
    with pytest.raises(InvalidInput) as caught:
        responsibilities_assign_township(
            actor=personas.dispatcher,
            campaign=campaign,
            visitor_id=village_visitor.pk,
            township_code=GUANGHUI,
        )
    assert "visitor" in caught.value.details
    with pytest.raises(Forbidden):
        responsibilities_assign_township(
            actor=personas.handler, campaign=campaign, visitor_id=personas.visitor.pk, township_code=GUANGHUI
        )
    assert counts() == (0, 0)


def test_a_responsibility_is_removed_only_within_scope(personas, campaign) -> None:
    here = Responsibility.objects.create(
        campaign=campaign, visitor=personas.visitor, region_id=GUANGHUI_VILLAGES[0]
    )
    there = Responsibility.objects.create(
        campaign=campaign, visitor=personas.other_handler, region_id=FUQUAN_VILLAGE
    )
    other_campaign = make_campaign(name="另一次")
    with pytest.raises(NotFound):
        responsibility_remove(actor=personas.dispatcher, campaign=campaign, responsibility_id=there.pk)
    with pytest.raises(NotFound):
        responsibility_remove(actor=personas.dispatcher, campaign=other_campaign, responsibility_id=here.pk)
    with pytest.raises(Forbidden):
        responsibility_remove(actor=personas.visitor, campaign=campaign, responsibility_id=here.pk)
    responsibility_remove(actor=personas.dispatcher, campaign=campaign, responsibility_id=here.pk)
    assert list(Responsibility.objects.all()) == [there]


# --- the page ---------------------------------------------------------------------------------------------


def post(client: Client, url: str, data: dict):
    client.get(reverse("home"))
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def plan_url(campaign: Campaign) -> str:
    return reverse("campaigns:plan", kwargs={"campaign_id": campaign.pk})


def test_plan_page_is_open_to_planners_and_overseers_only(personas, campaign) -> None:
    allowed = {"dispatcher", "supervisor", "prefecture_supervisor", "other_leader", "admin"}
    for name, user in personas.all().items():
        response = client_for(user).get(plan_url(campaign))
        assert response.status_code == (200 if name in allowed else 403), name
    supervisor_page = client_for(personas.supervisor).get(plan_url(campaign)).content.decode()
    assert 'data-testid="read-only"' in supervisor_page and 'name="action"' not in supervisor_page
    dispatcher_page = client_for(personas.dispatcher).get(plan_url(campaign)).content.decode()
    assert 'data-testid="target-form"' in dispatcher_page and 'data-testid="township-form"' in dispatcher_page


def test_plan_page_sets_a_target_and_assigns_a_township(personas, campaign) -> None:
    client = client_for(personas.dispatcher)
    response = post(
        client,
        plan_url(campaign),
        {"action": "target", "unit": personas.duyun_police.pk, "metric": "villages", "quantity": "120"},
    )
    assert response.status_code == 302
    assert Target.objects.get().quantity == 120
    response = post(
        client,
        plan_url(campaign),
        {
            "action": "assign_township",
            "township": GUANGHUI,
            "visitor": personas.visitor.pk,
            "region": GUANGHUI,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?region={GUANGHUI}")
    assert Responsibility.objects.count() == 13
    page = client.get(plan_url(campaign), {"region": GUANGHUI}).content.decode()
    assert page.count("王走访") >= 13
    remove = Responsibility.objects.first()
    assert remove is not None
    post(client, plan_url(campaign), {"action": "remove", "responsibility": remove.pk, "region": GUANGHUI})
    assert Responsibility.objects.count() == 12


def test_plan_page_answers_bad_input_422_elsewhere_404_and_overseers_403(personas, campaign) -> None:
    client = client_for(personas.dispatcher)
    bad = post(
        client,
        plan_url(campaign),
        {"action": "target", "unit": personas.duyun_police.pk, "metric": "x", "quantity": "5"},
    )
    assert bad.status_code == 422 and "指标无效" in bad.content.decode()
    not_a_number = post(client, plan_url(campaign), {"action": "target", "unit": "abc", "quantity": "5"})
    assert not_a_number.status_code == 422
    elsewhere = post(
        client,
        plan_url(campaign),
        {"action": "assign", "place_code": FUQUAN_VILLAGE, "visitor": personas.visitor.pk},
    )
    assert elsewhere.status_code == 404
    overseer = post(
        client_for(personas.supervisor),
        plan_url(campaign),
        {"action": "target", "unit": personas.duyun_police.pk, "metric": "villages", "quantity": "5"},
    )
    assert overseer.status_code == 403
    assert counts() == (0, 0)
