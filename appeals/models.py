from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BaseModel
from core.workcalendar import Clock


class Category(models.Model):
    """A two-level taxonomy of problems; the admin edits it. Level-1 rows have no parent."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The policy a new item of this category gets unless the dispatcher picks another.
    default_policy = models.ForeignKey(
        "DeadlinePolicy", verbose_name=_("default policy"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_campaign_theme = models.BooleanField(_("campaign theme"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class DeadlinePolicy(models.Model):
    """How long a unit has to sign for and to resolve an item, and how much extension it may get."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sign_amount = models.PositiveIntegerField(_("sign within"))
    sign_clock = models.CharField(_("sign clock"), max_length=16, choices=Clock.choices)
    resolve_amount = models.PositiveIntegerField(_("resolve within"))
    resolve_clock = models.CharField(_("resolve clock"), max_length=16, choices=Clock.choices)
    # 0 means no extension may be granted.
    extension_cap = models.PositiveIntegerField(_("extension cap"), default=0)
    extension_clock = models.CharField(
        _("extension clock"), max_length=16, choices=Clock.choices, default=Clock.WORKING_DAYS
    )
    # 审核: the lead handler's reply waits for the lead unit's head. An administrator may waive it for a policy
    # (马上就办 is the kind of policy that might); none waives it by default.
    reply_approval = models.BooleanField(
        _("replies need approval"),
        default=True,
        help_text=_(
            "The lead unit's head approves the reply to the citizen before the item counts as resolved."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """(category, region subtree) → the kinds of the lead unit and co-units; resolved by the appeal's region."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    # A code prefix ("" for everywhere, "522701" for 都匀市); the longest matching prefix wins.
    region_prefix = models.CharField(_("region prefix"), max_length=12, blank=True)
    lead_kind = models.CharField(_("lead unit kind"), max_length=32)
    co_kinds = models.JSONField(_("co-unit kinds"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category_id", "region_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region_prefix"], name="routing_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.region_prefix or '*'} → {self.lead_kind}"


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    # The lead handler's reply waits for the lead unit's head (DESIGN §5, 审核); its resolve clock has stopped.
    AWAITING_APPROVAL = "awaiting_approval", _("reply awaiting approval")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged")


class AppealKind(models.TextChoices):
    REQUEST = "request", _("request")
    DISPUTE = "dispute", _("dispute")
    SUGGESTION = "suggestion", _("suggestion")
    INQUIRY = "inquiry", _("inquiry")
    TIP = "tip", _("tip")


class AppealSource(models.TextChoices):
    VISIT = "visit", _("field visit")
    WALK_IN = "walk_in", _("in person")
    LETTER = "letter", _("letter")
    PHONE = "phone", pgettext_lazy("appeal source", "phone")
    WEB = "web", _("online")
    PORTAL = "portal", _("citizen portal")
    IMPORT = "import", _("import")


class RiskColour(models.TextChoices):
    RED = "red", _("red")
    ORANGE = "orange", _("orange")
    YELLOW = "yellow", _("yellow")
    BLUE = "blue", _("blue")


# Items a unit is still working on: their clocks run, the sweep watches them.
ACTIVE_STATUSES = (AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS)
# A dispute is still to be defused (化解) until its reply is out.
OPEN_DISPUTE_STATUSES = ["registered", "assigned", "in_progress", "awaiting_approval"]


class Appeal(BaseModel):
    """A problem, request or opinion from the public, from registration to closing."""

    code = models.CharField(_("tracking code"), max_length=24, unique=True)
    # SHA-256 of the secret the citizen gets with the code; the portal asks for both.
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=AppealKind.choices)
    source = models.CharField(_("source"), max_length=16, choices=AppealSource.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="appeals"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    reporter_id_number = models.CharField(_("reporter ID number"), max_length=18, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    parties_count = models.PositiveIntegerField(_("parties"), default=1)
    risk_colour = models.CharField(_("risk colour"), max_length=8, choices=RiskColour.choices, blank=True)
    policy = models.ForeignKey(
        DeadlinePolicy, verbose_name=_("deadline policy"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices)
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sign_due = models.DateTimeField(_("sign due"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve due"), null=True, blank=True)
    # resolve_due plus the grace period: past it the item rises to the supervisors of the level above.
    escalate_due = models.DateTimeField(_("escalate due"), null=True, blank=True)
    urged_at = models.DateTimeField(_("urged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # Set when the lead unit sends the item back; the dispatcher's "returned" queue. Cleared on reassignment.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolved_on_site = models.BooleanField(_("resolved on site"), default=False)
    reply = models.TextField(_("reply"), blank=True)
    close_reason = models.CharField(_("close reason"), max_length=600, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # Set by an unsatisfied callback; cleared by reopen or close: the dispatcher has to decide.
    awaiting_decision = models.BooleanField(_("awaiting decision"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            # Default list order: newest first, within a region subtree (a range on region_id).
            models.Index(fields=["region", "-created_at", "-id"], name="appeal_region_created"),
            models.Index(fields=["-created_at", "-id"], name="appeal_created"),
            # Queues by status, soonest deadline first; the dispatcher's "new" and "returned" queues.
            models.Index(fields=["status", "resolve_due", "id"], name="appeal_status_due"),
            models.Index(fields=["status", "-created_at", "-id"], name="appeal_status_created"),
            models.Index(fields=["category", "-created_at"], name="appeal_category_created"),
            # The sweep: active items whose urge or escalation moment has passed and not yet acted on.
            # Only active items are ever claimed, so the partial indexes hold those alone and stay small.
            models.Index(
                fields=["resolve_due"],
                name="appeal_urge_due",
                condition=Q(urged_at__isnull=True, status__in=["assigned", "in_progress"]),
            ),
            models.Index(
                fields=["escalate_due"],
                name="appeal_escalate_due",
                condition=Q(escalated_at__isnull=True, status__in=["assigned", "in_progress"]),
            ),
            # Overdue now (dashboards, the overdue list): the active items by deadline, with their region, so a
            # count over a region is read from the index alone.
            models.Index(
                fields=["resolve_due", "id"],
                name="appeal_open_due",
                include=["region"],
                condition=Q(status__in=["assigned", "in_progress"]),
            ),
            # The sweep finds the rows it has just stamped by their stamp.
            # 四色预警: the open disputes of one colour, oldest first (appeals.views.risks).
            models.Index(
                fields=["risk_colour", "created_at", "id"],
                name="appeal_open_dispute",
                condition=Q(kind="dispute", status__in=OPEN_DISPUTE_STATUSES),
            ),
            models.Index(fields=["urged_at"], name="appeal_urged_at"),
            models.Index(fields=["escalated_at"], name="appeal_escalated_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AppealKind.values), name="appeal_kind_valid"),
            models.CheckConstraint(condition=Q(source__in=AppealSource.values), name="appeal_source_valid"),
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="appeal_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TaskRole(models.TextChoices):
    LEAD = "lead", _("lead unit")
    CO = "co", _("co-unit")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("to accept")
    ACCEPTED = "accepted", _("working")
    REPORTED = "reported", _("reported")  # a co-unit has filed its opinion (会办意见)
    SUBMITTED = "submitted", _("reply submitted")  # the lead's reply waits for its unit head's approval
    LAPSED = (
        "lapsed",
        _("lapsed"),
    )  # a co-unit's deadline passed before it filed; the lead resolved without it
    RESOLVED = "resolved", _("resolved")  # the lead unit has filed the result
    RETURNED = "returned", _("returned")
    CANCELLED = "cancelled", _("cancelled")  # reassigned, merged or closed before the unit finished


# A unit's part is open while it is in one of these; a unit queue lists these.
OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED)
# A unit that returned the item, or whose part was cancelled, no longer takes part in it.
GONE_TASK_STATUSES = (TaskStatus.CANCELLED, TaskStatus.RETURNED)


class UnitTask(models.Model):
    """One unit's part in an appeal: the lead unit's or a co-unit's, with its own clock."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="tasks"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="tasks"
    )
    role = models.CharField(_("role"), max_length=8, choices=TaskRole.choices)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices)
    sign_due = models.DateTimeField(_("sign due"))
    resolve_due = models.DateTimeField(_("resolve due"))
    assigned_at = models.DateTimeField(_("assigned at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        verbose_name = _("unit task")
        verbose_name_plural = _("unit tasks")
        ordering = ["role", "id"]
        constraints = [
            # A unit takes part in an appeal once; a reassignment or reopening reuses its row.
            models.UniqueConstraint(fields=["appeal", "unit"], name="task_one_per_unit"),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(role="lead") & ~Q(status="cancelled"),
                name="task_one_live_lead",
            ),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="task_status_valid"),
        ]
        indexes = [
            # The unit queue: a unit's open tasks, soonest deadline first.
            models.Index(fields=["unit", "status", "resolve_due", "appeal"], name="task_unit_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.unit_id} · {self.role}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    DENIED = "denied", _("denied")
    LAPSED = "lapsed", _("lapsed")  # the item was resolved, returned or merged before a decision


class ExtensionRequest(models.Model):
    """A lead unit's request for more time, decided by its head or the dispatcher."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="extensions"
    )
    task = models.ForeignKey(UnitTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="+")
    amount = models.PositiveIntegerField(_("days"))
    clock = models.CharField(_("clock"), max_length=16, choices=Clock.choices)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.amount} {self.status}"


class AppealEvent(models.Model):
    """One entry of an appeal's append-only timeline. Metrics are computed from these."""

    # Labels that are also status names carry a context: as an event they are verbs (登记), not states (待分办).
    class Kind(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("appeal event", "registered")
        ASSIGNED = "assigned", pgettext_lazy("appeal event", "assigned")
        ACCEPTED = "accepted", pgettext_lazy("appeal event", "accepted")
        RETURNED = "returned", pgettext_lazy("appeal event", "returned")
        EXTENSION_REQUESTED = "extension_requested", _("extension requested")
        EXTENSION_APPROVED = "extension_approved", _("extension approved")
        EXTENSION_DENIED = "extension_denied", _("extension denied")
        NOTE = "note", _("progress note")
        REPORTED = "reported", _("co-unit reported")
        RESOLVED = "resolved", pgettext_lazy("appeal event", "resolved")
        RESOLVED_ON_SITE = "resolved_on_site", _("resolved on site")
        CALLBACK = "callback", _("callback")
        REOPENED = "reopened", _("reopened")
        MERGED = "merged", _("merged as duplicate")
        DUPLICATE_ADDED = "duplicate_added", _("duplicate merged in")
        REJECTED = "rejected", _("rejected")
        CLOSED = "closed", pgettext_lazy("appeal event", "closed")
        URGED = "urged", _("urged")
        ESCALATED = "escalated", _("escalated")
        SUPERVISED = "supervised", _("supervision order")
        REPLY_SUBMITTED = "reply_submitted", _("reply submitted for approval")
        REPLY_REJECTED = "reply_rejected", _("reply sent back")
        RECLASSIFIED = "reclassified", _("reclassified")
        CO_UNITS_CHANGED = "co_units_changed", _("co-units changed")
        CO_UNIT_LAPSED = "co_unit_lapsed", _("co-unit lapsed")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # None: done by the system (the deadline sweep) or by a citizen on the portal.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The unit the event concerns, to which the metrics attribute it (the lead unit for an assignment).
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit the actor acted for (a dispatcher's command centre, a handler's own unit): what the timeline shows.
    actor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at", "id"], name="event_timeline"),
            # Metrics count events of a kind within a period.
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class Callback(models.Model):
    """Asking the citizen afterwards: was it solved, were they satisfied."""

    class Method(models.TextChoices):
        PHONE = "phone", _("phone")
        VISIT = "visit", _("visit")
        SMS = "sms", _("SMS")
        PORTAL = "portal", _("citizen portal")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="callbacks"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    solved = models.BooleanField(_("solved"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.satisfaction}"


class Supervision(models.Model):
    """An urge (automatic, at the deadline), an escalation (after the grace period) or a supervisor's order."""

    class Level(models.TextChoices):
        URGE = "urge", _("urge")
        ESCALATE = "escalate", _("escalation")
        SUPERVISE = "supervise", _("supervision order")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="supervisions"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    due = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["level", "created_at"], name="supervision_level_at")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.level}"


class Notification(models.Model):
    """An in-app message to one person about one appeal."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned to your unit")
        RETURNED = "returned", _("returned")
        EXTENSION = "extension", _("extension decided")
        EXTENSION_REQUESTED = "extension_requested", _("extension requested")
        URGED = "urged", _("urged")
        ESCALATED = "escalated", _("escalated")
        SUPERVISED = "supervised", _("supervision order")
        CALLBACK = "callback", _("callback")
        REOPENED = "reopened", _("reopened")
        REPLY_TO_APPROVE = "reply_to_approve", _("reply to approve")
        REPLY_REJECTED = "reply_rejected", _("reply sent back")
        CO_UNITS_CHANGED = "co_units_changed", _("co-units changed")
        SURGE = "surge", _("hot-issue surge")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in the header and the list, newest first.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.message


class AppealCounter(models.Model):
    """The last sequence number of tracking codes per county and year: 522701-2027-000123."""

    county = models.CharField(max_length=6)
    year = models.PositiveIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="appeal_counter_unique")]

    def __str__(self) -> str:
        return f"{self.county}-{self.year}: {self.value}"


class AppealTextKey(models.Model):
    """One MinHash LSH band key of an appeal's title and description (`text.similar.band_keys`, within
    its county): appeals that share a key are candidates for being the same problem. Kept by the services
    that write an appeal's text; `index_similar` fills it for appeals written in bulk."""

    key = models.BigIntegerField(_("key"))
    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="+")
    # The appeal's registration time, copied: the lookup reads the recent rows of a key from the index alone.
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("text key")
        verbose_name_plural = _("text keys")
        indexes = [
            # Similar appeals (selectors.similar_appeals): per key, the most recent appeals.
            models.Index(fields=["key", "-created_at"], include=["appeal"], name="appeal_text_key_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.key}"
