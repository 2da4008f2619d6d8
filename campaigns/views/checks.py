"""Supervisors' pages: the visits the plausibility checks doubt, and spot-checks (抽查回访) with their call-backs.

Each list exports to Excel (`?export=xlsx`) with the page's filters and scope, every page of it, audited."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from appeals.models import Satisfaction
from campaigns.models import Campaign, FlagKind, SpotCheck, SpotCheckItem, SpotCheckOutcome, Visit, VisitFlag
from campaigns.permissions import (
    FLAG_ROLES,
    SPOT_CHECK_ROLES,
    SPOT_CHECK_VIEW_ROLES,
    access_spot_check,
    access_spot_check_item,
    campaigns_visible_to,
    may_spot_check,
    spot_checks_visible_to,
    visits_visible_to,
)
from campaigns.selectors import (
    FLAG_ORDER,
    SPOT_CHECK_ORDER,
    FlagFilters,
    confirmation_rate,
    drawable_units,
    flag_reason,
    flagged_visits,
    spot_check_items,
    with_results,
)
from campaigns.selectors.spot_checks import SPOT_CHECK_ITEM_ORDER, spot_check_results
from campaigns.services import (
    MAX_SAMPLE,
    MIN_SAMPLE,
    HouseholdContact,
    spot_check_draw,
    spot_check_record,
    spot_check_reveal_contact,
)
from core.errors import InvalidInput
from core.exports import EXPORT_CHUNK, xlsx_response
from core.masking import mask_name, mask_phone
from core.web import add_details, keyset_page, query_string, refusals, request_user
from geo.models import Region
from org.models import User
from org.permissions import access_unit, regions_visible_to, require_role, user_scope

FLAG_HEADERS = [
    _("Visit"),
    _("Campaign"),
    _("County"),
    _("Township"),
    _("Village or community"),
    _("Enterprise"),
    _("Visitor"),
    _("Started at"),
    _("Reasons for doubt"),
    _("Record number"),
]
SPOT_CHECK_HEADERS = [
    _("Drawn"),
    _("Drawn by"),
    _("Campaign"),
    _("Unit"),
    _("Visits to draw from"),
    _("Sampled"),
    _("Called"),
    _("Confirmed"),
    _("Denied"),
    _("Unreachable"),
    _("Confirmation rate (%)"),
]
SPOT_CHECK_ITEM_HEADERS = [
    _("Visit"),
    _("County"),
    _("Township"),
    _("Village or community"),
    _("Enterprise"),
    _("Started at"),
    _("Visitor"),
    _("Households reached"),
    _("Notes"),
    _("Household contact"),
    _("Outcome"),
    _("Satisfaction"),
    _("Note"),
    _("Checked by"),
    _("Checked at"),
]


def _can_check(user: User) -> bool:
    return may_spot_check(user)


def _wants_export(request: HttpRequest) -> bool:
    return request.method == "GET" and request.GET.get("export") == "xlsx"


def _place(visit: Visit) -> list[str]:
    """County, township, village or community and enterprise of a visit (region__parent__parent selected)."""
    village = visit.region
    township = village.parent
    county = township.parent if township is not None else None
    return [
        county.name if county is not None else "",
        township.name if township is not None else "",
        village.name,
        visit.enterprise.name if visit.enterprise is not None else "",
    ]


def _rate(rate: float | None) -> float | str:
    return "" if rate is None else round(rate * 100, 1)


# --- plausibility flags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRow:
    visit: Visit
    reasons: list[tuple[VisitFlag, str]]


@login_required
def flags(request: HttpRequest) -> HttpResponseBase:
    """存疑走访: flagged visits in the user's scope, newest first, by kind and county."""
    user = request_user(request)
    require_role(user, *FLAG_ROLES)
    kind = request.GET.get("kind", "")
    if kind not in FlagKind.values:
        kind = ""
    counties = list(regions_visible_to(user).filter(level=Region.Level.COUNTY).order_by("code"))
    county = next((c for c in counties if c.code == request.GET.get("county")), None)
    visits = flagged_visits(
        visits_visible_to(user),
        FlagFilters(kind=kind or None, region=county.prefix if county else None),
    )
    filters = {"kind": kind, "county": county.code if county else ""}
    if _wants_export(request):
        return _flags_export(request, user, visits, filters)
    page = keyset_page(request, visits, FLAG_ORDER)
    rows = [FlagRow(visit=v, reasons=[(f, flag_reason(f)) for f in v.flags.all()]) for v in page.items]
    context = {
        "rows": rows,
        "kinds": FlagKind.choices,
        "kind": kind,
        "counties": counties,
        "county": county,
        "next_url": query_string(**filters, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string(**filters) if request.GET.get("cursor") else None,
        "export_url": query_string(**filters, export="xlsx"),
    }
    return render(request, "campaigns/checks/flags.html", context)


def _flags_export(
    request: HttpRequest, user: User, visits: QuerySet[Visit], filters: dict[str, str]
) -> HttpResponseBase:
    rows = visits.select_related("campaign", "region__parent__parent").order_by(*FLAG_ORDER)

    def lines() -> Iterator[list[Any]]:
        for visit in rows.iterator(chunk_size=EXPORT_CHUNK):
            reasons = "\n".join(f"{f.get_kind_display()}：{flag_reason(f)}" for f in visit.flags.all())
            yield [
                visit.pk,
                visit.campaign.name,
                *_place(visit),
                visit.visitor.get_full_name(),
                visit.started_at,
                reasons,
                str(visit.uuid),
            ]

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in FLAG_HEADERS],
        filename=f"存疑走访-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=str(_("Doubtful visits")),
        actor=user,
        request=request,
        what="visit_flags",
        filters={k: v for k, v in filters.items() if v},
        widths=(9, 18, 10, 14, 18, 18, 10, 17, 60, 38),
    )


