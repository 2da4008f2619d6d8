"""`python manage.py verify_audit`: walk the audit hash chain; exit 1 at the first broken link."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from core.audit import audit_verify


class Command(BaseCommand):
    help = "Check that every audit row follows from the one before it (the hash chain); exit 1 if not."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.broken_id is not None:
            self.stdout.write(
                f"BROKEN at audit event id={report.broken_id} after {report.rows} good rows: "
                f"expected {report.expected}, found {report.found or '(empty)'}"
            )
            sys.exit(1)
        self.stdout.write(f"OK {report.rows} rows, head {report.head}")
