from appeals.models import Category, RoutingRule
from appeals.services import routing_suggest
from appeals.tests.factories import register
from org.models import Role, Unit, UnitKind
from org.tests.factories import make_member, make_unit

DUYUN = "522701000000"


def staffed(kind: UnitKind, name: str) -> Unit:
    unit = make_unit(kind=kind, region_code=DUYUN, name=name)
    make_member(username=f"handler_{kind}", unit=unit, role=Role.HANDLER)
    return unit


def test_wage_arrears_in_a_duyun_village_go_to_the_county_bureaus(personas) -> None:
    justice = staffed(UnitKind.JUSTICE, "都匀市司法局")
    union = staffed(UnitKind.TRADE_UNION, "都匀市总工会")
    suggestion = routing_suggest(appeal=register(personas.dispatcher))
    assert suggestion.lead == personas.duyun_hr
    assert suggestion.co_units == [justice, union]


def test_a_unit_without_active_staff_is_never_proposed(personas) -> None:
    justice = staffed(UnitKind.JUSTICE, "都匀市司法局")
    make_unit(kind=UnitKind.TRADE_UNION, region_code=DUYUN, name="都匀市总工会")
    suggestion = routing_suggest(appeal=register(personas.dispatcher))
    assert suggestion.co_units == [justice]


def test_boundary_disputes_go_to_the_township_government_first(personas) -> None:
    appeal = register(personas.dispatcher, kind="dispute", category_code="land.boundary")
    assert routing_suggest(appeal=appeal).lead == personas.guanghui


def test_a_regional_rule_beats_the_prefecture_wide_one(personas) -> None:
    housing = staffed(UnitKind.HOUSING, "都匀市住房和城乡建设局")
    appeal = register(personas.dispatcher, category_code="infrastructure.roads")
    suggestion = routing_suggest(appeal=appeal)
    assert suggestion.rule is not None and suggestion.rule.region_prefix == "522701"
    assert suggestion.lead == housing


def test_a_category_without_its_own_rule_uses_its_parents(personas) -> None:
    RoutingRule.objects.filter(category__code="labour.wage_arrears").delete()
    RoutingRule.objects.create(category=Category.objects.get(code="labour"), lead_kind="human_resources")
    assert routing_suggest(appeal=register(personas.dispatcher)).lead == personas.duyun_hr


def test_no_rule_no_suggestion(personas) -> None:
    RoutingRule.objects.all().delete()
    suggestion = routing_suggest(appeal=register(personas.dispatcher))
    assert (suggestion.lead, suggestion.co_units) == (None, [])
