"""QR posters for village notice boards: /portal/poster/<village code> (one A4 page) or <township code> (every
village of the township, one page each, for the township office to print or save as PDF in one go)."""

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.errors import NotFound
from core.web import url_with_query
from portal.selectors import consultation_open_at, poster_places, region_label


def submit_url(request: HttpRequest, code: str) -> str:
    """The form's public address with the village filled in: what the poster's QR code holds."""
    return _public(request, url_with_query(reverse("portal:submit"), place=code))


def _public(request: HttpRequest, path: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_GET
def poster(request: HttpRequest, code: str) -> HttpResponse:
    places = poster_places(code)
    if not places:
        raise NotFound("没有这个村（社区）或乡镇（街道）")
    sheets = []
    for region in places:
        url = submit_url(request, region.code)
        qr = segno.make(url, error="m")
        consultation = consultation_open_at(region.code)
        consultation_url = ""
        if consultation is not None:
            path = url_with_query(reverse("portal:consultation", args=[consultation.pk]), place=region.code)
            consultation_url = _public(request, path)
        sheets.append(
            {
                "region": region,
                "label": region_label(region),
                "url": url,
                "qr": qr.png_data_uri(scale=10, border=2),
                "consultation": consultation,
                "consultation_url": consultation_url,
                "consultation_qr": segno.make(consultation_url, error="m").png_data_uri(scale=6, border=2)
                if consultation_url
                else "",
            }
        )
    return render(request, "portal/poster.html", {"sheets": sheets, "hotline": settings.PORTAL_HOTLINE})
