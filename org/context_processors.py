from django.http import HttpRequest

from org.models import Role
from org.permissions import user_scope
from org.selectors import user_memberships


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's units and roles, shown in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user_scope(user)
    return {
        "my_memberships": user_memberships(user),
        "my_scope": scope,
        # Oversight (DESIGN §1): leaders, supervisors, admins and the command centre's dispatchers watch the
        # dashboards and rankings; notices and the decision report are for leaders, supervisors and admins.
        "nav_dashboard": scope.holds(Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER),
        "nav_rankings": scope.holds(
            Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER, Role.UNIT_HEAD, Role.HANDLER
        ),
        "nav_notices": scope.holds(Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD),
        "nav_report": scope.holds(Role.LEADER, Role.SUPERVISOR, Role.ADMIN),
    }
