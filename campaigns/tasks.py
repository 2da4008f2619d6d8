"""Periodic jobs of the campaigns app."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from campaigns.services import visits_flag

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
@lock_task("flag-visits")
def flag_visits_task() -> None:
    """Every ten minutes: the plausibility checks on the visits that arrived since the last run."""
    logger.info("plausibility checks: %d flags added", visits_flag())
