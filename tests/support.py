"""What tests of every app share: the personas of DESIGN §1, a signed-in client, and a race of transactions.

The pytest fixtures that hand these out live in the root conftest.py; test modules import from here.
"""

import io
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from django.db import connection
from django.test import Client

from core.errors import DomainError
from org.models import Role, Unit, UnitKind, User
from org.services import token_issue
from org.tests.factories import make_member, make_unit

DUYUN = "522701000000"
FUQUAN = "522702000000"
PREFECTURE = "522700000000"
GUANGHUI = "522701001000"  # a township (街道) of 都匀市


@dataclass
class Personas:
    """The people every endpoint is checked against (STYLE.md, Tests)."""

    visitor: User  # 都匀市公安局 field visitor
    handler: User  # 都匀市人社局 handler: the owning unit in most scenarios
    unit_head: User  # 都匀市人社局 head
    other_handler: User  # 福泉市人社局 handler: another unit, another county
    dispatcher: User  # 都匀市委政法委 dispatcher
    supervisor: User  # 都匀市委政法委 supervisor
    prefecture_supervisor: User  # 黔南州委政法委 supervisor: the level above 都匀市
    other_leader: User  # 福泉市委政法委 leader: another county
    township_handler: User  # 广惠街道办事处 handler
    admin: User  # 黔南州委政法委 administrator
    duyun_hr: Unit
    duyun_plc: Unit
    duyun_police: Unit
    fuquan_hr: Unit
    fuquan_plc: Unit
    prefecture_plc: Unit
    guanghui: Unit

    def all(self) -> dict[str, User]:
        return {name: value for name, value in vars(self).items() if isinstance(value, User)}


# Every persona by name, in the order of Personas: the parameters of the scope matrix tests.
PERSONA_NAMES = [
    "visitor",
    "handler",
    "unit_head",
    "other_handler",
    "dispatcher",
    "supervisor",
    "prefecture_supervisor",
    "other_leader",
    "township_handler",
    "admin",
]


def make_personas() -> Personas:
    """The people every endpoint is checked against, in the units of DESIGN §1 (the region tree loaded)."""
    prefecture_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=PREFECTURE, name="黔南州委政法委")
    duyun_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=DUYUN, name="都匀市委政法委")
    duyun_hr = make_unit(kind=UnitKind.HUMAN_RESOURCES, region_code=DUYUN, name="都匀市人力资源和社会保障局")
    duyun_police = make_unit(kind=UnitKind.POLICE, region_code=DUYUN, name="都匀市公安局")
    fuquan_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=FUQUAN, name="福泉市委政法委")
    fuquan_hr = make_unit(
        kind=UnitKind.HUMAN_RESOURCES, region_code=FUQUAN, name="福泉市人力资源和社会保障局"
    )
    guanghui = make_unit(kind=UnitKind.TOWNSHIP_GOVERNMENT, region_code=GUANGHUI, name="广惠街道办事处")
    return Personas(
        visitor=make_member(username="visitor", unit=duyun_police, role=Role.VISITOR, full_name="王走访"),
        handler=make_member(username="handler", unit=duyun_hr, role=Role.HANDLER, full_name="李经办"),
        unit_head=make_member(username="unit_head", unit=duyun_hr, role=Role.UNIT_HEAD, full_name="赵局长"),
        other_handler=make_member(
            username="other_handler", unit=fuquan_hr, role=Role.HANDLER, full_name="陈经办"
        ),
        dispatcher=make_member(
            username="dispatcher", unit=duyun_plc, role=Role.DISPATCHER, full_name="刘调度"
        ),
        supervisor=make_member(
            username="supervisor", unit=duyun_plc, role=Role.SUPERVISOR, full_name="杨督查"
        ),
        prefecture_supervisor=make_member(
            username="prefecture_supervisor", unit=prefecture_plc, role=Role.SUPERVISOR, full_name="黄督查"
        ),
        other_leader=make_member(
            username="other_leader", unit=fuquan_plc, role=Role.LEADER, full_name="周书记"
        ),
        township_handler=make_member(
            username="township_handler", unit=guanghui, role=Role.HANDLER, full_name="吴干事"
        ),
        admin=make_member(username="admin", unit=prefecture_plc, role=Role.ADMIN, full_name="孙管理"),
        duyun_hr=duyun_hr,
        duyun_plc=duyun_plc,
        duyun_police=duyun_police,
        fuquan_hr=fuquan_hr,
        fuquan_plc=fuquan_plc,
        prefecture_plc=prefecture_plc,
        guanghui=guanghui,
    )


def api_client(user: User) -> Client:
    """A device-like client: bearer token, no session, no CSRF."""
    return Client(headers={"authorization": f"Bearer {token_issue(user=user).key}"})


def client_for(user: User) -> Client:
    """A browser-like client signed in as `user` (session auth, CSRF enforced like a real browser)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released together; each result is a value or the DomainError raised."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except DomainError as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- reading exports back ----------------------------------------------------------------------------------

NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters is not None
    index = 0
    for ch in letters.group(0):
        index = index * 26 + ord(ch) - 64
    return index - 1


def xlsx_rows(content: bytes, sheet_number: int = 1) -> list[list[str]]:
    """The cells of a sheet (the first by default) as text, read from the workbook's XML (no spreadsheet library
    needed)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 (our own output)
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['s']}}}t")) for si in root]
        sheet = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{sheet_number}.xml"))  # noqa: S314
    rows: list[list[str]] = []
    for row in sheet.iterfind(".//s:sheetData/s:row", NS):
        cells: list[str] = []
        for cell in row.iterfind("s:c", NS):
            col = _column(cell.get("r", "A"))
            cells.extend([""] * (col - len(cells)))
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{NS['s']}}}t"))
            elif kind == "s":
                value = cell.find("s:v", NS)
                text = shared[int(value.text or 0)] if value is not None else ""
            else:
                value = cell.find("s:v", NS)
                text = value.text or "" if value is not None else ""
            cells.append(text)
        rows.append(cells)
    return rows


def response_bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content)
