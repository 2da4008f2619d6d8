"""What the oversight pages share: access answered as HTTP, the list filters, and service errors as messages."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from org.models import Unit, User
from org.permissions import user_scope
from oversight.permissions import OVERSIGHT_ROLES
from oversight.selectors import LedgerFilters

T = TypeVar("T")


def found(access: Callable[[User, int], T], user: User, pk: int) -> T:
    """The object through its `access_*` function; absent and out of scope are one 404."""
    try:
        return access(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def is_overseer(user: User) -> bool:
    return user_scope(user).holds(*OVERSIGHT_ROLES)


@contextmanager
def refusals(request: HttpRequest) -> Iterator[None]:
    """A service's refusal as the web answers it: 404, 403, or a message on the page (nothing was written)."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except InvalidInput as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        messages.error(request, "；".join([exc.message, *(str(v) for v in details.values())][:3]))
    except DomainError as exc:
        messages.error(request, exc.message)


def _number(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    messages.error(request, gettext("A filter was not understood and is ignored."))
    return None


def _day(request: HttpRequest, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        messages.error(request, gettext("A filter was not understood and is ignored."))
        return None


def _choice(request: HttpRequest, name: str, allowed: list[str]) -> str | None:
    raw = request.GET.get(name, "").strip()
    return raw if raw in allowed else None


def list_filters(
    request: HttpRequest,
    *,
    statuses: list[str],
    sources: list[str] | None = None,
    categories: list[str] | None = None,
) -> LedgerFilters:
    return LedgerFilters(
        unit=_number(request, "unit"),
        status=_choice(request, "status", statuses),
        source=_choice(request, "source", sources or []),
        category=_choice(request, "category", categories or []),
        starts=_day(request, "from"),
        ends=_day(request, "to"),
    )


def filter_params(filters: LedgerFilters, **extra: Any) -> dict[str, Any]:
    return {
        "unit": filters.unit,
        "status": filters.status,
        "source": filters.source,
        "category": filters.category,
        "from": filters.starts.isoformat() if filters.starts else None,
        "to": filters.ends.isoformat() if filters.ends else None,
        **extra,
    }


def unit_options(visible: QuerySet[Any]) -> list[Unit]:
    """The units that have rows in the list the user sees: the unit filter's choices."""
    return list(Unit.objects.filter(pk__in=visible.values("unit_id")).order_by("region_id", "kind"))
