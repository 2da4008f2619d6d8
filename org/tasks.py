"""Periodic jobs of the org app."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from org.services import tokens_purge

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"))
def purge_expired_tokens() -> int:
    """Hourly: drop API tokens that expired or were revoked more than a week ago."""
    deleted = tokens_purge()
    logger.info("purged %d expired API tokens", deleted)
    return deleted
