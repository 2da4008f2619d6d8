"""What the appeal pages share: the signed-in user, access answered as HTTP, keyset pages, countdowns."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from appeals.permissions import access_appeal
from core.errors import Forbidden, InvalidInput, NotFound
from core.pagination import KeysetPage, keyset_paginate
from org.models import Role, User
from org.permissions import require_role

PAGE_SIZE = 50
# Who may register an appeal on the web form (DESIGN §1: visitors in the field, dispatchers, handlers).
REGISTER_ROLES = (Role.DISPATCHER, Role.VISITOR, Role.HANDLER)
UNIT_QUEUE_ROLES = (Role.HANDLER, Role.UNIT_HEAD)
# The secret of a new appeal waits here between the POST and the page that shows it once.
NEW_APPEAL_SESSION_KEY = "appeals.registered_secret"


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def require(user: User, *roles: Role) -> None:
    try:
        require_role(user, *roles)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def access(user: User, appeal_id: int) -> Appeal:
    try:
        return access_appeal(user, appeal_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def keyset_page(request: HttpRequest, queryset: QuerySet[Any], order: tuple[str, ...]) -> KeysetPage[Any]:
    """One page after the request's cursor; a damaged or forged cursor gives the first page and a message."""
    cursor = request.GET.get("cursor") or None
    try:
        return keyset_paginate(queryset, order=order, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    except (ValidationError, ValueError, TypeError):
        # decode_cursor checks only the cursor's width; values of the wrong type fail in the query.
        messages.error(request, gettext("The page link is damaged; showing the first page."))
    return keyset_paginate(queryset, order=order, cursor=None, limit=PAGE_SIZE)


def query(**params: object) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --- countdowns -----------------------------------------------------------------------------------------

# The texts of a countdown; static/js/zoufang.js reads them from the page to keep the countdowns current.
COUNTDOWN_FORMATS: dict[str, Promise] = {
    "left_minutes": _("%(count)s min left"),
    "left_hours": _("%(count)s h left"),
    "left_days": _("%(count)s d left"),
    "overdue_minutes": _("%(count)s min overdue"),
    "overdue_hours": _("%(count)s h overdue"),
    "overdue_days": _("%(count)s d overdue"),
}
SOON = timedelta(hours=24)


@dataclass(frozen=True)
class Countdown:
    due: datetime
    text: str
    state: str  # ok, soon (within 24 h) or overdue: a CSS class


def countdown(due: datetime | None, now: datetime) -> Countdown | None:
    """剩余 3 小时 / 超期 2 天, from a stored deadline (never recomputed from the policy)."""
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    overdue = seconds < 0
    span = abs(seconds)
    if span < 3600:
        unit, count = "minutes", max(1, math.floor(span / 60))
    elif span < 48 * 3600:
        unit, count = "hours", math.floor(span / 3600)
    else:
        unit, count = "days", math.floor(span / 86400)
    text = str(COUNTDOWN_FORMATS[f"{'overdue' if overdue else 'left'}_{unit}"]) % {"count": count}
    state = "overdue" if overdue else "soon" if seconds < SOON.total_seconds() else "ok"
    return Countdown(due=due, text=text, state=state)


def countdown_formats() -> dict[str, str]:
    return {key: str(value) for key, value in COUNTDOWN_FORMATS.items()}


def add_details(form: Any, exc: InvalidInput, aliases: dict[str, str] | None = None) -> None:
    """Put the service's per-field reasons beside the fields they concern; the rest above the form."""
    form.add_error(None, exc.message)
    details = exc.details if isinstance(exc.details, dict) else {}
    for key, reason in details.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, str(reason))
