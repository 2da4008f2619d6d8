"""走访台账: the visits in the user's scope with filters, keyset pages and an Excel export; one visit's page."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Visit, VisitProblem
from campaigns.permissions import access_visit, campaigns_visible_to
from campaigns.selectors import VISIT_ORDER, VisitFilters
from campaigns.selectors.coverage import area_access, area_intersects, area_root, ledger_visits
from campaigns.services.visits import RECORD_ROLES
from core.exports import EXPORT_CHUNK, xlsx_response
from core.web import keyset_page, query_day, query_number, query_string, request_user
from geo.models import Region, subtree_bounds
from org.models import Membership, User
from org.permissions import units_visible_to

LEDGER_HEADERS = [
    _("Started at"),
    _("Campaign"),
    _("County"),
    _("Township"),
    _("Village or community"),
    _("Enterprise"),
    _("Visitor"),
    _("Households reached"),
    _("People met"),
    _("Problems raised"),
    _("Notes"),
    _("Suggestions"),
    _("Latitude"),
    _("Longitude"),
    _("Record number"),
]


@dataclass(frozen=True)
class LedgerQuery:
    """The ledger's filters as the page and its export read them from the query string."""

    campaign: int | None
    region: Region | None
    visitor: int | None
    started_from: date | None
    started_to: date | None
    has_problems: bool

    def params(self, **extra: Any) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "region": self.region.code if self.region else None,
            "visitor": self.visitor,
            "from": self.started_from.isoformat() if self.started_from else None,
            "to": self.started_to.isoformat() if self.started_to else None,
            "problems": "1" if self.has_problems else None,
            **extra,
        }

    def filters(self) -> VisitFilters:
        def moment(day: date | None) -> datetime | None:
            return timezone.make_aware(datetime.combine(day, time.min)) if day else None

        return VisitFilters(
            campaign=self.campaign,
            visitor=self.visitor,
            region=self.region.prefix if self.region else None,
            started_from=moment(self.started_from),
            # The "to" day is included whole: up to the start of the next day.
            started_to=moment(self.started_to + timedelta(days=1)) if self.started_to else None,
        )


def ledger_query(request: HttpRequest, user: User) -> LedgerQuery:
    code = request.GET.get("region", "").strip()
    region = None
    if code:
        region = area_access(user, code)
    return LedgerQuery(
        campaign=query_number(request, "campaign"),
        region=region,
        visitor=query_number(request, "visitor"),
        started_from=query_day(request, "from"),
        started_to=query_day(request, "to"),
        has_problems=request.GET.get("problems") in ("1", "on", "true"),
    )


def ledger_visitors(user: User) -> list[User]:
    """The people whose visits the user may see in the ledger: visiting roles in the units they see."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.filter(role__in=RECORD_ROLES, unit__in=units_visible_to(user)).values(
                "user"
            )
        ).order_by("full_name", "username", "id")
    )


def region_options(user: User) -> list[tuple[Region, int]]:
    """Counties and their townships in the user's scope, with their depth, for the region filter."""
    root = area_root(user)
    if root.level == Region.Level.TOWNSHIP:
        return [(root, 0)]
    # One read of the counties and townships below the root; code order puts each township after its county.
    areas = Region.objects.filter(
        code__range=subtree_bounds(root.prefix), level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP)
    ).order_by("code")
    return [
        (area, 0 if area.level == Region.Level.COUNTY else 1)
        for area in areas
        if area_intersects(user, area.prefix)
    ]


def _export(request: HttpRequest, user: User, visits: Any, params: dict[str, Any]) -> HttpResponseBase:
    problems = (
        VisitProblem.objects.filter(visit=OuterRef("pk")).order_by().values("visit").annotate(n=Count("id"))
    )
    rows = (
        visits.prefetch_related(None)
        .select_related("campaign", "visitor", "enterprise", "region__parent__parent")
        .annotate(
            problem_count=Coalesce(Subquery(problems.values("n")[:1]), Value(0), output_field=IntegerField())
        )
        .order_by(*VISIT_ORDER)
    )

    def lines() -> Any:
        for v in rows.iterator(chunk_size=EXPORT_CHUNK):
            village = v.region
            township = village.parent if village else None
            county = township.parent if township else None
            yield (
                v.started_at,
                v.campaign.name,
                county.name if county else "",
                township.name if township else "",
                village.name if village else "",
                v.enterprise.name if v.enterprise else "",
                v.visitor.get_full_name(),
                v.households_reached,
                v.people_met,
                v.problem_count,
                v.notes,
                v.suggestions,
                v.latitude,
                v.longitude,
                str(v.uuid),
            )

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in LEDGER_HEADERS],
        filename=f"走访台账-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="走访台账",
        actor=user,
        request=request,
        what="visits",
        filters={k: v for k, v in params.items() if v is not None},
        widths=(17, 18, 12, 14, 18, 18, 10, 8, 8, 8, 40, 30, 11, 11, 38),
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponseBase:
    """走访台账: the visits in the user's scope, newest first, filtered; exported as Excel on request."""
    user = request_user(request)
    filters = ledger_query(request, user)
    visits = ledger_visits(user, filters.filters(), has_problems=filters.has_problems)
    if request.GET.get("export") == "xlsx":
        return _export(request, user, visits, filters.params())
    page = keyset_page(request, visits, VISIT_ORDER)
    context = {
        "visits": page.items,
        "filters": filters,
        "campaigns": list(campaigns_visible_to(user)),
        "regions": region_options(user),
        "visitors": ledger_visitors(user),
        "next_url": query_string(**filters.params(cursor=page.next_cursor)) if page.next_cursor else None,
        "first_url": query_string(**filters.params()) if request.GET.get("cursor") else None,
        "export_url": query_string(**filters.params(export="xlsx")),
    }
    return render(request, "campaigns/ledger.html", context)


@login_required
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One visit: place, visitor, time, counts, notes, suggestions, location, problems, photos and flags."""
    user = request_user(request)
    access_visit(user, visit_id)
    visit = (
        Visit.objects.select_related("campaign", "visitor", "enterprise", "region__parent__parent")
        .prefetch_related("companions", "problems__appeal", "flags")
        .get(pk=visit_id)
    )
    # Masked here as everywhere: only the supervisor of a spot-check that sampled the visit may reveal it.
    context = {"visit": visit, "photos": list(visit.photos.all()), "household": visit.household_masked}
    return render(request, "campaigns/visit.html", context)
