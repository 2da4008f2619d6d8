from django.http import HttpRequest

from org.permissions import user_scope
from org.selectors import user_memberships


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's units and roles, shown in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": user_memberships(user),
        "my_scope": user_scope(user),
    }
