"""Oversight (督查问效): interviews of units, the rectification ledger, good practices, notices."""

from .interviews import Interview, InterviewFollowUp, InterviewStatus
from .notices import Notice, NoticeCounter, NoticeStatus
from .practices import GoodPractice
from .rectifications import (
    RECTIFICATION_PENDING,
    Rectification,
    RectificationSource,
    RectificationStatus,
    RectificationUpdate,
)

__all__ = [
    "RECTIFICATION_PENDING",
    "GoodPractice",
    "Interview",
    "InterviewFollowUp",
    "InterviewStatus",
    "Notice",
    "NoticeCounter",
    "NoticeStatus",
    "Rectification",
    "RectificationSource",
    "RectificationStatus",
    "RectificationUpdate",
]
