"""QR posters: the code on the poster decodes to the form with the village filled in (decoded in the test)."""

import base64
import io
import re

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from portal.tests.factories import TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db


def decoded(html: str) -> list[str]:
    found = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def test_a_village_poster_holds_a_qr_code_of_the_form_with_the_village(qiannan) -> None:
    response = Client().get(f"/portal/poster/{VILLAGE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "广惠社区" in html and "12345" in html
    assert decoded(html) == [f"http://testserver/portal/?place={VILLAGE}"]
    form = Client().get(f"/portal/?place={VILLAGE}").content.decode()
    assert f'value="{VILLAGE}" selected' in form


def test_the_public_address_is_the_configured_one(qiannan, settings) -> None:
    settings.PORTAL_BASE_URL = "https://zoufang.example.gov.cn/"
    html = Client().get(f"/portal/poster/{VILLAGE}").content.decode()
    assert decoded(html) == [f"https://zoufang.example.gov.cn/portal/?place={VILLAGE}"]


def test_a_township_prints_every_village_in_one_go(qiannan) -> None:
    from geo.models import Region

    villages = set(Region.objects.filter(parent_id=TOWNSHIP).values_list("code", flat=True))
    html = Client().get(f"/portal/poster/{TOWNSHIP}").content.decode()
    assert set(re.findall(r'data-testid="poster" data-code="(\d+)"', html)) == villages
    assert {url.rsplit("=", 1)[1] for url in decoded(html)} == villages


def test_an_unknown_place_or_a_county_has_no_poster(qiannan) -> None:
    assert Client().get("/portal/poster/522701999999").status_code == 404
    assert Client().get("/portal/poster/522701000000").status_code == 404


def test_an_open_consultation_of_the_county_gets_its_own_code(qiannan, personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import Consultation

    today = timezone.localdate()
    item = Consultation.objects.create(
        unit=personas.duyun_plc,
        title="2027年政法工作意见建议征集",
        text="欢迎提出意见建议。",
        starts=today,
        ends=today + timedelta(days=10),
        questions=[{"text": "您的建议？"}],
        is_published=True,
    )
    html = Client().get(f"/portal/poster/{VILLAGE}").content.decode()
    assert "2027年政法工作意见建议征集" in html
    assert sorted(decoded(html)) == [
        f"http://testserver/portal/?place={VILLAGE}",
        f"http://testserver/portal/consultations/{item.pk}/?place={VILLAGE}",
    ]
    other = (
        Client().get("/portal/poster/522702001001").content.decode()
    )  # 福泉市: not the county's consultation
    assert 'data-testid="poster-consultation"' not in other
