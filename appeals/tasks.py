"""Periodic jobs of the appeals app."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from appeals.services import sweep_deadlines

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("sweep-deadlines")
def sweep_deadlines_task() -> None:
    """Every five minutes: urge items at their deadline, escalate those past the grace period."""
    result = sweep_deadlines()
    logger.info("deadline sweep: %d urged, %d escalated", result.urged, result.escalated)