# --- spot-checks ----------------------------------------------------------------------------------------


class DrawForm(forms.Form):
    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int, widget=forms.HiddenInput)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    size = forms.IntegerField(
        label=_("Visits to draw"), min_value=MIN_SAMPLE, max_value=MAX_SAMPLE, initial=20
    )

    def __init__(self, *args: Any, user: User, campaign: Campaign | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = list(campaigns_visible_to(user).order_by("-starts", "-id"))
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [(c.pk, c.name) for c in campaigns]
        units = drawable_units(user, campaign) if campaign is not None else []
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.pk, u.name) for u in units]


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in SpotCheckOutcome if o != SpotCheckOutcome.PENDING],
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—"), *Satisfaction.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


@dataclass(frozen=True)
class CheckRow:
    check: SpotCheck
    rate: float | None


def _selected_campaign(request: HttpRequest, user: User) -> Campaign | None:
    campaigns = campaigns_visible_to(user).order_by("-starts", "-id")
    wanted = request.POST.get("campaign") or request.GET.get("campaign")
    chosen = campaigns.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else None
    return chosen or campaigns.first()


@login_required
def spot_checks(request: HttpRequest) -> HttpResponseBase:
    """抽查回访: the spot-checks of the units in scope with their results; supervisors draw new ones here."""
    user = request_user(request)
    require_role(user, *SPOT_CHECK_VIEW_ROLES)
    if _wants_export(request):
        return _spot_checks_export(request, user)
    campaign = _selected_campaign(request, user)
    form: DrawForm | None = None
    if _can_check(user):
        form = DrawForm(
            request.POST if request.method == "POST" else None,
            user=user,
            campaign=campaign,
            initial={"campaign": campaign.pk if campaign else None},
        )
    if request.method == "POST":
        require_role(user, *SPOT_CHECK_ROLES)
        assert form is not None
        if form.is_valid():
            try:
                check = spot_check_draw(
                    actor=user,
                    campaign=campaigns_visible_to(user).get(pk=form.cleaned_data["campaign"]),
                    unit=access_unit(user, form.cleaned_data["unit"]),
                    size=form.cleaned_data["size"],
                )
            except InvalidInput as exc:
                add_details(form, exc)
            else:
                messages.success(
                    request, gettext("A sample of %(n)s visits was drawn.") % {"n": check.sample_size}
                )
                return redirect("campaigns:spot-check", check.pk)
    checks = with_results(spot_checks_visible_to(user))
    page = keyset_page(request, checks, SPOT_CHECK_ORDER)
    rows = [CheckRow(check=c, rate=confirmation_rate(c.confirmed, c.denied)) for c in page.items]
    context = {
        "rows": rows,
        "form": form,
        "campaign": campaign,
        "next_url": query_string(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string() if request.GET.get("cursor") else None,
        "export_url": query_string(export="xlsx"),
    }
    return render(
        request, "campaigns/checks/spot_checks.html", context, status=400 if form and form.errors else 200
    )


def _spot_checks_export(request: HttpRequest, user: User) -> HttpResponseBase:
    checks = with_results(spot_checks_visible_to(user)).order_by(*SPOT_CHECK_ORDER)

    def lines() -> Iterator[list[Any]]:
        check: Any  # with the counts of with_results
        for check in checks.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                check.created_at,
                check.drawn_by.get_full_name(),
                check.campaign.name,
                check.unit.name,
                check.population,
                check.sampled,
                check.called,
                check.confirmed,
                check.denied,
                check.unreachable,
                _rate(confirmation_rate(check.confirmed, check.denied)),
            ]

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in SPOT_CHECK_HEADERS],
        filename=f"抽查回访-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=str(_("Spot-checks")),
        actor=user,
        request=request,
        what="spot_checks",
        widths=(17, 10, 18, 24, 10, 8, 8, 8, 8, 8, 10),
    )


@dataclass(frozen=True)
class ItemRow:
    item: SpotCheckItem
    form: RecordForm | None
    satisfaction: str
    contact: HouseholdContact  # masked, or in full on the reveal's own response
    revealed: bool
    may_reveal: bool


