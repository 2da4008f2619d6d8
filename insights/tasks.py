"""Periodic jobs of the insights app: the counters follow the events and visits, the hot-issue clusters follow
the appeals, and the weekly surge alerts go out."""

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from core.period import Period
from insights.services import counters_refresh
from insights.services.hot import hot_runs_refresh
from insights.services.surge import surge_alerts_send, week_of

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


@db_periodic_task(crontab(minute="41"))
@lock_task("refresh-hot-issues")
def refresh_hot_issues_task() -> None:
    """Every hour: cluster the appeals of this month and of the last complete month again where they changed."""
    today = timezone.localdate()
    this_month = Period(starts=today.replace(day=1), ends=today + timedelta(days=1))
    last_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last_month = Period(starts=last_start, ends=today.replace(day=1))
    recomputed = hot_runs_refresh(period=this_month) + hot_runs_refresh(period=last_month)
    logger.info("hot issues: %d county runs recomputed", recomputed)


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="30"))
@lock_task("surge-alerts")
def surge_alerts_task() -> None:
    """Every Monday morning: alert the county supervisors of last week's surges (insights.services.surge)."""
    last_week = week_of(timezone.localdate()) - timedelta(days=7)
    alerts = surge_alerts_send(week_starts=last_week)
    logger.info("surge alerts: %d sent for the week of %s", len(alerts), last_week)
