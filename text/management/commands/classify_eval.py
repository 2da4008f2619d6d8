import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from text.classify import evaluate, latest_model_path, load, read_labelled_csv


class Command(BaseCommand):
    help = (
        "Measure a trained text classifier on a CSV of text,label rows (the newest model in "
        'var/models/category/ unless --model); prints {"macro_f1", "accuracy", "n", "texts_per_s"}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, type=Path, help="CSV file with the columns text,label")
        parser.add_argument("--model", type=Path, help="the model file (default: the newest version)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["model"] or latest_model_path("category")
        if path is None or not path.exists():
            raise CommandError("no model: run classify_train first or give --model")
        try:
            texts, labels = read_labelled_csv(options["csv"])
            classifier = load(path)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not texts:
            raise CommandError("the CSV has no rows")
        self.stdout.write(json.dumps(evaluate(classifier, texts, labels), ensure_ascii=False))
