"""Excel exports of lists (DESIGN §7): one helper streams any list to an .xlsx and audits the export.

The workbook is written in xlsxwriter's constant_memory mode, row by row, into a temporary file that the
response then streams: a list of a million rows costs the memory of one row, given an iterator over it
(`queryset.iterator(chunk_size=...)`). Every export is an audited action (DESIGN §8): who exported what, with
which filters, how many rows. Rows carry what the caller put in them; personal data stays masked (core.masking).
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse, HttpRequest
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent

EXPORT_CHUNK = 2000
# Excel's own limit; a longer list is cut there and the audit row says so.
MAX_ROWS = 1_048_575
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    """What xlsxwriter can write: aware times become Beijing wall-clock times, decimals floats."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    return value


def xlsx_response(
    *,
    rows: Iterable[Sequence[Any]],
    headers: Sequence[str],
    filename: str,
    actor: Any,
    what: str,
    request: HttpRequest | None = None,
    sheet: str = "",
    filters: dict[str, Any] | None = None,
    widths: Sequence[int] = (),
) -> FileResponse:
    """Write `headers` and `rows` to an .xlsx, audit the export (`what`, row count, filters) and answer the file
    as a download named `filename` (Chinese allowed; sent as RFC 6266 filename*)."""
    # TemporaryFile is unlinked at once on POSIX: the bytes live until the response closes the handle.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    workbook = xlsxwriter.Workbook(
        handle,
        {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_urls": False},
    )
    worksheet = workbook.add_worksheet((sheet or what)[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, width)
    worksheet.write_row(0, 0, list(headers), bold)
    worksheet.freeze_panes(1, 0)
    count = 0
    truncated = False
    for row in rows:
        if count >= MAX_ROWS:
            truncated = True
            break
        count += 1
        for col, raw in enumerate(row):
            value = _cell(raw)
            if isinstance(value, datetime):
                worksheet.write_datetime(count, col, value, when)
            elif isinstance(value, date):
                worksheet.write_datetime(count, col, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, bool):
                worksheet.write_boolean(count, col, value)
            elif isinstance(value, int | float):
                worksheet.write_number(count, col, value)
            else:
                # write_string: a note starting with "=" is text, never a formula.
                worksheet.write_string(count, col, str(value))
    workbook.close()
    handle.seek(0)
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=actor,
        request=request,
        data={"export": what, "rows": count, "truncated": truncated, "filters": filters or {}},
    )
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
