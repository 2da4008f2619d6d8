"""The Excel export helper: a real .xlsx (read back from its XML), a Chinese file name, an audit row."""

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

from django.test import RequestFactory

from core.exports import xlsx_response
from core.models import AuditEvent
from tests.support import response_bytes, xlsx_rows


def test_export_writes_headers_and_rows_as_a_real_workbook(personas) -> None:
    rows = [
        ("广惠社区", 12, Decimal("26.259400"), datetime(2027, 1, 10, 1, 30, tzinfo=UTC)),
        ("=HYPERLINK(1)", 0, None, None),
    ]
    response = xlsx_response(
        rows=iter(rows),
        headers=["村（社区）", "入户数", "纬度", "走访时间"],
        filename="走访台账.xlsx",
        actor=personas.dispatcher,
        what="visits",
    )
    content = response_bytes(response)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "走访台账.xlsx" in unquote(disposition.split("filename*=")[1].removeprefix("utf-8''"))
    table = xlsx_rows(content)
    assert table[0] == ["村（社区）", "入户数", "纬度", "走访时间"]
    assert table[1][0] == "广惠社区"
    assert float(table[1][1]) == 12
    assert float(table[1][2]) == 26.2594
    # 09:30 Beijing time on 2027-01-10 as an Excel serial date.
    assert abs(float(table[1][3]) - (46397 + 9.5 / 24)) < 1e-6
    # A note that looks like a formula stays text.
    assert table[2][0] == "=HYPERLINK(1)"


def test_every_export_is_audited_with_what_and_how_many_rows(personas) -> None:
    request = RequestFactory().get("/visits/", REMOTE_ADDR="10.0.0.9")
    xlsx_response(
        rows=([i] for i in range(7)),
        headers=["n"],
        filename="x.xlsx",
        actor=personas.supervisor,
        what="visits",
        request=request,
        filters={"campaign": 3},
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == personas.supervisor
    assert event.ip == "10.0.0.9"
    assert event.data == {"export": "visits", "rows": 7, "truncated": False, "filters": {"campaign": 3}}


def test_an_export_of_many_rows_keeps_memory_flat(db) -> None:
    def rows(n: int) -> Iterator[tuple[str, int, str]]:
        for i in range(n):
            yield (f"第{i}行的备注，内容不同以免被压缩得过小", i, "走访了解群众诉求")

    def peak(n: int) -> int:
        tracemalloc.start()
        response = xlsx_response(
            rows=rows(n), headers=["a", "b", "c"], filename="x.xlsx", actor=None, what="t"
        )
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # Not response.close(): that signals the end of a request, which closes the test's connection.
        assert response.file_to_stream is not None
        response.file_to_stream.close()
        return top

    small, large = peak(2_000), peak(40_000)
    # Twenty times the rows, not twenty times the memory: rows are written to disk as they come.
    assert large < small * 3
