"""QR posters: the code on the poster, in the page and in the PDF, decodes to the form with the village filled in
(decoded in the test)."""

import base64
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
import zxingcpp
from django.test import Client
from django.utils import timezone
from PIL import Image

from core.pdf import pdf_available
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


# --- the same posters as one PDF made on the server ---------------------------------------------------------

POPPLER = {tool: shutil.which(tool) or "" for tool in ("pdfinfo", "pdftotext", "pdftoppm")}
needs_pdf = pytest.mark.skipif(
    not pdf_available() or not all(POPPLER.values()),
    reason="needs WeasyPrint with the system's Pango (libpango-1.0-0) and poppler-utils (pdfinfo, pdftotext, "
    "pdftoppm) to render and read the PDF",
)


def pdf_pages(content: bytes) -> int:
    info = subprocess.run([POPPLER["pdfinfo"], "-"], input=content, capture_output=True, check=True)  # noqa: S603
    return int(re.search(rb"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def pdf_text(content: bytes) -> str:
    command = [POPPLER["pdftotext"], "-layout", "-", "-"]
    done = subprocess.run(command, input=content, capture_output=True, check=True)  # noqa: S603
    return done.stdout.decode()


def pdf_codes(content: bytes, tmp_path: Path) -> list[list[str]]:
    """The QR codes decoded on each page, rendered at 150 dpi as a scanner or a phone's camera sees print."""
    source = tmp_path / "posters.pdf"
    source.write_bytes(content)
    command = [POPPLER["pdftoppm"], "-png", "-r", "150", str(source), str(tmp_path / "page")]
    subprocess.run(command, check=True)  # noqa: S603
    return [
        sorted(result.text for result in zxingcpp.read_barcodes(Image.open(page)))
        for page in sorted(tmp_path.glob("page-*.png"))
    ]


def open_consultation(personas: Any) -> Any:
    from portal.models import Consultation

    today = timezone.localdate()
    return Consultation.objects.create(
        unit=personas.duyun_plc,
        title="2027年政法工作意见建议征集",
        text="欢迎提出意见建议。",
        starts=today,
        ends=today + timedelta(days=10),
        questions=[{"text": "您的建议？"}],
        is_published=True,
    )


@needs_pdf
def test_a_township_pdf_has_one_page_per_village_with_its_name_and_code(qiannan, tmp_path) -> None:
    from geo.models import Region

    villages = list(Region.objects.filter(parent_id=TOWNSHIP).order_by("code"))
    response = Client().get(f"/portal/poster/{TOWNSHIP}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert (
        unquote(disposition.split("filename*=")[1].removeprefix("utf-8''")) == "二维码海报-都匀市广惠街道.pdf"
    )
    content = response.content
    assert pdf_pages(content) == len(villages) == 13
    text = pdf_text(content)
    assert all(village.name in text for village in villages) and "12345" in text
    # Page after page, each village's own code, in the order of the codes.
    assert pdf_codes(content, tmp_path) == [[f"http://testserver/portal/?place={v.code}"] for v in villages]


@needs_pdf
def test_a_village_pdf_with_an_open_consultation_is_still_one_page_with_both_codes(
    qiannan, personas, tmp_path
) -> None:
    item = open_consultation(personas)
    response = Client().get(f"/portal/poster/{VILLAGE}.pdf")
    assert response.status_code == 200
    assert pdf_pages(response.content) == 1
    assert "2027年政法工作意见建议征集" in pdf_text(response.content)
    assert pdf_codes(response.content, tmp_path) == [
        [
            f"http://testserver/portal/?place={VILLAGE}",
            f"http://testserver/portal/consultations/{item.pk}/?place={VILLAGE}",
        ]
    ]


def test_an_unknown_place_or_a_county_has_no_pdf(qiannan) -> None:
    assert Client().get("/portal/poster/522701999999.pdf").status_code == 404
    assert Client().get("/portal/poster/522701000000.pdf").status_code == 404
    assert Client().get("/portal/poster/.pdf").status_code == 404


@pytest.fixture
def renderings(monkeypatch) -> list[str]:
    """Counts the renderer's calls instead of rendering (the PDF's bytes are a stand-in)."""
    calls: list[str] = []

    def fake(html: str) -> bytes:
        calls.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr("portal.exports.html_to_pdf", fake)
    return calls


def test_a_pdf_is_made_once_a_day_and_again_when_a_consultation_opens(qiannan, personas, renderings) -> None:
    with time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UTC), tick=False):
        for _ in range(3):
            assert Client().get(f"/portal/poster/{TOWNSHIP}.pdf").content == b"%PDF-1.7 stand-in"
        assert (
            len(renderings) == 1
            and "<svg"
            in base64.b64decode(
                re.search(r"data:image/svg\+xml;base64,([^\"]+)", renderings[0]).group(1)  # type: ignore[union-attr]
            ).decode()
        )
        open_consultation(personas)
        Client().get(f"/portal/poster/{TOWNSHIP}.pdf")
        assert len(renderings) == 2 and "2027年政法工作意见建议征集" in renderings[1]
        assert "poster-tools" not in renderings[1]  # the download links are not printed
    with time_machine.travel(datetime(2027, 3, 2, 9, tzinfo=UTC), tick=False):
        Client().get(f"/portal/poster/{TOWNSHIP}.pdf")
    assert len(renderings) == 3


