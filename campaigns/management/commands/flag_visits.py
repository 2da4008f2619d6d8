from typing import Any

from django.core.management.base import BaseCommand

from campaigns.services import visits_flag


class Command(BaseCommand):
    help = (
        "Run the plausibility checks on the visits not yet checked (idempotent, safe to run twice at once)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"plausibility checks: {visits_flag()} flags added")
