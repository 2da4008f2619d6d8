"""QR posters for village notice boards: /portal/poster/<village code> (one A4 page) or <township code> (every
village of the township, one page each, for the township office to print in one go), and the same pages as one
PDF made on the server (/portal/poster/<code>.pdf)."""

import base64
import itertools
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from core.audit import client_ip
from core.errors import NotFound
from core.pdf import pdf_response
from core.web import url_with_query
from geo.models import Region
from portal.exports import posters_pdf
from portal.selectors import consultation_open_at, poster_places, region_label


def submit_url(request: HttpRequest, code: str) -> str:
    """The form's public address with the village filled in: what the poster's QR code holds."""
    return _public(request, url_with_query(reverse("portal:submit"), place=code))


def _public(request: HttpRequest, path: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _png(qr: segno.QRCode, scale: int) -> str:
    return qr.png_data_uri(scale=scale, border=2)


def _svg(qr: segno.QRCode, scale: int) -> str:
    """The code as a vector image, sharp at any print size (its CSS box sets the size).

    One filled path of each row's dark runs, not segno's stroked lines: a PDF viewer anti-aliases stroked rows
    each on its own, which leaves hairline seams between them at some zoom levels; a single filled path has
    none."""
    size = qr.symbol_size(border=2)[0]
    runs = []
    for y, row in enumerate(qr.matrix_iter(border=2)):
        x = 0
        for dark, group in itertools.groupby(row):
            n = len(list(group))
            if dark:
                runs.append(f"M{x} {y}h{n}v1h-{n}z")
            x += n
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _places(code: str) -> list[Region]:
    places = poster_places(code)
    if not places:
        raise NotFound("没有这个村（社区）或乡镇（街道）")
    return places


def _sheets(request: HttpRequest, places: list[Region]) -> list[dict[str, Any]]:
    """What each village's page says, without its QR images (which take 35 ms each to make)."""
    sheets = []
    for region in places:
        consultation = consultation_open_at(region.code)
        consultation_url = ""
        if consultation is not None:
            path = url_with_query(reverse("portal:consultation", args=[consultation.pk]), place=region.code)
            consultation_url = _public(request, path)
        sheets.append(
            {
                "region": region,
                "label": region_label(region),
                "url": submit_url(request, region.code),
                "consultation": consultation,
                "consultation_url": consultation_url,
            }
        )
    return sheets


def _with_codes(
    sheets: list[dict[str, Any]], image: Callable[[segno.QRCode, int], str]
) -> list[dict[str, Any]]:
    for sheet in sheets:
        sheet["qr"] = image(segno.make(sheet["url"], error="m"), 10)
        if sheet["consultation_url"]:
            sheet["consultation_qr"] = image(segno.make(sheet["consultation_url"], error="m"), 6)
    return sheets


def _facts(sheets: list[dict[str, Any]]) -> list[Any]:
    """Everything a PDF's pages depend on, besides the template and its CSS (portal.exports.posters_pdf)."""
    facts: list[Any] = [settings.PORTAL_HOTLINE, get_language()]
    for sheet in sheets:
        item = sheet["consultation"]
        when = (item.title, item.starts.isoformat(), item.ends.isoformat()) if item else None
        facts.append([sheet["label"], sheet["url"], sheet["consultation_url"], when])
    return facts


def _township_code(code: str, places: list[Region]) -> str:
    """The township of the page: the code itself, or the village's township."""
    return str(places[0].parent_id) if places[0].code == code else code


@require_GET
def poster(request: HttpRequest, code: str) -> HttpResponse:
    places = _places(code)
    context: dict[str, Any] = {
        "sheets": _with_codes(_sheets(request, places), _png),
        "hotline": settings.PORTAL_HOTLINE,
    }
    context["township_pdf"] = reverse("portal:poster_pdf", args=[_township_code(code, places)])
    context["village_pdf"] = reverse("portal:poster_pdf", args=[code]) if places[0].code == code else ""
    return render(request, "portal/poster.html", context)


@require_GET
def poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    places = _places(code)
    sheets = _sheets(request, places)

    def html() -> str:
        context = {"sheets": _with_codes(sheets, _svg), "hotline": settings.PORTAL_HOTLINE, "pdf": True}
        return render_to_string("portal/poster.html", context)

    content = posters_pdf(code=code, facts=_facts(sheets), html=html, ip=client_ip(request))
    place = places[0] if places[0].code == code else (places[0].parent or places[0])
    return pdf_response(content, filename=f"二维码海报-{region_label(place)}.pdf")
