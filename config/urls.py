"""The URL assembly: each app under its own prefix, the API, the admin; old addresses redirect to the new."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpResponseBase
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config.api import api, openapi_json
from config.home import home
from core.views import api_not_found, healthz
from portal.urls import open311_patterns


def moved(to: str) -> Callable[..., HttpResponseBase]:
    """A bookmark of an address that moved: a permanent redirect keeping the query string."""
    view: Any = RedirectView.as_view(url=to, permanent=True, query_string=True)
    return view


urlpatterns = [
    # Served ahead of ninja's own view of the same path, which escapes Chinese; its URL name stays for the docs.
    path("api/v1/openapi.json", openapi_json),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/.*$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),
    path("accounts/", include("org.urls")),
    path("appeals/", include("appeals.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("insights/", include("insights.urls")),
    path("oversight/", include("oversight.urls")),
    path("portal/", include("portal.urls")),
    path("open311/v2/", include((open311_patterns, "open311"))),
    path("m/", include("field.urls")),
    # Addresses from before each app had its own prefix (bookmarks, links in exported files).
    path("notifications/", moved("/appeals/notifications/")),
    path("visits/", moved("/campaigns/visits/")),
    path("visits/<int:visit_id>/", moved("/campaigns/visits/%(visit_id)s/")),
    path("visits/photos/<uuid:photo_uuid>.jpg", moved("/campaigns/visits/photos/%(photo_uuid)s.jpg")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
