"""What the oversight services share: locking a row at the version the client read, and input checks."""

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model

from appeals.models import Appeal
from appeals.permissions import appeals_visible_to
from core.errors import InvalidInput, NotFound
from core.text import plain_text
from org.models import User

M = TypeVar("M", bound=Model)
MAX_APPEALS = 50


def check_text(
    problems: dict[str, str], field: str, value: str, *, max_length: int, required: bool = True
) -> str:
    """The text stripped; its reason goes into `problems` under `field` when it is refused."""
    try:
        return plain_text(value, max_length=max_length, required=required)
    except ValueError as exc:
        problems[field] = str(exc)
        return value


def refuse(problems: dict[str, str]) -> None:
    """422 with each field's reason, when there is any."""
    if problems:
        raise InvalidInput(next(iter(problems.values())), code="invalid_input", details=problems)


def visible_appeals(actor: User, appeal_ids: Iterable[int]) -> list[Appeal]:
    """The appeals named, each visible to the actor; 404 if one is absent or out of scope."""
    wanted = set(appeal_ids)
    if len(wanted) > MAX_APPEALS:
        raise InvalidInput(
            f"关联诉求最多{MAX_APPEALS}件", code="invalid_input", details={"appeals": f"最多{MAX_APPEALS}件"}
        )
    found = list(appeals_visible_to(actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise NotFound("诉求不存在")
    return found
