from datetime import datetime

from ninja import Field, Schema

from org.models import Membership, Unit, UnitKind, UnitLevel


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100, description="what the token is for, e.g. the device")
    otp: str = Field(
        "", max_length=12, description="the current code of the user's authenticator, when two-factor is on"
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    level: str
    region_code: str
    region_name: str
    parent_id: int | None

    @staticmethod
    def resolve_kind_name(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_code(obj: Unit) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: Unit) -> str:
        return obj.region.name


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    unit_kind: str
    region_code: str
    role: str
    role_name: str

    @staticmethod
    def resolve_unit_name(obj: Membership) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_unit_kind(obj: Membership) -> str:
        return obj.unit.kind

    @staticmethod
    def resolve_region_code(obj: Membership) -> str:
        return obj.unit.region_id

    @staticmethod
    def resolve_role_name(obj: Membership) -> str:
        return str(obj.get_role_display())


class ScopeOut(Schema):
    everything: bool
    region_prefixes: list[str]
    unit_ids: list[int]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    memberships: list[MembershipOut]
    scope: ScopeOut


class RegionFilters(Schema):
    parent: str | None = Field(None, max_length=12, description="only the children of this code")
    level: int | None = Field(None, ge=1, le=5, description="1 province … 5 village/community")
    within: str | None = Field(None, pattern=r"^\d{2,12}$", description="only this code prefix's subtree")
    q: str | None = Field(None, max_length=50, description="name contains, or code starts with")
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=200)


class UnitFilters(Schema):
    kind: UnitKind | None = None
    level: UnitLevel | None = None
    region: str | None = Field(None, pattern=r"^\d{2,12}$", description="region code prefix (subtree)")
    q: str | None = Field(None, max_length=50, description="name contains")
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=200)
