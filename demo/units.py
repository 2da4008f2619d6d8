"""The 黔南州 demo: the prefecture's units and about two hundred cadres in every role, seeded idempotently.

Everything is derived from the region tree and fixed tables below, and names and phones come from a seeded
generator, so every run (on any database) yields the same units, usernames, people and memberships.
"""

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput
from geo.models import Region, code_prefix, subtree_bounds
from geo.services import QIANNAN_CSV, regions_load
from org.models import Membership, Role, Unit, UnitKind, UnitLevel, User
from org.services import membership_grant

# Published on purpose: `seed_demo --help` and its logins table show it to whoever tries the demo.
DEFAULT_PASSWORD = "zoufang-demo-2027"  # noqa: S105
PREFECTURE_CODE = "522700000000"
PREFECTURE_NAME = "黔南州"
PREFECTURE_LOGIN = "qiannan"
DUYUN_CODE = "522701000000"
ADMIN_USERNAME = "admin"
NAME_SEED = 522700


@dataclass(frozen=True)
class County:
    login: str  # username prefix: duyun.dispatcher
    short: str  # the name without 市/县, as in 黔南州生态环境局都匀分局


COUNTIES: dict[str, County] = {
    "522701000000": County(login="duyun", short="都匀"),
    "522702000000": County(login="fuquan", short="福泉"),
    "522722000000": County(login="libo", short="荔波"),
    "522723000000": County(login="guiding", short="贵定"),
    "522725000000": County(login="wengan", short="瓮安"),
    "522726000000": County(login="dushan", short="独山"),
    "522727000000": County(login="pingtang", short="平塘"),
    "522728000000": County(login="luodian", short="罗甸"),
    "522729000000": County(login="changshun", short="长顺"),
    "522730000000": County(login="longli", short="龙里"),
    "522731000000": County(login="huishui", short="惠水"),
    "522732000000": County(login="sandu", short="三都"),
}

# The first town (镇) of each county by code gets a handler and a visitor, so that assigning to a township
# government and visiting from one can be tried everywhere; staffing all 109 would only add noise.
STAFFED_TOWNSHIPS: dict[str, str] = {
    "522701106000": "mochong",  # 墨冲镇
    "522702102000": "fengshan",  # 凤山镇
    "522722101000": "chaoyang",  # 朝阳镇
    "522723102000": "xinba",  # 新巴镇
    "522725101000": "pingdingying",  # 平定营镇
    "522726108000": "baiquan",  # 百泉镇
    "522727100000": "pingzhou",  # 平舟镇
    "522728107000": "longping",  # 龙坪镇
    "522729101000": "guangshun",  # 广顺镇
    "522730100000": "longshan",  # 龙山镇
    "522731102000": "haohuahong",  # 好花红镇
    "522732111000": "dahe",  # 大河镇
}

DEPARTMENT_KINDS: tuple[UnitKind, ...] = tuple(
    kind for kind in UnitKind if kind not in (UnitKind.TOWNSHIP_GOVERNMENT, UnitKind.VILLAGE_COMMITTEE)
)

# How each kind's official name follows the region's name: 都匀市 + 人力资源和社会保障局.
NAME_SUFFIX: dict[UnitKind, str] = {
    UnitKind.POLITICAL_LEGAL: "委政法委",
    UnitKind.POLICE: "公安局",
    UnitKind.COURT: "人民法院",
    UnitKind.PROCURATORATE: "人民检察院",
    UnitKind.JUSTICE: "司法局",
    UnitKind.PETITION: "信访局",
    UnitKind.HUMAN_RESOURCES: "人力资源和社会保障局",
    UnitKind.HOUSING: "住房和城乡建设局",
    UnitKind.NATURAL_RESOURCES: "自然资源局",
    UnitKind.AGRICULTURE: "农业农村局",
    UnitKind.CIVIL_AFFAIRS: "民政局",
    UnitKind.EDUCATION: "教育局",
    UnitKind.HEALTH: "卫生健康局",
    UnitKind.MARKET_REGULATION: "市场监督管理局",
    UnitKind.ECOLOGY: "生态环境局",
    UnitKind.TRANSPORT: "交通运输局",
    UnitKind.TRADE_UNION: "总工会",
}

# Departments where each county has a handler and a unit head; in the small ones the head also handles.
STAFFED_DEPARTMENTS: tuple[UnitKind, ...] = (
    UnitKind.HUMAN_RESOURCES,
    UnitKind.HOUSING,
    UnitKind.NATURAL_RESOURCES,
    UnitKind.POLICE,
    UnitKind.JUSTICE,
    UnitKind.PETITION,
)
HEAD_ALSO_HANDLES_IN_COUNTY = (UnitKind.JUSTICE, UnitKind.PETITION)
HEAD_ALSO_HANDLES_IN_PREFECTURE = (UnitKind.PETITION,)
COUNTY_VISITOR_UNITS = (UnitKind.POLITICAL_LEGAL, UnitKind.POLICE, UnitKind.JUSTICE)

