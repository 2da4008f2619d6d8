from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from appeals.scale import scale_seed
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Bulk-write N appeals with their events, tasks, extensions, callbacks and supervision rows, for "
        "benchmarks (PostgreSQL COPY, bulk_create elsewhere). Needs the demo units and cadres of seed_demo. "
        "Not idempotent: every run adds N more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--appeals", type=int, required=True, metavar="N", help="how many appeals to add")
        parser.add_argument(
            "--visits", type=int, default=0, metavar="M", help="visits to add (not implemented yet)"
        )
        parser.add_argument(
            "--batch", type=int, default=10_000, help="rows per transaction (default %(default)s)"
        )
        parser.add_argument(
            "--method", choices=["auto", "copy", "bulk"], default="auto",
            help="how rows are written: COPY (PostgreSQL) or bulk_create; auto picks COPY on PostgreSQL",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=522700, help="random seed (default %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["appeals"] < 0 or options["batch"] < 1:
            raise CommandError("--appeals must be ≥ 0 and --batch ≥ 1")
        if options["visits"]:
            self.stdout.write("visits are not implemented yet: --visits ignored")
        try:
            summary = scale_seed(
                appeals=options["appeals"], batch_size=options["batch"], method=options["method"],
                seed=options["seed"], progress=self.stdout.write,
            )  # fmt: skip
        except DomainError as exc:
            raise CommandError(exc.message) from None
        rate = summary.appeals / summary.seconds if summary.seconds else 0
        statuses = ", ".join(f"{status} {n:,}" for status, n in summary.by_status.items())
        self.stdout.write(
            f"scale seeded: {summary.appeals:,} appeals, {summary.events:,} events, {summary.tasks:,} tasks in "
            f"{summary.seconds:.1f} s ({rate:,.0f}/s, {summary.method}); {statuses}"
        )
