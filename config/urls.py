from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api
from core.views import api_not_found, healthz, openapi_json

urlpatterns = [
    # Served ahead of ninja's own view of the same path, which escapes Chinese; its URL name stays for the docs.
    path("api/v1/openapi.json", openapi_json),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/.*$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("m/", include("field.urls")),
    path("", include("org.urls")),
    path("", include("appeals.urls")),
    path("", include("campaigns.urls")),
    path("", include("oversight.urls")),
    path("", include("insights.urls_report")),
    path("", include("insights.urls_rankings")),
    path("", include("insights.urls")),
    path("", include("oversight.urls_notices")),
]
