"""Periodic jobs of the insights app: the counters follow the events and visits."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from insights.services import counters_refresh

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("refresh-counters")
def refresh_counters_task() -> None:
    """Every five minutes: fold the new events and visits into the dashboards' counters."""
    result = counters_refresh()
    logger.info("counters: %d events, %d visits folded in", result.events, result.visits)


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("refresh-counters")
def rebuild_counters_task() -> None:
    """Every night: rebuild the counters from scratch, so no drift can outlive a day."""
    result = counters_refresh(full=True)
    logger.info("counters rebuilt: %d events, %d visits", result.events, result.visits)
