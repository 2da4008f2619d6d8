"""Writes of the campaigns app, one module per idea, re-exported here."""

from campaigns.services.visits import (
    MAX_BATCH,
    MAX_COUNT,
    RECORD_ROLES,
    BatchResult,
    ProblemData,
    RecordedVisit,
    VisitData,
    visit_content_hash,
    visit_record,
    visits_record_batch,
)

__all__ = [
    "MAX_BATCH",
    "MAX_COUNT",
    "RECORD_ROLES",
    "BatchResult",
    "ProblemData",
    "RecordedVisit",
    "VisitData",
    "visit_content_hash",
    "visit_record",
    "visits_record_batch",
]
