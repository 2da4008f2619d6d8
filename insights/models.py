"""Pre-aggregated counters (DESIGN §9): what the metrics, dashboards and rankings sum instead of scanning millions
of events and visits.

They are derived data, rebuilt from the events and visits by `insights.services.counters_refresh`, which a huey
task runs every few minutes and `manage.py refresh_counters` runs on demand; `CounterState` records how far the
rebuild has read and when, so every page can say how fresh its numbers are. The visitors' tallies that campaign
progress sums are not here: the visit service keeps them current in the visit's own transaction
(campaigns.models.VisitTally).

An *area* is the appeal's region code cut to its township (a county- or prefecture-level region keeps its own
code): the finest level the counters answer. A day is an Asia/Shanghai date.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appeals.models import AppealKind, AppealStatus


class EventCounts(models.Model):
    """The counts behind the rates of DESIGN §6 (see insights.selectors.metrics.DEFINITIONS), for one day.

    Each count sits on the day of the event it counts; `accepted_on_time` sits on its assignment's day."""

    day = models.DateField(_("day"))
    registered = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)
    accepted_on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_on_site = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    callbacks = models.PositiveIntegerField(default=0)
    callbacks_solved = models.PositiveIntegerField(default=0)
    callbacks_rated = models.PositiveIntegerField(default=0)
    callbacks_satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


COUNT_FIELDS = (
    "registered",
    "assigned",
    "accepted_on_time",
    "returned",
    "resolved",
    "resolved_on_time",
    "resolved_on_site",
    "reopened",
    "callbacks",
    "callbacks_solved",
    "callbacks_rated",
    "callbacks_satisfied",
)