SURNAMES = (
    "王李张刘陈杨黄吴罗韦莫蒙潘龙石陆岑班周赵徐孙胡朱高何郭马田邓唐冉余袁宋谢梁向欧熊蔡彭曾"
    "金吕谭廖姚卢蒋文雷肖程"
)
GIVEN_CHARACTERS = (
    "建国明华伟军平勇强斌涛磊洋杰鹏俊辉刚超亮丽芳静敏燕娟霞艳红玲萍婷雪琴梅兰英慧佳欣倩文志海林峰波宇浩"
    "云春秋松德兴贵忠荣福成永江庆光晓怡琳源豪维庭正智凤桂秀"
)
MOBILE_PREFIXES = (
    *("130", "131", "132", "133", "134", "135", "136", "137", "138", "139"),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"),
)

UnitKey = tuple[str, UnitKind]  # (region code, kind): a unit's natural key


@dataclass(frozen=True)
class UnitSpec:
    key: UnitKey
    name: str
    level: UnitLevel
    parent: UnitKey | None


@dataclass(frozen=True)
class PersonSpec:
    username: str
    grants: tuple[tuple[UnitKey, Role], ...]
    superuser: bool = False


@dataclass(frozen=True)
class DemoAccount:
    """One membership of a demo user, in the shape of the accounts file (DESIGN §10)."""

    username: str
    password: str
    role: str
    unit: str
    unit_id: int
    unit_kind: str
    region_code: str


@dataclass(frozen=True)
class DemoSeedSummary:
    units_created: int
    units_updated: int
    users_created: int
    users_updated: int
    memberships_granted: int
    accounts: list[DemoAccount]


def unit_name(*, kind: UnitKind, region: Region) -> str:
    """The official name of a department of this kind in a prefecture, county or township."""
    if kind == UnitKind.TOWNSHIP_GOVERNMENT:
        return f"{region.name}办事处" if region.name.endswith("街道") else f"{region.name}人民政府"
    if region.level == Region.Level.PREFECTURE:
        if kind == UnitKind.COURT:
            return f"{PREFECTURE_NAME}中级人民法院"
        return PREFECTURE_NAME + NAME_SUFFIX[kind]
    if kind == UnitKind.ECOLOGY:
        # Environmental protection is run vertically: a county office is a branch of the prefecture bureau.
        return f"{PREFECTURE_NAME}生态环境局{COUNTIES[region.code].short}分局"
    return region.name + NAME_SUFFIX[kind]


def _unit_specs(
    *, prefecture: Region, counties: Sequence[Region], townships: Sequence[Region]
) -> list[UnitSpec]:
    specs = [
        UnitSpec(
            key=(prefecture.code, kind),
            name=unit_name(kind=kind, region=prefecture),
            level=UnitLevel.PREFECTURE,
            parent=None,
        )
        for kind in DEPARTMENT_KINDS
    ]
    for county in counties:
        specs += [
            UnitSpec(
                key=(county.code, kind),
                name=unit_name(kind=kind, region=county),
                level=UnitLevel.COUNTY,
                parent=(prefecture.code, kind),
            )
            for kind in DEPARTMENT_KINDS
        ]
    # A township government answers to the county government, which is not a unit here; its parent is left
    # empty rather than the county 政法委, which coordinates it but is not its superior.
    specs += [
        UnitSpec(
            key=(township.code, UnitKind.TOWNSHIP_GOVERNMENT),
            name=unit_name(kind=UnitKind.TOWNSHIP_GOVERNMENT, region=township),
            level=UnitLevel.TOWNSHIP,
            parent=None,
        )
        for township in townships
    ]
    return specs


def _department_staff(
    *, login: str, code: str, kind: UnitKind, head_handles: bool, handler: bool = True
) -> list[PersonSpec]:
    unit = (code, kind)
    head_roles = (Role.UNIT_HEAD, Role.HANDLER) if head_handles else (Role.UNIT_HEAD,)
    head = PersonSpec(username=f"{login}.{kind.value}.unit_head", grants=tuple((unit, r) for r in head_roles))
    if not handler:
        return [head]
    return [PersonSpec(username=f"{login}.{kind.value}.handler", grants=((unit, Role.HANDLER),)), head]


