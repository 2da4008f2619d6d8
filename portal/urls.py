"""The citizen portal under /portal/ (namespace `portal`) and Open311 GeoReport v2 under /open311/v2/
(namespace `open311`): `config/urls.py` mounts `urlpatterns` and `open311_patterns`."""

from django.urls import path, re_path

from portal.views import citizen, open311, posters, staff

app_name = "portal"

urlpatterns = [
    path("", citizen.submit, name="submit"),
    path("places", citizen.places, name="places"),
    path("track/", citizen.track, name="track"),
    path("track/rate", citizen.rate, name="rate"),
    path("photos/<uuid:photo_uuid>.jpg", citizen.photo, name="photo"),
    # Before "poster/<str:code>", which would take "<code>.pdf" for a code.
    path("poster/<str:code>.pdf", posters.poster_pdf, name="poster_pdf"),
    path("poster/<str:code>", posters.poster, name="poster"),
    path("consultations/", citizen.consultations, name="consultations"),
    path("consultations/<int:consultation_id>/", citizen.consultation, name="consultation"),
    path("consultations/<int:consultation_id>/answers", staff.answers, name="answers"),
    path("consultations/<int:consultation_id>/answers.xlsx", staff.answers_xlsx, name="answers_xlsx"),
    path(
        "consultations/<int:consultation_id>/answers/<int:answer_id>/adopt",
        staff.answer_adopt,
        name="answer_adopt",
    ),
    path("staff/consultations/", staff.consultations, name="staff_consultations"),
    path("staff/consultations/new", staff.consultation_new, name="staff_consultation_new"),
    path(
        "staff/consultations/<int:consultation_id>/edit",
        staff.consultation_edit_page,
        name="staff_consultation_edit",
    ),
    path(
        "staff/consultations/<int:consultation_id>/publish",
        staff.consultation_publish_page,
        name="staff_consultation_publish",
    ),
]

FMT = r"\.(?P<fmt>json|xml)$"
open311_patterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[\w.\-]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<code>[\w\-]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token_id>[\w\-]+)" + FMT, open311.token, name="token"),
]
