import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from appeals.services import appeals_index_missing


class Command(BaseCommand):
    help = (
        "Give text keys (MinHash LSH bands) to the appeals that have none, so the lookup of similar appeals "
        "finds them: after seed_scale, an import written in bulk, or an upgrade. Idempotent; prints one JSON line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recent-days",
            type=int,
            default=None,
            help="only appeals registered in the last N days (the lookup reads the last 180 only)",
        )
        parser.add_argument(
            "--batch", type=int, default=5_000, help="appeals per transaction (default %(default)s)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        indexed = 0
        days = options["recent_days"]
        since = timezone.now() - timedelta(days=days) if days else None
        for count in appeals_index_missing(batch_size=max(1, options["batch"]), since=since):
            indexed += count
            if options["verbosity"] > 1:
                self.stderr.write(f"{indexed:,} appeals indexed")
        seconds = time.perf_counter() - started
        self.stdout.write(f'{{"indexed": {indexed}, "seconds": {seconds:.1f}}}')
