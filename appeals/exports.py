"""The appeal lists as Excel: the appeal list, the dispatcher's queue and a unit's queue, all rows streamed and
audited (core.exports.xlsx_response), the reporter masked (core.masking) as on the appeal's page. An export
leaves the handling unit: a name or number typed into a title is masked too (text.redact)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, UnitTask
from core.exports import EXPORT_CHUNK, xlsx_response
from core.masking import mask_name, mask_phone
from geo.models import Region
from org.models import Unit, User
from text.redact import redact

# The columns every queue export shares; the reporter is masked (core.masking), as on the appeal's page.
APPEAL_HEADERS: list[Promise] = [
    _("Tracking code"),
    _("Title"),
    _("Category"),
    _("County"),
    _("Township"),
    _("Village or community"),
    _("Kind"),
    _("Risk"),
    _("Source"),
    _("Registered"),
    _("Reporter"),
    _("Reporter phone"),
]
DISPATCH_HEADERS: list[Promise] = [*APPEAL_HEADERS, _("Status"), _("Lead unit"), _("Resolve due")]
UNIT_HEADERS: list[Promise] = [*APPEAL_HEADERS, _("Our part"), _("Sign due"), _("Resolve due")]
APPEAL_WIDTHS = (16, 36, 14, 10, 14, 18, 8, 6, 8, 17, 8, 14)


def _areas(region: Region) -> dict[int, str]:
    """The names of a region and the regions above it, by level."""
    names: dict[int, str] = {}
    current: Region | None = region
    while current is not None and current.level >= Region.Level.COUNTY:
        names[current.level] = current.name
        current = current.parent
    return names


def appeal_cells(appeal: Appeal) -> list[object]:
    """An appeal's shared export cells (needs region__parent__parent and category__parent selected)."""
    areas = _areas(appeal.region)
    category = appeal.category
    return [
        appeal.code,
        redact(appeal.title),
        f"{category.parent.name} / {category.name}" if category.parent else category.name,
        areas.get(Region.Level.COUNTY, ""),
        areas.get(Region.Level.TOWNSHIP, ""),
        areas.get(Region.Level.VILLAGE, ""),
        appeal.get_kind_display(),
        appeal.get_risk_colour_display() if appeal.risk_colour else "",
        appeal.get_source_display(),
        appeal.created_at,
        str(_("Anonymous")) if appeal.anonymous else mask_name(appeal.reporter_name),
        "" if appeal.anonymous else mask_phone(appeal.reporter_phone),
    ]


def _status_lines(appeals: QuerySet[Appeal]) -> Iterator[list[object]]:
    rows = appeals.select_related("category__parent", "region__parent__parent", "lead_unit")
    for appeal in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            *appeal_cells(appeal),
            appeal.get_status_display(),
            appeal.lead_unit.name if appeal.lead_unit else "",
            appeal.resolve_due,
        ]


def appeal_list_export(
    *, request: HttpRequest, user: User, appeals: QuerySet[Appeal], filters: dict[str, Any]
) -> HttpResponseBase:
    """The filtered appeal list (诉求列表), every page of it."""
    return xlsx_response(
        rows=_status_lines(appeals),
        headers=[str(h) for h in DISPATCH_HEADERS],
        filename=f"诉求列表-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=str(_("Appeals")),
        actor=user,
        request=request,
        what="appeal_list",
        filters=filters,
        widths=(*APPEAL_WIDTHS, 10, 20, 17),
    )


def dispatch_export(
    *,
    request: HttpRequest,
    user: User,
    tab: str,
    label: str,
    appeals: QuerySet[Appeal],
    order: tuple[str, ...],
) -> HttpResponseBase:
    """One tab of the dispatcher's queue, every page of it."""
    return xlsx_response(
        rows=_status_lines(appeals.order_by(*order)),
        headers=[str(h) for h in DISPATCH_HEADERS],
        filename=f"调度台-{label}-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=str(_("Dispatch queue")),
        actor=user,
        request=request,
        what="dispatch_queue",
        filters={"tab": tab},
        widths=(*APPEAL_WIDTHS, 10, 20, 17),
    )


def unit_queue_export(
    *,
    request: HttpRequest,
    user: User,
    unit: Unit,
    tab: str,
    label: str,
    tasks: QuerySet[UnitTask],
    order: tuple[str, ...],
) -> HttpResponseBase:
    """One tab of a unit's queue, every page of it, with the unit's own part and deadlines."""
    rows = tasks.select_related("appeal__category__parent", "appeal__region__parent__parent").order_by(*order)

    def lines() -> Iterator[list[object]]:
        for task in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                *appeal_cells(task.appeal),
                f"{task.get_role_display()} · {task.get_status_display()}",
                task.sign_due,
                task.resolve_due,
            ]

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in UNIT_HEADERS],
        filename=f"单位待办-{unit.name}-{label}-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=str(_("Unit queue")),
        actor=user,
        request=request,
        what="unit_queue",
        filters={"unit": unit.pk, "tab": tab},
        widths=(*APPEAL_WIDTHS, 14, 17, 17),
    )
