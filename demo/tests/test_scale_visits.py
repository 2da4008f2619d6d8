"""seed_scale --visits: bulk visits of the demo campaign by its responsible visitors, as the service would store
them, seen by the progress and coverage selectors, never claimed by the plausibility checks."""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum

from campaigns.models import Campaign, Responsibility, Visit, VisitFlag, VisitTally
from campaigns.selectors import campaign_coverage, campaign_progress
from campaigns.services import visits_flag
from campaigns.services.flags import haversine_km, notes_digest
from demo.campaign import seed_demo_campaign, township_centre
from demo.scale_visits import scale_visits
from demo.scale_visits_sql import scale_visits_sql
from demo.units import demo_seed
from geo.models import Region
from org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 14, 20, 0, tzinfo=SHANGHAI)  # a Thursday evening, five weeks into the campaign


@pytest.fixture
def demo(qiannan) -> Campaign:
    demo_seed(password="demo-pass-for-tests-1")
    summary = seed_demo_campaign(visits=200, now=NOW)
    assert summary.campaign is not None
    return summary.campaign


def test_visits_are_written_in_the_campaign_by_its_responsible_visitors_in_working_hours(demo) -> None:
    before = set(Visit.objects.values_list("pk", flat=True))
    summary = scale_visits(visits=500, batch_size=200, now=NOW)
    assert summary.visits == 500 and summary.campaigns == 1
    visits = list(Visit.objects.exclude(pk__in=before).select_related("enterprise"))
    assert len(visits) == 500 and len({v.uuid for v in visits}) == 500
    start = datetime.combine(demo.starts, datetime.min.time(), tzinfo=SHANGHAI)
    assert all(v.campaign_id == demo.pk and start <= v.started_at <= NOW for v in visits)
    assert all(v.started_at <= v.created_at <= NOW for v in visits)
    hours = Counter(v.started_at.astimezone(SHANGHAI).hour for v in visits)
    assert set(hours) <= set(range(8, 19)) and 12 not in hours
    responsible = set(Responsibility.objects.filter(campaign=demo).values_list("visitor_id", flat=True))
    assert {v.visitor_id for v in visits} <= responsible
    enterprise = [v for v in visits if v.enterprise is not None]
    assert 25 <= len(enterprise) <= 80  # about 10%
    assert all(
        v.region_id == v.enterprise.region_id and v.households_reached == 0
        for v in enterprise
        if v.enterprise
    )
    assert all(1 <= v.households_reached <= 60 for v in visits if v.enterprise is None)
    assert all(v.people_met >= v.households_reached for v in visits)
    # Every column the visit service sets, so the flag job leaves them alone.
    assert all(v.notes_digest == notes_digest(v.notes) != "" for v in visits)
    assert all(v.flags_checked_at == NOW and not v.flagged and len(v.content_hash) == 64 for v in visits)


def test_visits_stay_in_the_visitors_townships_near_the_township(demo) -> None:
    before = set(Visit.objects.values_list("pk", flat=True))
    scale_visits(visits=400, now=NOW)
    held: dict[int, set[str]] = {}
    for visitor, region, enterprise in Responsibility.objects.filter(campaign=demo).values_list(
        "visitor_id", "region_id", "enterprise__region_id"
    ):
        held.setdefault(visitor, set()).add((region or enterprise)[:9])
    visits = Visit.objects.exclude(pk__in=before)
    own = 0
    for v in visits:
        assert v.region_id[:9] in held[v.visitor_id]
        own += Responsibility.objects.filter(campaign=demo, visitor=v.visitor_id, region=v.region_id).exists()
        if v.latitude is not None and v.longitude is not None:
            centre = township_centre(v.region_id[:9] + "000")
            assert haversine_km(float(v.latitude), float(v.longitude), *centre) <= 4.01
    village_visits = visits.filter(enterprise__isnull=True).count()
    assert own >= 0.7 * village_visits  # mostly their own villages, sometimes others of the township


def test_the_township_seat_is_used_where_known(demo) -> None:
    township = Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith="522701").first()
    assert township is not None
    Region.objects.filter(pk=township.pk).update(latitude="26.300000", longitude="107.500000")
    before = set(Visit.objects.values_list("pk", flat=True))
    scale_visits(visits=600, now=NOW)
    there = Visit.objects.exclude(pk__in=before).filter(
        region__code__startswith=township.code[:9], latitude__isnull=False
    )
    assert there.exists()
    located = [(float(v.latitude or 0), float(v.longitude or 0)) for v in there]
    assert all(haversine_km(lat, lng, 26.3, 107.5) <= 4.01 for lat, lng in located)


def tallied(campaign: Campaign) -> tuple[int, int]:
    sums = VisitTally.objects.filter(campaign=campaign).aggregate(v=Sum("visits"), h=Sum("households"))
    return sums["v"] or 0, sums["h"] or 0


def test_progress_coverage_and_tallies_see_the_new_visits(demo) -> None:
    admin = User.objects.get(username="admin")
    prefecture = Region.objects.get(code="522700000000")
    coverage_before = campaign_coverage(campaign=demo, user=admin, region=prefecture)
    households_before = campaign_progress(campaign=demo, user=admin).scope.households
    tallied_before = tallied(demo)
    before = set(Visit.objects.values_list("pk", flat=True))
    scale_visits(visits=500, now=NOW)
    new = Visit.objects.exclude(pk__in=before)
    coverage = campaign_coverage(campaign=demo, user=admin, region=prefecture)
    assert coverage.visits == coverage_before.visits + new.filter(enterprise__isnull=True).count()
    assert coverage.visited >= coverage_before.visited
    added = new.aggregate(n=Sum("households_reached"))["n"]
    assert campaign_progress(campaign=demo, user=admin).scope.households == households_before + added
    # The visitors' tallies (what targets' achievements sum) grow by the visits, batch by batch.
    assert tallied(demo) == (tallied_before[0] + 500, tallied_before[1] + added)


