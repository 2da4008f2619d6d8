from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("county/<str:code>/", views.county, name="county"),
    path("township/<str:code>/", views.township, name="township"),
    path("unit/<int:unit_id>/", views.unit, name="unit"),
    path("rankings/", views.ranking_page, name="rankings"),
    path("rankings/weights/", views.weights_save, name="weights"),
    path("report/", views.report_form, name="report"),
    path("report/view/", views.report_view, name="report-view"),
    path("report/docx", views.report_docx, name="report-docx"),
]
