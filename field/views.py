"""The offline field app at /m/ (DESIGN §7): one shell page, its service worker and its web manifest.

The shell holds no data of its own; its script (field/static/field/main.js and the modules it imports)
reads places (the cadre's own 包保 first, from /api/v1/me/places), categories and the consultations (征集)
open at those places (/api/v1/me/consultations) from the API, keeps them, the outbox of unsent visits, their
photos (shrunk to JPEG on the phone) and the consultation answers heard in IndexedDB, sends the outbox to
POST /api/v1/visits/batch, the answers to POST /api/v1/consultations/answers/batch, and then each photo of a
visit that has arrived to POST /api/v1/visits/{uuid}/photos, retrying until it arrives. Its texts come from the JavaScript catalog at
/m/jsi18n.js (locale/*/LC_MESSAGES/djangojs.po).
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from appeals.models import AppealKind, RiskColour
from core.api import error_json

# What the service worker stores on install so the shell opens with no network: every module of the
# app (the page loads main.js, which imports the others), its stylesheet and its icons.
SHELL_ASSETS = (
    "field/main.js",
    "field/i18n.js",
    "field/ui.js",
    "field/db.js",
    "field/net.js",
    "field/places.js",
    "field/location.js",
    "field/photos.js",
    "field/form.js",
    "field/consult.js",
    "field/outbox.js",
    "field/uploads.js",
    "field/sync.js",
    "field/app.css",
    "field/icon.svg",
    "field/icon-192.png",
    "field/icon-512.png",
)


@login_required
@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "field/app.html",
        {"kinds": AppealKind.choices, "risk_colours": RiskColour.choices},
    )


@never_cache
@require_GET
def csrf(request: HttpRequest) -> HttpResponse:
    """A fresh CSRF token for a shell that the service worker served from its cache, and whose it is: a shell
    cached for one cadre must not send its outbox under another cadre's session."""
    if not request.user.is_authenticated:
        return error_json(status=401, code="not_authenticated", message="请先登录", details={})
    return JsonResponse({"token": get_token(request), "username": request.user.get_username()})


def _read_static(name: str) -> bytes:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(str(found)).read_bytes()


def _catalogs() -> list[Path]:
    """The compiled translations of the app's texts, which the catalog at /m/jsi18n.js serves."""
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/djangojs.mo")
    )


def _precache() -> list[str]:
    return [
        reverse("field:shell"),
        reverse("field:manifest"),
        reverse("field:jsi18n"),
        *(static(name) for name in SHELL_ASSETS),
    ]


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script, prefixed with what it caches, the catalog's URL and a version that changes with
    any of those files.

    Served from /m/ rather than /static/ so its scope is the field app; never cached, so a new release
    reaches phones on their next visit.
    """
    urls = _precache()
    body = _read_static("field/sw.js")
    digest = hashlib.sha256(body)
    for url in urls:
        digest.update(url.encode())
    for name in SHELL_ASSETS:
        digest.update(_read_static(name))
    for catalog in _catalogs():
        digest.update(catalog.read_bytes())
    # A new shell template must reach phones too, so its source is part of the version.
    digest.update((Path(__file__).parent / "templates" / "field" / "app.html").read_bytes())
    prefix = (
        f"const ZF_VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
        f"const ZF_PRECACHE = {json.dumps(urls)};\n"
        f"const ZF_CATALOG = {json.dumps(reverse('field:jsi18n'))};\n"
    )
    response = HttpResponse(prefix.encode() + body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:shell")
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "大走访",
        "short_name": "大走访",
        "description": "大走访外出走访记录：离线登记走访和群众诉求，联网后自动上报。",
        "lang": "zh-CN",
        "start_url": reverse("field:shell"),
        "scope": reverse("field:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f6f8",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )
