from django.urls import path

from oversight.views import interviews, practices, rectifications

app_name = "oversight"

urlpatterns: list = [
    path("oversight/interviews/", interviews.interviews, name="interviews"),
    path("oversight/interviews/export.xlsx", interviews.interviews_export, name="interviews-export"),
    path("oversight/interviews/new/", interviews.interview_new, name="interview-new"),
    path("oversight/interviews/<int:interview_id>/", interviews.interview_detail, name="interview"),
    path(
        "oversight/interviews/<int:interview_id>/<slug:action>/",
        interviews.interview_action,
        name="interview-action",
    ),
    path("oversight/rectifications/", rectifications.rectifications, name="rectifications"),
    path(
        "oversight/rectifications/export.xlsx",
        rectifications.rectifications_export,
        name="rectifications-export",
    ),
    path("oversight/rectifications/new/", rectifications.rectification_new, name="rectification-new"),
    path(
        "oversight/rectifications/<int:item_id>/", rectifications.rectification_detail, name="rectification"
    ),
    path(
        "oversight/rectifications/<int:item_id>/<slug:action>/",
        rectifications.rectification_action,
        name="rectification-action",
    ),
    path("oversight/practices/", practices.practices, name="practices"),
    path("oversight/practices/export.xlsx", practices.practices_export, name="practices-export"),
    path("oversight/practices/new/", practices.practice_new, name="practice-new"),
    path("oversight/practices/<int:practice_id>/", practices.practice_detail, name="practice"),
    path("oversight/practices/<int:practice_id>/edit/", practices.practice_edit_page, name="practice-edit"),
    path(
        "oversight/practices/<int:practice_id>/<slug:action>/",
        practices.practice_action,
        name="practice-action",
    ),
]
