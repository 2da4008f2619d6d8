from django.urls import path
from django.views.i18n import JavaScriptCatalog

from field import views

app_name = "field"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("csrf", views.csrf, name="csrf"),
    # The app's texts, inside the service worker's scope so that it keeps them for offline use. Naming
    # the field app (which has no locale folder) keeps the catalog to LOCALE_PATHS, without the admin's.
    path("jsi18n.js", JavaScriptCatalog.as_view(packages=["field"]), name="jsi18n"),
]
