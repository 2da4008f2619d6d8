from typing import Any

from django.core.management.base import BaseCommand

from appeals.services import sweep_deadlines


class Command(BaseCommand):
    help = "Urge appeals at their resolve deadline and escalate those past the grace period (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep_deadlines()
        self.stdout.write(f"deadline sweep: {result.urged} urged, {result.escalated} escalated")
