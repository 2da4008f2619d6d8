from django.urls import path

from insights import views_rankings

app_name = "rankings"

urlpatterns = [
    path("insights/rankings/", views_rankings.ranking_page, name="rankings"),
    path("insights/rankings/weights/", views_rankings.weights_save, name="weights"),
]