def _people() -> list[PersonSpec]:
    plc = (PREFECTURE_CODE, UnitKind.POLITICAL_LEGAL)
    people = [PersonSpec(username=ADMIN_USERNAME, grants=((plc, Role.ADMIN),), superuser=True)]
    for role in (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER):
        people += [
            PersonSpec(username=f"{PREFECTURE_LOGIN}.{role.value}", grants=((plc, role),)),
            PersonSpec(username=f"{PREFECTURE_LOGIN}.{role.value}2", grants=((plc, role),)),
        ]
    people.append(PersonSpec(username=f"{PREFECTURE_LOGIN}.visitor1", grants=((plc, Role.VISITOR),)))
    for kind in STAFFED_DEPARTMENTS:
        people += _department_staff(
            login=PREFECTURE_LOGIN,
            code=PREFECTURE_CODE,
            kind=kind,
            head_handles=kind in HEAD_ALSO_HANDLES_IN_PREFECTURE,
        )
    townships = {
        code_prefix(code, Region.Level.COUNTY): (code, login) for code, login in STAFFED_TOWNSHIPS.items()
    }
    for code, county in COUNTIES.items():
        county_plc = (code, UnitKind.POLITICAL_LEGAL)
        people += [
            PersonSpec(username=f"{county.login}.{role.value}", grants=((county_plc, role),))
            for role in (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER)
        ]
        for kind in STAFFED_DEPARTMENTS:
            small = kind in HEAD_ALSO_HANDLES_IN_COUNTY
            people += _department_staff(
                login=county.login, code=code, kind=kind, head_handles=small, handler=not small
            )
        people += [
            PersonSpec(username=f"{county.login}.visitor{number}", grants=(((code, kind), Role.VISITOR),))
            for number, kind in enumerate(COUNTY_VISITOR_UNITS, start=1)
        ]
        township_code, township_login = townships[code_prefix(code, Region.Level.COUNTY)]
        government = (township_code, UnitKind.TOWNSHIP_GOVERNMENT)
        people += [
            PersonSpec(username=f"{county.login}.{township_login}.{role.value}", grants=((government, role),))
            for role in (Role.HANDLER, Role.VISITOR)
        ]
    return people


def _names_and_phones(count: int) -> list[tuple[str, str]]:
    """`count` distinct (full name, mobile) pairs, the same on every run."""
    rng = random.Random(NAME_SEED)
    names: set[str] = set()
    phones: set[str] = set()
    pairs: list[tuple[str, str]] = []
    while len(pairs) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_CHARACTERS, k=rng.choice((1, 2, 2))))
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if name in names or phone in phones:
            continue
        names.add(name)
        phones.add(phone)
        pairs.append((name, phone))
    return pairs


def _qiannan_regions() -> tuple[Region, list[Region], list[Region]]:
    """The prefecture, its counties and its townships, loading the bundled tree first if it is missing."""
    low, high = subtree_bounds(code_prefix(PREFECTURE_CODE, Region.Level.PREFECTURE))
    in_qiannan = Region.objects.filter(code__range=(low, high))
    if not in_qiannan.filter(level=Region.Level.TOWNSHIP).exists():
        regions_load(path=QIANNAN_CSV)
    # Two runs at once queue here (SQLite already queues them at BEGIN IMMEDIATE), so the second sees the
    # first one's rows instead of failing on the unique constraints.
    list(Region.objects.select_for_update().filter(pk=PREFECTURE_CODE))
    regions = in_qiannan.filter(level__lte=Region.Level.TOWNSHIP).in_bulk()
    missing = sorted(({PREFECTURE_CODE} | set(COUNTIES) | set(STAFFED_TOWNSHIPS)) - set(regions))
    if missing:
        raise InvalidInput(f"区划表缺少黔南州的区划：{'、'.join(missing)}", code="regions_missing")
    counties = [regions[code] for code in COUNTIES]
    townships = sorted(
        (r for r in regions.values() if r.level == Region.Level.TOWNSHIP), key=lambda r: r.code
    )
    return regions[PREFECTURE_CODE], counties, townships


def _units_sync(specs: Sequence[UnitSpec]) -> tuple[dict[UnitKey, Unit], int, int]:
    """Create or correct the units, parents before children; returns them by key and the counts."""
    units: dict[UnitKey, Unit] = {
        (unit.region_id, UnitKind(unit.kind)): unit
        for unit in Unit.objects.filter(region_id__in={spec.key[0] for spec in specs})
    }
    created = updated = 0
    now = timezone.now()
    # Parents are created in an earlier round so that their primary keys are known to their children.
    rounds = [[s for s in specs if s.parent is None], [s for s in specs if s.parent is not None]]
    for round_specs in rounds:
        new: list[Unit] = []
        changed: list[Unit] = []
        for spec in round_specs:
            region_code, kind = spec.key
            parent_id = units[spec.parent].pk if spec.parent else None
            unit = units.get(spec.key)
            wanted = (spec.name, spec.level, parent_id, True)
            if unit is None:
                unit = Unit(
                    region_id=region_code, kind=kind, name=spec.name, level=spec.level, parent_id=parent_id
                )
                units[spec.key] = unit
                new.append(unit)
            elif (unit.name, unit.level, unit.parent_id, unit.is_active) != wanted:
                unit.name, unit.level, unit.parent_id, unit.is_active = wanted
                unit.updated_at = now
                changed.append(unit)
        Unit.objects.bulk_create(new, batch_size=500)
        Unit.objects.bulk_update(
            changed, ["name", "level", "parent", "is_active", "updated_at"], batch_size=500
        )
        created += len(new)
        updated += len(changed)
    return units, created, updated


