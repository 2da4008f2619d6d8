from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from geo.services import regions_load


class Command(BaseCommand):
    help = (
        "Load a statistical division tree (level,level_name,code,name,parent_code) from CSV; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, type=Path, help="the division tree CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"{path}: 文件不存在")
        try:
            summary = regions_load(path=path)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"regions loaded from {path}: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged"
        )
