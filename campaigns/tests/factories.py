"""Campaigns and visits as the tests need them: plain functions with valid defaults, no hidden randomness."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from campaigns.models import Campaign, Enterprise, Visit
from campaigns.services import VisitData, notes_digest, visit_record
from campaigns.services.tallies import visit_tally_add
from org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2027, 1, 10, 9, 0, tzinfo=SHANGHAI)
NOW = datetime(2027, 1, 10, 18, 0, tzinfo=SHANGHAI)
NOTES = "走访广惠社区，了解到春节前农民工工资拖欠的情况，已登记并转交人社部门。"
VILLAGE = "522701001001"  # 广惠社区, 广惠街道, 都匀市
OTHER_VILLAGE = "522701001002"
GUANGHUI_VILLAGES = [f"522701001{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 200)]
WENFENG = "522701002000"
WENFENG_VILLAGE = "522701002001"
FUQUAN_VILLAGE = "522702001001"
DUYUN_CENTRE = (26.2594, 107.5186)
KM_NORTH = 1 / 111.195  # degrees of latitude per kilometre


def make_campaign(**overrides: object) -> Campaign:
    """The running 2027 winter-spring campaign with its phases and two themes."""
    values: dict[str, object] = {
        "name": "2027年冬春大走访",
        "starts": date(2026, 12, 1),
        "ends": date(2027, 3, 31),
        "phases": [
            {"name": "动员部署", "starts": "2026-12-01", "ends": "2026-12-07"},
            {"name": "走访排查", "starts": "2026-12-08", "ends": "2027-02-28"},
            {"name": "整改提升", "starts": "2027-03-01", "ends": "2027-03-31"},
        ],
        "themes": ["labour.wage_arrears", "security.fraud"],
    }
    values.update(overrides)
    return Campaign.objects.create(**values)


def make_visit(
    visitor: User,
    campaign: Campaign,
    *,
    at: datetime = T0,
    place: str = VILLAGE,
    enterprise: Enterprise | None = None,
    households: int = 0,
    notes: str = "",
    north_km: float | None = None,
    digest: bool = True,
    tally: bool = False,
) -> Visit:
    """A visit as stored, written straight to its table (no plausibility check ran on it yet). `north_km`
    places it that far north of 都匀 (None: no location); `tally` adds it to the visitor's tally as the visit
    service does."""
    visit = Visit.objects.create(
        uuid=uuid.uuid4(),
        campaign=campaign,
        visitor=visitor,
        region_id=place,
        enterprise=enterprise,
        started_at=at,
        households_reached=households,
        people_met=households * 2,
        latitude=None if north_km is None else Decimal(f"{DUYUN_CENTRE[0] + north_km * KM_NORTH:.6f}"),
        longitude=None if north_km is None else Decimal(f"{DUYUN_CENTRE[1]:.6f}"),
        notes=notes,
        notes_digest=notes_digest(notes) if digest else "",
        content_hash="0" * 64,
    )
    if tally:
        visit_tally_add(visits=[visit], disputes={})
    return visit


def record_visit(user: User, *, place: str = VILLAGE, started_at: datetime | None = None) -> Visit:
    """A visit recorded through the visit service, as the field app records one."""
    started = started_at or datetime.now(SHANGHAI) - timedelta(hours=1)
    data = VisitData(uuid=uuid.uuid4(), started_at=started, place_code=place)
    return visit_record(actor=user, data=data).visit
