from django.urls import path

from oversight.views import interviews, notices, practices, rectifications

app_name = "oversight"

urlpatterns: list = [
    path("interviews/", interviews.interviews, name="interviews"),
    path("interviews/export.xlsx", interviews.interviews_export, name="interviews-export"),
    path("interviews/new/", interviews.interview_new, name="interview-new"),
    path("interviews/<int:interview_id>/", interviews.interview_detail, name="interview"),
    path(
        "interviews/<int:interview_id>/<slug:action>/",
        interviews.interview_action,
        name="interview-action",
    ),
    path("rectifications/", rectifications.rectifications, name="rectifications"),
    path(
        "rectifications/export.xlsx",
        rectifications.rectifications_export,
        name="rectifications-export",
    ),
    path("rectifications/new/", rectifications.rectification_new, name="rectification-new"),
    path("rectifications/<int:item_id>/", rectifications.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:item_id>/<slug:action>/",
        rectifications.rectification_action,
        name="rectification-action",
    ),
    path("practices/", practices.practices, name="practices"),
    path("practices/export.xlsx", practices.practices_export, name="practices-export"),
    path("practices/new/", practices.practice_new, name="practice-new"),
    path("practices/<int:practice_id>/", practices.practice_detail, name="practice"),
    path("practices/<int:practice_id>/edit/", practices.practice_edit_page, name="practice-edit"),
    path(
        "practices/<int:practice_id>/<slug:action>/",
        practices.practice_action,
        name="practice-action",
    ),
    path("notices/", notices.notices, name="notices"),
    path("notices/export.xlsx", notices.notices_export, name="notices-export"),
    path("notices/new/", notices.notice_new, name="notice-new"),
    path("notices/<int:notice_id>/", notices.notice_detail, name="notice"),
    path("notices/<int:notice_id>/publish/", notices.notice_publish_view, name="notice-publish"),
    path("notices/<int:notice_id>/docx", notices.notice_docx_view, name="notice-docx"),
]
