from typing import Any

from django.core.management.base import BaseCommand

from appeals.models import Category, DeadlinePolicy, RoutingRule
from appeals.services.reference import reference_load


class Command(BaseCommand):
    help = "Add the default deadline policies, categories and routing rules that are missing (keeps admin edits)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = reference_load(policy_model=DeadlinePolicy, category_model=Category, rule_model=RoutingRule)
        self.stdout.write(f"appeal reference data: {added} rows added")
