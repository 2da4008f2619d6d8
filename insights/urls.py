from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.overview, name="overview"),
    path("insights/county/<str:code>/", views.county, name="county"),
    path("insights/township/<str:code>/", views.township, name="township"),
    path("insights/unit/<int:unit_id>/", views.unit, name="unit"),
]
