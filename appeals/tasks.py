"""Periodic jobs of the appeals app."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from appeals.services import sweep_deadlines, text_models_retrain

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("sweep-deadlines")
def sweep_deadlines_task() -> None:
    """Every five minutes: urge items at their deadline, escalate those past the grace period."""
    result = sweep_deadlines()
    logger.info("deadline sweep: %d urged, %d escalated", result.urged, result.escalated)


@db_periodic_task(crontab(hour="2", minute="40"))
@lock_task("retrain-text-models")
def retrain_text_models_task() -> None:
    """Every night: retrain the category and lead-unit models on the closed appeals when enough are new."""
    for result in text_models_retrain():
        logger.info(
            "text model %s: %s on %d appeals %s",
            result.name,
            "trained" if result.trained else "kept",
            result.n,
            result.evaluation or result.reason,
        )
