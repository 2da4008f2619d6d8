"""HTML pages of the appeals app. Thin: objects come through `access_*`, changes through the services."""

from appeals.views.appeal import appeal_action, appeal_detail, reveal_reporter
from appeals.views.lists import appeal_list
from appeals.views.notifications import notifications, notifications_read
from appeals.views.queues import dispatch_queue, unit_queue
from appeals.views.register import register, registered
from appeals.views.risks import risks

__all__ = [
    "appeal_action",
    "appeal_detail",
    "appeal_list",
    "dispatch_queue",
    "notifications",
    "notifications_read",
    "register",
    "registered",
    "reveal_reporter",
    "risks",
    "unit_queue",
]
