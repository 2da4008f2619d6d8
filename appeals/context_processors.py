from django.http import HttpRequest

from appeals.selectors import unread_count
from org.models import Role
from org.permissions import user_scope


def appeals_navigation(request: HttpRequest) -> dict[str, object]:
    """The appeal pages the signed-in user's roles open, and their unread notifications, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user_scope(user)

    return {
        "unread_notifications": unread_count(user.pk),
        "nav_dispatch": scope.holds(Role.DISPATCHER),
        "nav_unit_queue": scope.holds(Role.HANDLER, Role.UNIT_HEAD),
        "nav_register": scope.holds(Role.DISPATCHER, Role.VISITOR, Role.HANDLER),
    }
