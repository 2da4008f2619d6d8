import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insights.exports import hot_tables_from_csv


class Command(BaseCommand):
    help = (
        "Cluster a file of citizen messages (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数) into hot "
        "issues and, with --out, write the two tables 热点问题表 and 热点问题留言明细表 (texts redacted). Prints one "
        'JSON line {"clusters", "messages", "seconds"}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, type=Path, help="the messages, UTF-8 CSV")
        parser.add_argument("--out", type=Path, help="the .xlsx to write")
        parser.add_argument(
            "--top", type=int, default=0, help="keep only the N hottest issues (default: all)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["csv"]
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        result = hot_tables_from_csv(source=source, out=options["out"], limit=max(options["top"], 0))
        line = {"clusters": result.clusters, "messages": result.messages, "seconds": result.seconds}
        self.stdout.write(json.dumps(line, ensure_ascii=False))
