"""Tracking codes (522701-2027-000123) and the secret the citizen gets with one."""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appeals.models import AppealCounter

# No 0/O, 1/I/L: the secret is read out over the phone and typed on a phone.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 (an alphabet, not a secret)
SECRET_LENGTH = 8


def new_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.strip().upper().encode()).hexdigest()


def allocate_tracking_code(*, region_code: str, at: datetime | None = None) -> str:
    """The next code of the county of `region_code` for the year of `at`.

    Taken in its own short transaction when called outside one, so concurrent registrations in a county wait on
    the counter row only for one UPDATE. A registration that then fails leaves a gap, as numbered forms do.
    """
    county = region_code[:6]
    year = timezone.localtime(at or timezone.now()).year
    with transaction.atomic():
        AppealCounter.objects.bulk_create([AppealCounter(county=county, year=year)], ignore_conflicts=True)
        AppealCounter.objects.filter(county=county, year=year).update(value=F("value") + 1)
        value = AppealCounter.objects.filter(county=county, year=year).values_list("value", flat=True).get()
    return f"{county}-{year}-{value:06d}"
