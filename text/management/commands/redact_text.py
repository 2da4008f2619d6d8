import io
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand

from text.redact import redact


class Command(BaseCommand):
    help = (
        "Read lines on standard input and write each with its citizens' names, phone numbers, ID numbers and "
        "house numbers masked (UTF-8, one line at a time, line endings kept)."
    )
    # The lines go straight through: no summary, which would mix with the redacted text on stdout.
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        source: IO[str] = options.get("stdin") or io.TextIOWrapper(
            sys.stdin.buffer, encoding="utf-8", errors="replace", newline=""
        )
        out: IO[str] = options.get("stdout") or io.TextIOWrapper(
            sys.stdout.buffer, encoding="utf-8", newline="", write_through=True
        )
        for line in source:  # one line at a time, so that a large file never sits in memory
            body = line.rstrip("\r\n")
            out.write(redact(body) + line[len(body) :])
            out.flush()