def test_renderings_from_one_address_are_limited_but_made_pdfs_still_download(
    qiannan, renderings, settings
) -> None:
    settings.PORTAL_LIMITS = {"poster_pdf_ip_hour": (2, 3600)}
    client = Client()
    assert client.get(f"/portal/poster/{TOWNSHIP}.pdf").status_code == 200
    assert client.get(f"/portal/poster/{VILLAGE}.pdf").status_code == 200
    refused = client.get("/portal/poster/522701002000.pdf")
    assert refused.status_code == 429 and "生成PDF过于频繁" in refused.content.decode()
    assert client.get(f"/portal/poster/{TOWNSHIP}.pdf").status_code == 200
    assert len(renderings) == 2


def test_without_pango_the_pdf_is_refused_plainly_and_the_page_still_prints(qiannan, monkeypatch) -> None:
    monkeypatch.setattr("core.pdf.pdf_available", lambda: False)
    response = Client().get(f"/portal/poster/{TOWNSHIP}.pdf")
    assert response.status_code == 503 and "请打开网页版直接打印" in response.content.decode()
    assert Client().get(f"/portal/poster/{TOWNSHIP}").status_code == 200


def test_the_page_links_to_the_whole_township_pdf(qiannan) -> None:
    village = Client().get(f"/portal/poster/{VILLAGE}").content.decode()
    assert re.search(
        rf'data-testid="poster-pdf" href="/portal/poster/{TOWNSHIP}\.pdf"|'
        rf'href="/portal/poster/{TOWNSHIP}\.pdf" data-testid="poster-pdf"',
        village,
    )
    assert f'href="/portal/poster/{VILLAGE}.pdf"' in village
    township = Client().get(f"/portal/poster/{TOWNSHIP}").content.decode()
    assert f'href="/portal/poster/{TOWNSHIP}.pdf"' in township
    assert township.count('.pdf"') == 1  # no "this village" link on a township's page


def test_a_pdf_being_made_is_waited_for_not_made_twice(renderings, monkeypatch) -> None:
    from django.core.cache import cache

    from portal import exports

    key = exports.poster_pdf_key(code=VILLAGE, facts=["广惠社区"])
    cache.set(f"{key}:making", 1, 30)  # another request is rendering it
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # ... and finishes while this one waits
        waits.append(seconds)
        cache.set(key, b"%PDF-1.7 made by the other request", 60)

    monkeypatch.setattr(exports.time, "sleep", sleep)
    made = exports.posters_pdf(code=VILLAGE, facts=["广惠社区"], html=lambda: "<p>x</p>", ip="10.0.0.1")
    assert made == b"%PDF-1.7 made by the other request"
    assert renderings == [] and waits == [0.25]
    # Nobody making it: this request makes it, and lets go of the mark.
    cache.clear()
    assert exports.posters_pdf(code=VILLAGE, facts=["广惠社区"], html=lambda: "<p>x</p>", ip="10.0.0.1")
    assert renderings == ["<p>x</p>"] and cache.get(f"{key}:making") is None and waits == [0.25]
