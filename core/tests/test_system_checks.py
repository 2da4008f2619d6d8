"""Django's system checks pass over every app: among them, that a column with choices is long enough for the
longest choice (PostgreSQL refuses a longer value where SQLite stores it silently)."""

from django.core import checks


def test_system_checks_report_no_errors() -> None:
    problems = [message for message in checks.run_checks() if message.level >= checks.ERROR]
    assert problems == []
