from django.urls import path

from appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("dispatch/", views.dispatch_queue, name="dispatch"),
    path("unit/", views.unit_queue, name="unit"),
    path("new/", views.register, name="new"),
    path("risks/", views.risks, name="risks"),
    path("<int:appeal_id>/", views.appeal_detail, name="detail"),
    path("<int:appeal_id>/registered/", views.registered, name="registered"),
    path("<int:appeal_id>/reveal/", views.reveal_reporter, name="reveal"),
    path("<int:appeal_id>/<slug:action>/", views.appeal_action, name="action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
