from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.services import open311_key_issue


class Command(BaseCommand):
    help = "Issue an Open311 api_key for one integration and print it (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the integration's name")

    def handle(self, *args: Any, **options: Any) -> None:
        _key, raw = open311_key_issue(name=options["name"])
        self.stdout.write(raw)
