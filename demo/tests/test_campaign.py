"""The demo campaign that seed_demo adds: running now, planned, with visits laid out like a real campaign."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appeals.models import AppealSource, Category
from campaigns.models import Campaign, Enterprise, Responsibility, Target, Visit, VisitProblem
from campaigns.selectors import campaign_progress
from campaigns.services.flags import haversine_km
from core.errors import DomainError
from demo.appeals import seed_demo_appeals
from demo.campaign import CAMPAIGN_SUFFIX, COPIED_NOTE, seed_demo_campaign, township_centre
from demo.units import demo_seed
from geo.models import Region
from org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 14, 20, 0, tzinfo=SHANGHAI)  # a Thursday evening
VISITS = 3000


@pytest.fixture
def seeded(qiannan) -> Campaign:
    demo_seed(password="demo-pass-for-tests-1")
    summary = seed_demo_campaign(visits=VISITS, now=NOW)
    assert summary.created and summary.campaign is not None
    return summary.campaign


def test_the_campaign_runs_now_with_three_phases_and_the_campaign_themes(seeded) -> None:
    today = NOW.date()
    assert seeded.name == f"{seeded.starts.year}年{CAMPAIGN_SUFFIX}"
    assert seeded.starts == today - timedelta(days=35) and seeded.ends == today + timedelta(days=60)
    assert [p["name"] for p in seeded.phases] == ["动员部署", "走访排查", "整改提升"]
    assert seeded.phases[0]["starts"] == seeded.starts.isoformat()
    assert seeded.phases[-1]["ends"] == seeded.ends.isoformat()
    themes = set(Category.objects.filter(is_campaign_theme=True).values_list("code", flat=True))
    assert set(seeded.themes) == themes and themes


def test_every_village_has_a_responsible_visitor_and_some_enterprises_too(seeded) -> None:
    villages = Region.objects.filter(level=Region.Level.VILLAGE).count()
    by_village = Responsibility.objects.filter(campaign=seeded, region__isnull=False)
    assert by_village.values("region").distinct().count() == villages == 1464
    assert Enterprise.objects.count() > 100
    assert Responsibility.objects.filter(campaign=seeded, enterprise__isnull=False).count() > 30
    # 包保人 are the demo's visitor accounts.
    assert not by_village.exclude(visitor__memberships__role="visitor").exists()


def test_visits_are_past_in_working_hours_near_their_township_and_leave_gaps(seeded) -> None:
    visits = list(
        Visit.objects.filter(campaign=seeded).values_list(
            "started_at", "region_id", "latitude", "longitude", "notes"
        )
    )
    assert VISITS * 0.9 <= len(visits) <= VISITS
    start = datetime.combine(seeded.starts, datetime.min.time(), tzinfo=SHANGHAI)
    hours = Counter(timezone.localtime(at, SHANGHAI).hour for at, *_ in visits)
    assert all(start <= at < NOW for at, *_ in visits)
    assert sum(n for hour, n in hours.items() if 7 <= hour <= 18) == len(visits)
    near = [
        haversine_km(float(lat or 0), float(lng or 0), *township_centre(code[:9] + "000"))
        for _, code, lat, lng, _ in visits
    ]
    # All within 5 km of the township's centre but the one planted 80 km away.
    assert sum(1 for km in near if km > 5) == 1
    visited = {code for _, code, *_ in visits}
    share = 1 - len(visited) / 1464
    assert 0.04 <= share <= 0.08
    notes = Counter("".join(n.split()) for *_, n in visits)
    assert [text for text, n in notes.items() if n > 1] == ["".join(COPIED_NOTE.split())]


def test_implausible_visits_are_planted_for_the_flag_page(seeded) -> None:
    rows = (
        Visit.objects.filter(campaign=seeded)
        .order_by("started_at")
        .values_list("visitor_id", "started_at", "latitude", "longitude")
    )
    by_visitor: dict[int, list] = defaultdict(list)
    for visitor, at, lat, lng in rows:
        by_visitor[visitor].append((at, float(lat or 0), float(lng or 0)))
    bursts = leaps = 0
    for seq in by_visitor.values():
        for i in range(len(seq) - 4):
            if seq[i + 4][0] - seq[i][0] <= timedelta(minutes=6):
                bursts += 1
        for (a, *pa), (b, *pb) in pairwise(seq):
            km = haversine_km(*pa, *pb)
            if km > 3 and km / max((b - a).total_seconds() / 3600, 1e-6) > 120:
                leaps += 1
    # One burst of five in six minutes; one leap of 80 km in ten minutes (and nothing else).
    assert bursts == 1
    assert leaps == 1


def test_targets_spread_completion_from_about_40_to_110_percent(seeded) -> None:
    leader = User.objects.get(username="qiannan.leader")
    progress = campaign_progress(campaign=seeded, user=leader)
    rates = [u.achieved / u.target for u in progress.units]
    assert len(rates) == Target.objects.filter(campaign=seeded).count() > 40
    assert min(rates) >= 0.3 and max(rates) <= 1.1
    assert min(rates) < 0.6 and max(rates) > 1.0


def test_seeding_again_changes_nothing(seeded) -> None:
    before = (
        Visit.objects.count(),
        Responsibility.objects.count(),
        Target.objects.count(),
        Enterprise.objects.count(),
    )
    again = seed_demo_campaign(visits=VISITS, now=NOW + timedelta(days=3))
    assert not again.created
    after = (
        Visit.objects.count(),
        Responsibility.objects.count(),
        Target.objects.count(),
        Enterprise.objects.count(),
    )
    assert before == after
    assert Campaign.objects.count() == 1


def test_without_the_demo_cadres_the_seeding_is_refused(qiannan) -> None:
    with pytest.raises(DomainError):
        seed_demo_campaign(visits=10, now=NOW)
    assert not Campaign.objects.exists()


def test_problems_raised_on_visits_in_the_demo_appeals_get_their_visit(qiannan) -> None:
    demo_seed(password="demo-pass-for-tests-1")
    seed_demo_appeals(count=60, today=NOW)
    summary = seed_demo_campaign(visits=300, now=NOW)
    links = VisitProblem.objects.select_related("visit", "appeal")
    assert summary.problems == links.count() > 0
    for link in links:
        visit, appeal = link.visit, link.appeal
        assert appeal.source == AppealSource.VISIT
        assert (visit.visitor_id, visit.region_id) == (appeal.registered_by_id, appeal.region_id)
        assert appeal.title in visit.notes
        assert summary.campaign is not None and visit.campaign_id == summary.campaign.pk
