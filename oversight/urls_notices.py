from django.urls import path

from oversight.views import notices

app_name = "notices"

urlpatterns: list = [
    path("oversight/notices/", notices.notices, name="list"),
    path("oversight/notices/export.xlsx", notices.notices_export, name="export"),
    path("oversight/notices/new/", notices.notice_new, name="new"),
    path("oversight/notices/<int:notice_id>/", notices.notice_detail, name="detail"),
    path("oversight/notices/<int:notice_id>/publish/", notices.notice_publish_view, name="publish"),
    path("oversight/notices/<int:notice_id>/docx", notices.notice_docx_view, name="docx"),
]
