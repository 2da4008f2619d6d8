"""Plausibility flags: each reason on hand-built visits (and a near miss), a claim that never checks twice,
copies across old and new visits, and the supervisors' page and API against every persona."""

import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from campaigns.models import Campaign, FlagKind, Visit, VisitFlag
from campaigns.services import VisitData, notes_digest, visit_record, visits_flag
from campaigns.services.flags import haversine_km
from campaigns.tasks import flag_visits_task
from campaigns.tests.factories import (
    DUYUN_CENTRE,
    FUQUAN_VILLAGE,
    NOTES,
    NOW,
    OTHER_VILLAGE,
    T0,
    VILLAGE,
    make_visit,
)
from geo.models import Region
from tests.support import PERSONA_NAMES, api_client, client_for

TOWNSHIP = "522701001000"


@pytest.fixture
def campaign(personas) -> Campaign:
    return Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))


def flags_of(visit: Visit) -> dict[str, dict]:
    return {f.kind: f.details for f in VisitFlag.objects.filter(visit=visit)}


# --- many visits within minutes ------------------------------------------------------------------------


def test_four_visits_within_ten_minutes_are_all_flagged(personas, campaign) -> None:
    visits = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in (0, 3, 6, 10)]
    assert visits_flag(now=NOW) == 4
    for visit in visits:
        details = flags_of(visit)[FlagKind.BURST]
        assert details["count"] == 4 and details["minutes"] == 10.0
        assert sorted(details["visits"]) == sorted(v.pk for v in visits if v.pk != visit.pk)
    assert Visit.objects.filter(flagged=True).count() == 4


def test_four_visits_spread_over_more_than_ten_minutes_are_not_a_burst(personas, campaign) -> None:
    for seconds in (0, 200, 400, 601):
        make_visit(personas.visitor, campaign, at=T0 + timedelta(seconds=seconds))
    # Three within minutes by one visitor, and a fourth by someone else at the same moment: no burst either.
    for m in (0, 1, 2):
        make_visit(personas.handler, campaign, at=T0 + timedelta(hours=3, minutes=m))
    make_visit(personas.township_handler, campaign, at=T0 + timedelta(hours=3, minutes=1))
    assert visits_flag(now=NOW) == 0
    assert not VisitFlag.objects.exists()


def test_a_new_visit_completing_a_burst_flags_the_older_ones_too(personas, campaign) -> None:
    old = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in (0, 2, 4)]
    assert visits_flag(now=NOW) == 0
    late = make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=5))  # synced later from the phone
    assert visits_flag(now=NOW + timedelta(minutes=10)) == 4
    assert all(FlagKind.BURST in flags_of(v) for v in [*old, late])


# --- impossible travel ---------------------------------------------------------------------------------


def test_sixty_km_in_ten_minutes_flags_both_visits(personas, campaign) -> None:
    a = make_visit(personas.visitor, campaign, at=T0, north_km=0)
    b = make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=10), north_km=60)
    assert visits_flag(now=NOW) == 2
    details = flags_of(a)[FlagKind.IMPOSSIBLE_TRAVEL]
    assert details["visit"] == b.pk and details["minutes"] == 10.0
    assert details["km"] == pytest.approx(60, abs=0.2) and details["kmh"] == pytest.approx(360, abs=1)
    assert flags_of(b)[FlagKind.IMPOSSIBLE_TRAVEL]["visit"] == a.pk


def test_plausible_speeds_and_short_hops_are_not_flagged(personas, campaign) -> None:
    make_visit(personas.visitor, campaign, at=T0, north_km=0)
    make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=40), north_km=60)  # 90 km/h
    make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=41), north_km=62.5)  # 2.5 km in 1 min
    make_visit(personas.visitor, campaign, at=T0 + timedelta(hours=3))  # no location: not a hop
    make_visit(personas.handler, campaign, at=T0 + timedelta(minutes=1), north_km=0)  # another visitor
    assert visits_flag(now=NOW) == 0