def _item_row(
    item: SpotCheckItem, *, user: User, check: SpotCheck, can_record: bool, revealed: HouseholdContact | None
) -> ItemRow:
    visit = item.visit
    has_contact = bool(visit.household_name or visit.household_phone)
    return ItemRow(
        item=item,
        form=RecordForm(
            initial={"outcome": item.outcome, "satisfaction": item.satisfaction, "note": item.note},
            prefix=f"item{item.pk}",
        )
        if can_record and (item.checked_by_id in (None, user.pk))
        else None,
        satisfaction=str(Satisfaction(item.satisfaction).label) if item.satisfaction else "",
        contact=revealed
        or HouseholdContact(name=mask_name(visit.household_name), phone=mask_phone(visit.household_phone)),
        revealed=revealed is not None,
        may_reveal=has_contact and revealed is None and check.drawn_by_id == user.pk,
    )


def _detail_response(
    request: HttpRequest, user: User, check: SpotCheck, revealed: tuple[int, HouseholdContact] | None = None
) -> HttpResponse:
    can_record = user_scope(user).covers(check.unit.region_id, *SPOT_CHECK_ROLES)
    page = keyset_page(request, spot_check_items(check), SPOT_CHECK_ITEM_ORDER)
    rows = [
        _item_row(
            item,
            user=user,
            check=check,
            can_record=can_record,
            revealed=revealed[1] if revealed and revealed[0] == item.pk else None,
        )
        for item in page.items
    ]
    results: dict[str, Any] = spot_check_results(check)
    results["rate"] = confirmation_rate(results["confirmed"], results["denied"])
    context = {
        "check": check,
        "rows": rows,
        "results": results,
        "export_url": query_string(export="xlsx"),
        "next_url": query_string(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string() if request.GET.get("cursor") else None,
    }
    response = render(request, "campaigns/checks/spot_check.html", context)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def spot_check_detail(request: HttpRequest, check_id: int) -> HttpResponseBase:
    """The sampled visits of one spot-check in keyset pages, each with a small form for the call-back's outcome
    and the household contact, masked."""
    user = request_user(request)
    require_role(user, *SPOT_CHECK_VIEW_ROLES)
    check = _access(user, check_id)
    if _wants_export(request):
        return _spot_check_items_export(request, user, check)
    return _detail_response(request, user, check)


@login_required
@require_POST
def spot_check_contact(request: HttpRequest, check_id: int, item_id: int) -> HttpResponse:
    """The sample page with one household's contact in full, on this response only; the service audits it and
    answers 404 to anyone but the supervisor who drew the check."""
    user = request_user(request)
    check = _access(user, check_id)
    item = access_spot_check_item(check, item_id)
    contact = spot_check_reveal_contact(actor=user, item=item, request=request)
    return _detail_response(request, user, check, revealed=(item.pk, contact))


def _spot_check_items_export(request: HttpRequest, user: User, check: SpotCheck) -> HttpResponseBase:
    items = spot_check_items(check).select_related("visit__region__parent__parent")

    def lines() -> Iterator[list[Any]]:
        for item in items.iterator(chunk_size=EXPORT_CHUNK):
            visit = item.visit
            yield [
                visit.pk,
                *_place(visit),
                visit.started_at,
                visit.visitor.get_full_name(),
                visit.households_reached,
                visit.notes,
                visit.household_masked,
                item.get_outcome_display(),
                str(Satisfaction(item.satisfaction).label) if item.satisfaction else "",
                item.note,
                item.checked_by.get_full_name() if item.checked_by else "",
                item.checked_at,
            ]

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in SPOT_CHECK_ITEM_HEADERS],
        filename=f"抽查回访-{check.unit.name}-{timezone.localtime(check.created_at):%Y%m%d}.xlsx",
        sheet=str(_("Spot-check")),
        actor=user,
        request=request,
        what="spot_check_items",
        filters={"spot_check": check.pk},
        widths=(9, 10, 14, 18, 18, 17, 10, 8, 50, 18, 12, 10, 30, 10, 17),
    )


def _access(user: User, check_id: int) -> SpotCheck:
    return access_spot_check(user, check_id)


@login_required
@require_POST
def spot_check_item(request: HttpRequest, check_id: int, item_id: int) -> HttpResponse:
    """Record one call-back; errors come back as a message above the list."""
    user = request_user(request)
    require_role(user, *SPOT_CHECK_ROLES)
    check = _access(user, check_id)
    item = access_spot_check_item(check, item_id)
    form = RecordForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        messages.error(request, gettext("The outcome could not be recorded; check the fields."))
        return redirect("campaigns:spot-check", check.pk)
    with refusals(request):
        spot_check_record(
            actor=user,
            item=item,
            outcome=form.cleaned_data["outcome"],
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, gettext("Call-back recorded."))
    return redirect(f"{reverse('campaigns:spot-check', args=[check.pk])}#item-{item.pk}")