def _user_fields(user: User) -> tuple[str, str, bool, bool, bool]:
    return user.full_name, user.phone, user.is_staff, user.is_superuser, user.is_active


def _users_sync(*, people: Sequence[PersonSpec], password: str) -> tuple[dict[str, User], int, int]:
    """Create or correct the users; every one ends with `password`, hashed once for all of them."""
    existing = User.objects.in_bulk([person.username for person in people], field_name="username")
    # Demo users share one hash, so verifying each distinct stored hash once tells who already has `password`
    # without paying the (deliberately slow) hasher per user.
    current = {
        encoded for encoded in {u.password for u in existing.values()} if check_password(password, encoded)
    }
    hashed = ""
    users: dict[str, User] = {}
    new: list[User] = []
    changed: list[User] = []
    for person, (full_name, phone) in zip(people, _names_and_phones(len(people)), strict=True):
        user = existing.get(person.username) or User(username=person.username)
        wanted = (full_name, phone, person.superuser, person.superuser, True)
        has_password = user.password in current
        users[person.username] = user
        if user.pk is not None and has_password and _user_fields(user) == wanted:
            continue
        user.full_name, user.phone, user.is_staff, user.is_superuser, user.is_active = wanted
        if not has_password:
            hashed = hashed or make_password(password)
            user.password = hashed
        (new if user.pk is None else changed).append(user)
    User.objects.bulk_create(new, batch_size=500)
    User.objects.bulk_update(
        changed, ["full_name", "phone", "is_staff", "is_superuser", "is_active", "password"], batch_size=500
    )
    return users, len(new), len(changed)


@transaction.atomic
def demo_seed(*, password: str = DEFAULT_PASSWORD) -> DemoSeedSummary:
    """Bring the 黔南州 demo units, users and memberships to their fixed state, all users with `password`."""
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(
            "演示密码不符合密码规则：" + "；".join(exc.messages), code="weak_password"
        ) from None
    prefecture, counties, townships = _qiannan_regions()
    units, units_created, units_updated = _units_sync(
        _unit_specs(prefecture=prefecture, counties=counties, townships=townships)
    )
    people = _people()
    users, users_created, users_updated = _users_sync(people=people, password=password)
    held = set(
        Membership.objects.filter(user__in=list(users.values())).values_list("user_id", "unit_id", "role")
    )
    granted = 0
    accounts: list[DemoAccount] = []
    for person in people:
        user = users[person.username]
        for key, role in person.grants:
            unit = units[key]
            # The service audits each new grant; granting only missing ones keeps a re-run silent and quick.
            if (user.pk, unit.pk, role.value) not in held:
                membership_grant(user=user, unit=unit, role=role, actor=None)
                granted += 1
            accounts.append(
                DemoAccount(
                    username=user.username,
                    password=password,
                    role=role.value,
                    unit=unit.name,
                    unit_id=unit.pk,
                    unit_kind=UnitKind(unit.kind).value,
                    region_code=unit.region_id,
                )
            )
    return DemoSeedSummary(
        units_created=units_created,
        units_updated=units_updated,
        users_created=users_created,
        users_updated=users_updated,
        memberships_granted=granted,
        accounts=accounts,
    )


def demo_logins(*, accounts: Sequence[DemoAccount]) -> list[DemoAccount]:
    """One account per role in the prefecture, then one per role in 都匀市 (county and townships)."""
    duyun = code_prefix(DUYUN_CODE, Region.Level.COUNTY)
    picked: list[DemoAccount] = []
    for in_area in (lambda code: code == PREFECTURE_CODE, lambda code: code.startswith(duyun)):
        for role in Role:
            first = next((a for a in accounts if a.role == role.value and in_area(a.region_code)), None)
            if first is not None:
                picked.append(first)
    return picked


def demo_accounts_write(*, accounts: Sequence[DemoAccount], path: Path) -> None:
    """Write the accounts file of DESIGN §10: one object per membership, UTF-8, Chinese unescaped."""
    text = json.dumps([asdict(account) for account in accounts], ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
