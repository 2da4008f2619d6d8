from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from demo.scale_appeals import scale_seed
from demo.scale_visits import scale_visits


class Command(BaseCommand):
    help = (
        "Bulk-write N appeals with their events, tasks, extensions, callbacks and supervision rows, and M field "
        "visits of the demo campaign (冬春大走访) by its responsible visitors, for benchmarks (PostgreSQL COPY, "
        "bulk_create elsewhere). Needs the demo units, cadres and campaign of seed_demo. The visits are written "
        "as already checked for plausibility (flags_checked_at set), so the next flag_visits run does not take "
        "them on. Not idempotent: every run adds N appeals and M visits more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--appeals", type=int, default=0, metavar="N", help="how many appeals to add")
        parser.add_argument("--visits", type=int, default=0, metavar="M", help="how many visits to add")
        parser.add_argument(
            "--batch", type=int, default=10_000, help="rows per transaction (default %(default)s)"
        )
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "bulk"],
            default="auto",
            help="how rows are written: COPY (PostgreSQL) or bulk_create; auto picks COPY on PostgreSQL",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="visits: connections writing at once with COPY (default %(default)s; bulk_create uses one)",
        )
        parser.add_argument("--seed", type=int, default=522700, help="random seed (default %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["appeals"] < 0 or options["visits"] < 0 or options["batch"] < 1 or options["workers"] < 1:
            raise CommandError("--appeals and --visits must be ≥ 0, --batch and --workers ≥ 1")
        if not options["appeals"] and not options["visits"]:
            raise CommandError("nothing to write: give --appeals N and/or --visits M")
        common = {"batch_size": options["batch"], "method": options["method"], "progress": self.stdout.write}
        try:
            if options["appeals"]:
                summary = scale_seed(appeals=options["appeals"], seed=options["seed"], **common)
                rate = summary.appeals / summary.seconds if summary.seconds else 0
                statuses = ", ".join(f"{status} {n:,}" for status, n in summary.by_status.items())
                self.stdout.write(
                    f"scale seeded: {summary.appeals:,} appeals, {summary.events:,} events, {summary.tasks:,} "
                    f"tasks in {summary.seconds:.1f} s ({rate:,.0f}/s, {summary.method}); {statuses}"
                )
            if options["visits"]:
                visits = scale_visits(
                    visits=options["visits"], seed=options["seed"], workers=options["workers"], **common
                )
                rate = visits.visits / visits.seconds if visits.seconds else 0
                self.stdout.write(
                    f"scale seeded: {visits.visits:,} visits ({visits.enterprise_visits:,} to enterprises) in "
                    f"{visits.campaigns} campaign(s) in {visits.seconds:.1f} s ({rate:,.0f}/s, {visits.method})"
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
