from ninja import Schema

from geo.models import Region


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None

    @staticmethod
    def resolve_level_name(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id
