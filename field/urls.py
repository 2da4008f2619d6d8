from django.urls import path

from field import views

app_name = "field"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("csrf", views.csrf, name="csrf"),
]