def test_the_flag_job_claims_none_of_them(demo) -> None:
    before = set(Visit.objects.values_list("pk", flat=True))
    scale_visits(visits=300, now=NOW)
    visits_flag(now=NOW + timedelta(minutes=5))
    new = Visit.objects.exclude(pk__in=before)
    assert not VisitFlag.objects.filter(visit__in=new).exists()
    assert set(new.values_list("flags_checked_at", flat=True)) == {NOW}


def test_each_run_adds_as_many_again_with_new_uuids(demo) -> None:
    count = Visit.objects.count()
    scale_visits(visits=100, now=NOW)
    scale_visits(visits=100, now=NOW)
    assert Visit.objects.count() == count + 200
    assert Visit.objects.values("uuid").distinct().count() == count + 200


def test_the_command_writes_visits_alone_with_progress_per_batch(qiannan) -> None:
    demo_seed(password="demo-pass-for-tests-1")
    seed_demo_campaign(visits=100)  # running today, as the command sees it
    count = Visit.objects.count()
    out = StringIO()
    call_command("seed_scale", "--visits", "50", "--batch", "20", "--workers", "1", stdout=out)
    output = out.getvalue()
    assert "20/50 visits" in output and "40/50 visits" in output and "50/50 visits" in output
    assert "scale seeded: 50 visits" in output
    assert Visit.objects.count() == count + 50


def test_the_command_refuses_without_a_demo_campaign(qiannan) -> None:
    demo_seed(password="demo-pass-for-tests-1")
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", "--visits", "10", stdout=StringIO())
    assert not Visit.objects.exists()


def test_the_command_refuses_nothing_to_do_and_bad_numbers(qiannan) -> None:
    with pytest.raises(CommandError, match="nothing to write"):
        call_command("seed_scale", stdout=StringIO())
    for args in (["--visits", "-1"], ["--visits", "5", "--batch", "0"], ["--visits", "5", "--workers", "0"]):
        with pytest.raises(CommandError):
            call_command("seed_scale", *args, stdout=StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel COPY needs PostgreSQL")
def test_two_workers_write_their_shares_on_postgresql(qiannan) -> None:
    demo_seed(password="demo-pass-for-tests-1")
    campaign = seed_demo_campaign(visits=100, now=NOW).campaign
    assert campaign is not None
    before = tallied(campaign)[0]
    count = Visit.objects.count()
    summary = scale_visits(visits=301, batch_size=50, now=NOW, workers=2)
    assert summary.visits == 301 and summary.method == "copy"
    assert Visit.objects.count() == count + 301
    assert Visit.objects.values("uuid").distinct().count() == count + 301
    assert tallied(campaign)[0] == before + 301


def test_the_sql_method_writes_visits_and_their_tallies_as_the_service_would(demo) -> None:
    before = set(Visit.objects.values_list("pk", flat=True))
    summary = scale_visits_sql(visits=600, batch_size=250, now=NOW)
    assert (summary.visits, summary.campaigns, summary.method) == (600, 1, "sql")
    visits = list(Visit.objects.exclude(pk__in=before).select_related("enterprise"))
    assert len(visits) == 600 and len({v.uuid for v in visits}) == 600
    start = datetime.combine(demo.starts, datetime.min.time(), tzinfo=SHANGHAI)
    assert all(v.campaign_id == demo.pk and start <= v.started_at < v.created_at <= NOW for v in visits)
    hours = Counter(v.started_at.astimezone(SHANGHAI).hour for v in visits)
    assert set(hours) <= set(range(8, 19)) and 12 not in hours
    responsible = set(Responsibility.objects.filter(campaign=demo).values_list("visitor_id", flat=True))
    assert {v.visitor_id for v in visits} <= responsible
    enterprise = [v for v in visits if v.enterprise is not None]
    assert len(enterprise) == summary.enterprise_visits == 60
    assert all(
        v.region_id == v.enterprise.region_id and v.households_reached == 0
        for v in enterprise
        if v.enterprise
    )
    assert all(
        v.notes_digest == notes_digest(v.notes) and v.flags_checked_at and not v.flagged for v in visits
    )
    assert sum(bool(v.household_name and v.household_phone) for v in visits) == 200
    tallied = VisitTally.objects.filter(campaign=demo).aggregate(v=Sum("visits"), h=Sum("households"))
    counted = Visit.objects.filter(campaign=demo).aggregate(v=Count("id"), h=Sum("households_reached"))
    assert tallied == counted


def test_seed_scale_takes_the_sql_method_for_visits_only(qiannan) -> None:
    demo_seed(password="demo-pass-for-tests-1")
    seed_demo_campaign(visits=100)  # running today, as the command sees it
    count = Visit.objects.count()
    out = StringIO()
    call_command("seed_scale", "--visits", "300", "--method", "sql", stdout=out)
    assert "scale seeded: 300 visits" in out.getvalue() and "sql" in out.getvalue()
    assert Visit.objects.count() == count + 300
    with pytest.raises(CommandError):
        call_command("seed_scale", "--appeals", "10", "--method", "sql")
