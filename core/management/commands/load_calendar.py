from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import DomainError
from core.models import CalendarYear
from core.workcalendar import (
    calendar_import_csv,
    calendar_load_library,
    calendar_missing_years,
    library_version,
)


def _spans(years: Iterable[int]) -> str:
    """2004, 2005, …, 2026, 2031 → "2004–2026, 2031"."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans) or "none"


class Command(BaseCommand):
    help = (
        "Load the official holiday schedule: from the chinese-calendar library, or with --csv from a file "
        "(date,is_workday,name) holding a year's schedule as the State Council publishes it; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--csv", type=Path, metavar="FILE", help="import this file instead of the library"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["csv"]
        if path is None:
            written = calendar_load_library()
            origin = f"chinese-calendar {library_version()}"
        else:
            if not path.is_file():
                raise CommandError(f"{path}: 文件不存在")
            try:
                written = calendar_import_csv(path=path)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            origin = str(path)
        known = _spans(CalendarYear.objects.order_by("year").values_list("year", flat=True))
        self.stdout.write(f"calendar loaded from {origin}: {written} days written; years known: {known}")
        missing = calendar_missing_years(around=timezone.localdate())
        if missing:
            self.stderr.write(
                f"warning: no official holiday schedule for {', '.join(map(str, missing))}; "
                "working days there are counted Monday to Friday"
            )
