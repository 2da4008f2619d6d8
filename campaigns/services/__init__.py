"""Writes of the campaigns app, one module per idea, re-exported here."""

from campaigns.services.flags import notes_digest, visits_flag
from campaigns.services.photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    MAX_PHOTOS_PER_VISIT,
    RecordedPhoto,
    visit_photo_add,
)
from campaigns.services.plan import (
    TownshipAssignment,
    responsibilities_assign_township,
    responsibility_assign,
    responsibility_remove,
    target_set,
    visitor_candidates,
)
from campaigns.services.spot_checks import (
    MAX_SAMPLE,
    MIN_SAMPLE,
    HouseholdContact,
    spot_check_draw,
    spot_check_record,
    spot_check_reveal_contact,
)
from campaigns.services.visits import (
    MAX_BATCH,
    MAX_COUNT,
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
    "MAX_PHOTOS_PER_VISIT",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "MAX_SAMPLE",
    "MIN_SAMPLE",
    "BatchResult",
    "HouseholdContact",
    "ProblemData",
    "RecordedPhoto",
    "RecordedVisit",
    "TownshipAssignment",
    "VisitData",
    "notes_digest",
    "responsibilities_assign_township",
    "responsibility_assign",
    "responsibility_remove",
    "spot_check_draw",
    "spot_check_record",
    "spot_check_reveal_contact",
    "target_set",
    "visit_content_hash",
    "visit_photo_add",
    "visit_record",
    "visitor_candidates",
    "visits_flag",
    "visits_record_batch",
]
