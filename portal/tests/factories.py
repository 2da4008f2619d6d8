"""Plain typed helpers for the portal's tests: a filled-in form with its challenge solved, a handled appeal."""

import io
import re
from typing import Any

from django.test import Client
from PIL import ExifTags, Image

from appeals.models import Appeal
from appeals.services import appeal_accept, appeal_assign, appeal_resolve
from appeals.tests.factories import REPLY, approved, fresh
from portal.permissions import challenge_solve

VILLAGE = "522701001001"  # 广惠社区, 广惠街道, 都匀市
TOWNSHIP = "522701001000"
COUNTY = "522701000000"
TEXT = "我在县城建筑工地务工八个月，老板拖欠工资三万二千元，春节前急需回家，请帮忙讨薪。"


def challenge_from(client: Client) -> str:
    page = client.get("/portal/").content.decode()
    found = re.search(r'name="challenge" value="([^"]+)"', page)
    assert found, "the form carries a challenge"
    return found.group(1)


def form_data(client: Client, **overrides: Any) -> dict[str, Any]:
    challenge = challenge_from(client)
    data: dict[str, Any] = {
        "kind": "problem",
        "topic": "wages",
        "county": COUNTY,
        "township": TOWNSHIP,
        "village": VILLAGE,
        "text": TEXT,
        "name": "张三",
        "phone": "13812345678",
        "challenge": challenge,
        "answer": challenge_solve(challenge),
    }
    data.update(overrides)
    return data


def camera_jpeg(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A camera-like JPEG with GPS and the owner's name in its EXIF."""
    image = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Artist] = "张三"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (26.0, 15.0, 30.0), 3: "E", 4: (107.0, 31.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def codes(response: Any) -> tuple[str, str]:
    page = response.content.decode()
    code = re.search(r'data-testid="tracking-code">([^<]+)<', page)
    secret = re.search(r'data-testid="secret">([^<]+)<', page)
    assert code and secret
    return code.group(1), secret.group(1)


def handled(personas: Any, appeal: Appeal, reply: str = REPLY) -> Appeal:
    """Assigned to 都匀市人社局, accepted, resolved with `reply` and the reply approved."""
    appeal = appeal_assign(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=appeal.version,
        lead_unit_id=personas.duyun_hr.pk,
    )
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    appeal = appeal_resolve(
        appeal=appeal, actor=personas.handler, expected_version=appeal.version, reply=reply
    )
    appeal = fresh(appeal)
    if appeal.status == "awaiting_approval":
        appeal = approved(appeal)
    return fresh(appeal)
