"""In-app notifications: the list and the unread badge's "mark all read"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from appeals.models import Notification
from appeals.services.notify import notifications_mark_read
from core.web import keyset_page, query_string, request_user


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first."""
    user = request_user(request)
    queryset = Notification.objects.filter(user=user).select_related("appeal")
    page = keyset_page(request, queryset, ("-created_at", "-id"))
    context = {
        "items": page.items,
        "next_url": query_string(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": reverse("appeals:notifications") if request.GET.get("cursor") else None,
    }
    return render(request, "appeals/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications read; only the user's own rows, and only their read time."""
    notifications_mark_read(user_id=request_user(request).pk, every=True)
    messages.success(request, _("All notifications are marked read."))
    return redirect("appeals:notifications")
