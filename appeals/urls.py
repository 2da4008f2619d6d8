from django.urls import path

from appeals import views

app_name = "appeals"

urlpatterns = [
    path("appeals/", views.appeal_list, name="list"),
    path("appeals/dispatch/", views.dispatch_queue, name="dispatch"),
    path("appeals/unit/", views.unit_queue, name="unit"),
    path("appeals/new/", views.register, name="new"),
    path("appeals/<int:appeal_id>/", views.appeal_detail, name="detail"),
    path("appeals/<int:appeal_id>/registered/", views.registered, name="registered"),
    path("appeals/<int:appeal_id>/reveal/", views.reveal_reporter, name="reveal"),
    path("appeals/<int:appeal_id>/<slug:action>/", views.appeal_action, name="action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