def test_a_visit_synced_late_is_compared_with_its_neighbours_in_time(personas, campaign) -> None:
    before = make_visit(personas.visitor, campaign, at=T0, north_km=0)
    after = make_visit(personas.visitor, campaign, at=T0 + timedelta(hours=1), north_km=1)
    assert visits_flag(now=NOW) == 0
    between = make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=30), north_km=100)
    assert visits_flag(now=NOW + timedelta(minutes=10)) == 3
    assert flags_of(between)[FlagKind.IMPOSSIBLE_TRAVEL]["kmh"] == pytest.approx(200, abs=1)
    assert flags_of(before)[FlagKind.IMPOSSIBLE_TRAVEL]["visit"] == between.pk
    assert flags_of(after)[FlagKind.IMPOSSIBLE_TRAVEL]["visit"] == between.pk


def test_haversine_matches_a_known_distance() -> None:
    # 都匀 to 贵阳 is about 110 km as the crow flies.
    assert haversine_km(26.2594, 107.5186, 26.6470, 106.6302) == pytest.approx(98.5, abs=3)


# --- far from the township -----------------------------------------------------------------------------


def test_a_visit_25_km_from_the_township_seat_is_flagged_and_one_15_km_away_is_not(
    personas, campaign
) -> None:
    Region.objects.filter(pk=TOWNSHIP).update(
        latitude=Decimal(f"{DUYUN_CENTRE[0]:.6f}"), longitude=Decimal(f"{DUYUN_CENTRE[1]:.6f}")
    )
    far = make_visit(personas.visitor, campaign, at=T0, north_km=25)
    near = make_visit(personas.handler, campaign, at=T0, place=OTHER_VILLAGE, north_km=15)
    assert visits_flag(now=NOW) == 1
    details = flags_of(far)[FlagKind.FAR_FROM_TOWNSHIP]
    assert details["reference"] == "seat" and details["township"] == TOWNSHIP
    assert details["km"] == pytest.approx(25, abs=0.2) and details["township_name"] == "广惠街道"
    assert flags_of(near) == {}


def test_without_a_seat_the_township_is_placed_at_the_mean_of_ten_located_visits(personas, campaign) -> None:
    for i in range(10):
        make_visit(personas.handler, campaign, at=T0 + timedelta(hours=i), north_km=0)
    far = make_visit(personas.visitor, campaign, at=T0, north_km=30)
    assert visits_flag(now=NOW) == 1
    details = flags_of(far)[FlagKind.FAR_FROM_TOWNSHIP]
    assert details["reference"] == "mean" and details["visits"] == 11
    assert details["km"] == pytest.approx(30 * 10 / 11, abs=0.2)


def test_without_a_seat_nine_located_visits_say_too_little(personas, campaign) -> None:
    for i in range(8):
        make_visit(personas.handler, campaign, at=T0 + timedelta(hours=i), north_km=0)
    make_visit(personas.visitor, campaign, at=T0, north_km=30)
    assert visits_flag(now=NOW) == 0


# --- copied notes --------------------------------------------------------------------------------------


def test_a_copy_of_an_old_note_flags_both_visits(personas, campaign) -> None:
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        first = visit_record(
            actor=personas.visitor,
            data=VisitData(uuid=uuid.uuid4(), started_at=T0, place_code=VILLAGE, notes=NOTES),
        ).visit
    assert first.notes_digest == notes_digest(NOTES) != ""
    assert visits_flag(now=NOW) == 0
    # The same text with other spacing and line breaks, by another visitor, in another village.
    copy = make_visit(
        personas.handler, campaign, at=T0 + timedelta(days=1), place=OTHER_VILLAGE, notes=" \n".join(NOTES)
    )
    assert visits_flag(now=NOW + timedelta(days=1)) == 2
    assert flags_of(first)[FlagKind.COPIED_NOTES] == {"visits": [copy.pk], "count": 2}
    assert flags_of(copy)[FlagKind.COPIED_NOTES] == {"visits": [first.pk], "count": 2}


def test_short_notes_and_copies_in_another_campaign_are_not_flagged(personas, campaign) -> None:
    other = Campaign.objects.create(name="秋季大走访", starts=date(2026, 9, 1), ends=date(2026, 11, 30))
    make_visit(personas.visitor, campaign, at=T0, notes="走访群众，了解情况。")  # 10 characters
    make_visit(personas.handler, campaign, at=T0, notes="走访群众，了解情况。")
    make_visit(personas.visitor, campaign, at=T0, notes=NOTES)
    make_visit(personas.visitor, other, at=T0 - timedelta(days=60), notes=NOTES)
    assert visits_flag(now=NOW) == 0
    assert Visit.objects.filter(notes_digest="").count() == 2


