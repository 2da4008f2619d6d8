"""Writes of the appeals app; import from here."""

from appeals.services.codes import allocate_tracking_code, secret_hash
from appeals.services.deadlines import deadlines_from, policy_for
from appeals.services.routing import RoutingSuggestion, routing_suggest
from appeals.services.sweep import SweepResult, sweep_deadlines
from appeals.services.workflow import (
    AppealDraft,
    Registered,
    Reporter,
    appeal_accept,
    appeal_assign,
    appeal_callback,
    appeal_close,
    appeal_decide_extension,
    appeal_merge,
    appeal_note,
    appeal_register,
    appeal_reject,
    appeal_reopen,
    appeal_request_extension,
    appeal_resolve,
    appeal_resolve_on_site,
    appeal_return,
    appeal_reveal_reporter,
    appeal_supervise,
    record_event,
)

__all__ = [
    "AppealDraft",
    "Registered",
    "Reporter",
    "RoutingSuggestion",
    "SweepResult",
    "allocate_tracking_code",
    "appeal_accept",
    "appeal_assign",
    "appeal_callback",
    "appeal_close",
    "appeal_decide_extension",
    "appeal_merge",
    "appeal_note",
    "appeal_register",
    "appeal_reject",
    "appeal_reopen",
    "appeal_request_extension",
    "appeal_resolve",
    "appeal_resolve_on_site",
    "appeal_return",
    "appeal_reveal_reporter",
    "appeal_supervise",
    "deadlines_from",
    "policy_for",
    "record_event",
    "routing_suggest",
    "secret_hash",
    "sweep_deadlines",
]
