from django.urls import path

from insights import views_report

app_name = "report"

urlpatterns = [
    path("insights/report/", views_report.report_form, name="form"),
    path("insights/report/view/", views_report.report_view, name="view"),
    path("insights/report/docx", views_report.report_docx, name="docx"),
]
