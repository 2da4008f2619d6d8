"""Writes of the oversight app: interviews, the rectification ledger and good practices."""

from oversight.services.interviews import (
    InterviewData,
    Reason,
    interview_close,
    interview_create,
    interview_edit,
    interview_follow_up,
    interview_hold,
)
from oversight.services.practices import PracticeData, practice_create, practice_edit, practice_publish
from oversight.services.rectifications import (
    RectificationData,
    rectification_create,
    rectification_edit,
    rectification_progress,
    rectification_verify,
)

__all__ = [
    "InterviewData",
    "PracticeData",
    "Reason",
    "RectificationData",
    "interview_close",
    "interview_create",
    "interview_edit",
    "interview_follow_up",
    "interview_hold",
    "practice_create",
    "practice_edit",
    "practice_publish",
    "rectification_create",
    "rectification_edit",
    "rectification_progress",
    "rectification_verify",
]
