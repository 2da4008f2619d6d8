"""Tracking codes (522701-2027-000123) and the secret the citizen gets with one."""

import hashlib
import secrets
from datetime import datetime

from django.db import connection, transaction
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
    table = AppealCounter._meta.db_table
    # One statement on both databases (SQLite ≥ 3.35 and PostgreSQL): create or bump, and read the value.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county, year, value) VALUES (%s, %s, 1) "  # noqa: S608 (our table name)
            f"ON CONFLICT (county, year) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [county, year],
        )
        value = cursor.fetchone()[0]
    return f"{county}-{year}-{value:06d}"
