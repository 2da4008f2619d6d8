"""Reads of the oversight app: the three lists, the practices a notice cites, interview reasons from metrics."""

from oversight.selectors.ledgers import (
    INTERVIEW_ORDER,
    OVERDUE,
    PRACTICE_ORDER,
    RECTIFICATION_ORDER,
    LedgerFilters,
    interview_list,
    practice_list,
    practices_for,
    rectification_list,
)
from oversight.selectors.prefill import (
    BAD_RATE_CEILING,
    GOOD_RATE_FLOOR,
    Prefill,
    falls_short,
    interview_prefill,
)

__all__ = [
    "BAD_RATE_CEILING",
    "GOOD_RATE_FLOOR",
    "INTERVIEW_ORDER",
    "OVERDUE",
    "PRACTICE_ORDER",
    "RECTIFICATION_ORDER",
    "LedgerFilters",
    "Prefill",
    "falls_short",
    "interview_list",
    "interview_prefill",
    "practice_list",
    "practices_for",
    "rectification_list",
]
