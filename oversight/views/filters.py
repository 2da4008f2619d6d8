"""The filters of the oversight ledgers' pages (interviews, rectification, practices), read from the query."""

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

from core.web import query_day, query_number
from org.models import Unit
from oversight.selectors import LedgerFilters

T = TypeVar("T")


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
        unit=query_number(request, "unit"),
        status=_choice(request, "status", statuses),
        source=_choice(request, "source", sources or []),
        category=_choice(request, "category", categories or []),
        starts=query_day(request, "from"),
        ends=query_day(request, "to"),
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