def test_visits_stored_without_a_digest_get_one_when_checked(personas, campaign) -> None:
    a = make_visit(personas.visitor, campaign, at=T0, notes=NOTES, digest=False)
    b = make_visit(personas.handler, campaign, at=T0 + timedelta(days=1), notes=NOTES, digest=False)
    assert visits_flag(now=NOW) == 2
    assert set(Visit.objects.values_list("notes_digest", flat=True)) == {notes_digest(NOTES)}
    assert FlagKind.COPIED_NOTES in flags_of(a) and FlagKind.COPIED_NOTES in flags_of(b)


# --- the claim -----------------------------------------------------------------------------------------


def test_running_twice_adds_nothing_and_checks_each_visit_once(personas, campaign) -> None:
    visits = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in (0, 1, 2, 3)]
    assert visits_flag(now=NOW) == 4
    assert visits_flag(now=NOW) == 0
    assert visits_flag(now=NOW + timedelta(hours=1)) == 0
    assert VisitFlag.objects.count() == 4
    assert set(Visit.objects.values_list("flags_checked_at", flat=True)) == {NOW}
    assert {f.detected_at for f in VisitFlag.objects.filter(visit__in=visits)} == {NOW}


def test_only_the_visits_asked_for_are_claimed(personas, campaign) -> None:
    mine = make_visit(personas.visitor, campaign, at=T0)
    other = make_visit(personas.handler, campaign, at=T0)
    visits_flag(visits=Visit.objects.filter(visitor=personas.visitor), now=NOW)
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.flags_checked_at == NOW and other.flags_checked_at is None


def test_the_command_and_the_periodic_task_check_new_visits(personas, campaign) -> None:
    for m in (0, 1, 2, 3):
        make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m))
    out = StringIO()
    call_command("flag_visits", stdout=out)
    assert out.getvalue().strip() == "plausibility checks: 4 flags added"
    make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=4))
    flag_visits_task.call_local()
    assert VisitFlag.objects.count() == 5 and not Visit.objects.filter(flags_checked_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
def test_two_runs_at_once_check_each_visit_once(personas, monkeypatch) -> None:
    monkeypatch.setattr("campaigns.services.flags.BATCH_SIZE", 7)  # many small batches, interleaved
    campaign = Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))
    for i in range(60):
        make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=2 * i), notes=NOTES)
    results: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def run(offset: int) -> None:
        try:
            barrier.wait()
            results.append(visits_flag(now=NOW + timedelta(seconds=offset)))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 2
    kinds = list(VisitFlag.objects.values_list("visit_id", "kind"))
    assert len(kinds) == len(set(kinds)) == 120  # every visit: a burst and a copied note, once each
    assert sum(results) <= 120 + 60  # a flag found by both runs on an old visit is stored once
    assert not Visit.objects.filter(flags_checked_at__isnull=True).exists()


# --- page and API --------------------------------------------------------------------------------------


@pytest.fixture
def flagged(personas, campaign) -> list[Visit]:
    """A burst in 都匀 (four visits) and a copied note in 福泉 (two visits)."""
    burst = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in (0, 1, 2, 3)]
    copies = [
        make_visit(
            personas.other_handler, campaign, at=T0 + timedelta(days=d), place=FUQUAN_VILLAGE, notes=NOTES
        )
        for d in (1, 2)
    ]
    make_visit(personas.visitor, campaign, at=T0 + timedelta(days=3))  # nothing doubtful
    assert visits_flag(now=NOW) == 6
    return [*burst, *copies]


SEES = {
    "supervisor": 4,
    "dispatcher": 4,
    "prefecture_supervisor": 6,
    "admin": 6,
    "other_leader": 2,
}