class AreaDay(EventCounts):
    """The appeal events of one day in one area (township), whoever did them: the region view."""

    area = models.CharField(_("area"), max_length=12)

    class Meta:
        verbose_name = _("area day")
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="areaday_day_area")]
        # A county or township over a period: the area range first, then the days.
        indexes = [models.Index(fields=["area", "day"], name="areaday_area_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.area}"


class UnitDay(EventCounts):
    """The appeal events of one day attributed to one unit (the lead unit for an assignment, a resolution or a
    reopening, the acting unit for a return; a callback and a registration count for the appeal's lead unit)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("unit day")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="unitday_unit_day")]
        indexes = [models.Index(fields=["day"], name="unitday_day")]

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id}"


class DisputeSpan(models.Model):
    """One dispute's registration and one span during which it stood resolved ([resolved_on, reopened_on)), or
    no span yet (resolved_on null). 化解率 asks, for disputes registered in a period, which stood resolved at its
    end and were not merged by then: day-exact, because a period ends at midnight."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    registered_on = models.DateField()
    area = models.CharField(max_length=12)
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    merged_on = models.DateField(null=True)
    resolved_on = models.DateField(null=True)
    reopened_on = models.DateField(null=True)

    class Meta:
        verbose_name = _("dispute span")
        indexes = [
            models.Index(fields=["registered_on", "area"], name="dispute_span_registered"),
            models.Index(fields=["appeal"], name="dispute_span_appeal"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.appeal_id} {self.resolved_on or '-'}"


class DisputeDay(models.Model):
    """Disputes registered on a day in an area for a lead unit, as they stand now: those not merged (`disputes`)
    and, of those, the ones standing resolved (`resolved`). For a period that runs to today 化解率 asks exactly
    these sums (nothing has happened after its end), so it reads a few rows a day instead of a row per dispute;
    a period that ended earlier asks DisputeSpan. A day's rows are rebuilt from its spans whenever one of that
    day's appeals has a new event, like AppealDay's."""

    day = models.DateField()
    area = models.CharField(max_length=12)
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    disputes = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dispute day")
        indexes = [
            models.Index(fields=["day", "area"], name="disputeday_day_area"),
            models.Index(fields=["unit", "day"], name="disputeday_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area} {self.unit_id}"


class AppealDay(models.Model):
    """Appeals registered on a day in a county (a prefecture-level appeal keeps its own code), by kind, current
    status and risk colour: the dashboard's breakdowns. A day's rows are rebuilt whenever one of that day's
    appeals has a new event (a change of status always writes one)."""

    day = models.DateField()
    county = models.CharField(max_length=12)
    # The appeal's own choices: Django's system check then holds max_length to the longest value (a status
    # longer than the column, awaiting_approval, broke the rebuild on PostgreSQL).
    kind = models.CharField(max_length=16, choices=AppealKind.choices)
    status = models.CharField(max_length=20, choices=AppealStatus.choices)
    risk_colour = models.CharField(max_length=8, blank=True)
    appeals = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("appeal day")
        indexes = [models.Index(fields=["day", "county"], name="appealday_day_county")]

    def __str__(self) -> str:
        return f"{self.day} {self.county} {self.kind} {self.status}"


class CategoryDay(models.Model):
    """Appeals registered on a day in an area, by category: hot categories and the township heat table."""

    day = models.DateField()
    area = models.CharField(max_length=12)
    category = models.ForeignKey("appeals.Category", null=True, on_delete=models.CASCADE, related_name="+")
    appeals = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("category day")
        indexes = [models.Index(fields=["day", "area"], name="categoryday_day_area")]

    def __str__(self) -> str:
        return f"{self.day} {self.area} {self.category_id}"


class CategoryMonth(models.Model):
    """CategoryDay summed by calendar month (`month` is the month's first day): a year of a prefecture's
    categories is some twenty thousand rows instead of three hundred thousand. A month's rows are rebuilt from
    CategoryDay whenever one of its days is."""

    month = models.DateField()
    area = models.CharField(max_length=12)
    category = models.ForeignKey("appeals.Category", null=True, on_delete=models.CASCADE, related_name="+")
    appeals = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("category month")
        indexes = [models.Index(fields=["month", "area"], name="categorymonth_month_area")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area} {self.category_id}"


class VisitDay(models.Model):
    """Visits started on a day in an area (their place's township): weekly trends and totals."""

    day = models.DateField()
    area = models.CharField(max_length=12)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    visits = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("visit day")
        constraints = [
            models.UniqueConstraint(fields=["day", "area", "campaign"], name="visitday_day_area_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area}"


# The name of the one CounterState row the refresh keeps.
COUNTER_STATE = "default"


class CounterState(models.Model):
    """How far the counters have read: the last appeal event and visit folded in, and when."""

    name = models.CharField(max_length=32, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    last_visit_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at}"


class ScoreWeight(models.Model):
    """A metric's weight in a league's composite score and its minimum sample (DESIGN §6: a rate counts only when
    its denominator reaches it); a metric without a row keeps the defaults of insights.selectors.rankings."""

    league = models.CharField(_("league"), max_length=16)
    metric = models.CharField(_("metric"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=1)
    min_sample = models.PositiveSmallIntegerField(_("minimum sample"), default=5)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score weight")
        constraints = [
            models.UniqueConstraint(fields=["league", "metric"], name="scoreweight_league_metric"),
            models.CheckConstraint(
                condition=models.Q(min_sample__gte=1), name="scoreweight_min_sample_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.league} {self.metric} {self.weight}"


class HotRun(models.Model):
    """One clustering of one county's appeals by text (insights.services.hot): those registered in the period
    [starts, ends) and in the window before it [before, starts) that growth and surges compare with.

    `signature` is what the appeals read looked like (their count and last id): a run whose county has had an
    appeal registered, or removed, since is recomputed when next asked for."""

    county = models.CharField(_("county"), max_length=12)
    before = models.DateField()
    starts = models.DateField()
    ends = models.DateField()
    signature = models.CharField(max_length=64)
    appeals = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("hot-issue run")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "before", "starts", "ends"], name="hotrun_county_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.starts}–{self.ends}"


class HotCluster(models.Model):
    """Appeals of one run that tell one problem, named by their own words."""

    run = models.ForeignKey(HotRun, on_delete=models.CASCADE, related_name="clusters")
    place = models.CharField(_("place"), max_length=12)  # the township all members lie in, else the county
    title = models.CharField(_("title"), max_length=200)  # the representative member's title, redacted
    phrases = models.CharField(_("key phrases"), max_length=200)  # space-separated
    place_words = models.CharField(max_length=100, blank=True)
    appeals = models.PositiveIntegerField(default=0)  # members registered in the period
    previous = models.PositiveIntegerField(default=0)  # members registered in the window before it

    class Meta:
        verbose_name = _("hot-issue cluster")

    def __str__(self) -> str:
        return self.title


class HotMember(models.Model):
    """One appeal of a cluster; `position` 0 is the representative, then by closeness to the centroid."""

    cluster = models.ForeignKey(HotCluster, on_delete=models.CASCADE, related_name="members")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    current = models.BooleanField()  # registered in the period, not in the window before it

    class Meta:
        verbose_name = _("hot-issue member")
        constraints = [models.UniqueConstraint(fields=["cluster", "appeal"], name="hotmember_cluster_appeal")]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.appeal_id}"


class SurgeAlert(models.Model):
    """A weekly surge alert sent (insights.services.surge): one per week, township and subject, so that a second
    run of the job sends nothing twice."""

    week = models.DateField()  # the Monday the week begins
    township = models.CharField(max_length=12)
    subject = models.CharField(max_length=80)  # "category:<code>" or "cluster:<representative appeal code>"
    count = models.PositiveIntegerField()
    expected = models.FloatField()  # the mean of the 4 weeks before
    p_value = models.FloatField()
    message = models.CharField(max_length=300)
    sent_to = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("surge alert")
        constraints = [
            models.UniqueConstraint(fields=["week", "township", "subject"], name="surgealert_week_subject")
        ]

    def __str__(self) -> str:
        return self.message
