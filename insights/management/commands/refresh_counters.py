import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from insights.services import counters_refresh


class Command(BaseCommand):
    help = (
        "Fold the appeal events and visits written since the last run into the dashboards' daily counters "
        "(--full: rebuild them all, e.g. after a bulk import). Safe to run twice at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="rebuild every counter from the events and visits"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = counters_refresh(full=options["full"])
        self.stdout.write(
            f"counters {'rebuilt' if result.full else 'refreshed'}: {result.events:,} events, "
            f"{result.visits:,} visits, {result.appeals:,} appeals in {time.perf_counter() - started:.1f} s"
        )