@pytest.mark.parametrize(
    "name",
    PERSONA_NAMES,
)
def test_the_flag_page_and_api_show_flagged_visits_in_scope_to_overseers_only(
    personas, flagged, name
) -> None:
    user = getattr(personas, name)
    page = client_for(user).get("/campaigns/flags/")
    listed = api_client(user).get("/api/v1/visit-flags")
    if name not in SEES:
        assert page.status_code == 403 and listed.status_code == 403
        assert listed.json()["error"]["code"] == "forbidden"
        return
    assert page.status_code == 200 and listed.status_code == 200
    assert page.content.decode().count("<tr data-visit=") == SEES[name]
    items = listed.json()["items"]
    assert len(items) == SEES[name]
    assert [i["started_at"] for i in items] == sorted((i["started_at"] for i in items), reverse=True)


def test_the_page_shows_the_reasons_in_chinese_with_their_figures(personas, flagged) -> None:
    html = client_for(personas.prefecture_supervisor).get("/campaigns/flags/", {"kind": "copied_notes"})
    text = html.content.decode()
    assert text.count("<tr data-visit=") == 2
    assert "记录雷同" in text  # the kind's label; the reason names the other visit
    assert f"#{flagged[5].pk}" in text


def test_the_api_filters_by_kind_region_and_campaign_and_pages(personas, flagged, campaign) -> None:
    client = api_client(personas.admin)
    copied = client.get("/api/v1/visit-flags", {"kind": "copied_notes"}).json()["items"]
    assert {i["id"] for i in copied} == {flagged[4].pk, flagged[5].pk}
    reason = copied[0]["flags"][0]
    assert reason["kind"] == "copied_notes" and reason["details"]["count"] == 2 and reason["reason"]
    assert len(client.get("/api/v1/visit-flags", {"region": "522701"}).json()["items"]) == 4
    assert client.get("/api/v1/visit-flags", {"campaign": campaign.pk + 1}).json()["items"] == []
    first = client.get("/api/v1/visit-flags", {"limit": 4}).json()
    second = client.get("/api/v1/visit-flags", {"limit": 4, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 4 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get("/api/v1/visit-flags", {"kind": "nonsense"}).status_code == 422


def test_the_page_filters_by_county(personas, flagged) -> None:
    client = client_for(personas.prefecture_supervisor)
    assert (
        client.get("/campaigns/flags/", {"county": "522702000000"}).content.decode().count("<tr data-visit=")
        == 2
    )
    assert client.get("/campaigns/flags/", {"kind": "burst"}).content.decode().count("<tr data-visit=") == 4


# --- issue 12 item 2: committed batches, a cost linear in the visits -----------------------------------


def test_each_batch_is_committed_on_its_own(personas, campaign, monkeypatch) -> None:
    """A run that stops halfway keeps the batches it finished; the rest wait for the next run."""
    import campaigns.services.flags as flags

    monkeypatch.setattr(flags, "BATCH_SIZE", 4)
    visits = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in range(10)]
    real_store, calls = flags._store, []

    def failing_store(found, *, now):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("stopped")
        return real_store(found, now=now)

    monkeypatch.setattr(flags, "_store", failing_store)
    with pytest.raises(RuntimeError):
        visits_flag(now=NOW)
    checked = set(Visit.objects.filter(flags_checked_at__isnull=False).values_list("pk", flat=True))
    assert checked == {v.pk for v in visits[:4]}
    monkeypatch.setattr(flags, "_store", real_store)
    visits_flag(now=NOW)
    assert not Visit.objects.filter(flags_checked_at__isnull=True).exists()
    assert VisitFlag.objects.filter(kind=FlagKind.BURST).count() == 10


def test_a_burst_of_many_visits_names_twenty_others_in_each_flag(personas, campaign) -> None:
    visits = [make_visit(personas.visitor, campaign, at=T0 + timedelta(seconds=5 * i)) for i in range(60)]
    visits_flag(now=NOW)
    # Each visit is told the first burst that holds it, as it grew: the first four, then one more each.
    assert flags_of(visits[0])[FlagKind.BURST]["count"] == 4
    for i in (30, 59):
        details = flags_of(visits[i])[FlagKind.BURST]
        assert len(details["visits"]) == 20 and visits[i].pk not in details["visits"]
        assert details["count"] == i + 1
    assert VisitFlag.objects.filter(kind=FlagKind.BURST).count() == 60
