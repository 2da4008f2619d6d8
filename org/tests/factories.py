"""Plain typed factories with valid defaults and no hidden randomness."""

from geo.models import Region
from org.models import Membership, Role, Unit, UnitKind, UnitLevel, User

PASSWORD = "correct-horse-battery-9"

LEVEL_OF_REGION = {
    2: UnitLevel.PREFECTURE,
    3: UnitLevel.COUNTY,
    4: UnitLevel.TOWNSHIP,
    5: UnitLevel.VILLAGE,
}


def make_unit(*, kind: UnitKind, region_code: str, name: str = "", parent: Unit | None = None) -> Unit:
    region = Region.objects.get(pk=region_code)
    unit, _ = Unit.objects.get_or_create(
        region=region,
        kind=kind,
        defaults={
            "name": name or f"{region.name}{kind.label}",
            "level": LEVEL_OF_REGION[region.level],
            "parent": parent,
        },
    )
    return unit


def make_user(*, username: str, full_name: str = "测试干部", password: str = PASSWORD) -> User:
    user = User(username=username, full_name=full_name)
    user.set_password(password)
    user.save()
    return user


def make_member(*, username: str, unit: Unit, role: Role, full_name: str = "测试干部") -> User:
    user = User.objects.filter(username=username).first() or make_user(username=username, full_name=full_name)
    Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user
