import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from text.classify import evaluate, new_model_path, read_labelled_csv, registered_terms, save, split, train


class Command(BaseCommand):
    help = (
        "Train the text classifier on a CSV of text,label rows: first on 80 % of each label, measured on the "
        "other 20 %, then on all rows; writes the versioned model (var/models/category/ unless --model) with "
        "that validation beside it, and prints one JSON line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, type=Path, help="CSV file with the columns text,label")
        parser.add_argument("--model", type=Path, help="where to write the model (default: a new version)")
        parser.add_argument("--seed", type=int, default=0, help="seed of the validation split and the model")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            texts, labels = read_labelled_csv(options["csv"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if len(set(labels)) < 2:
            raise CommandError("the CSV needs at least two labels")
        seed = options["seed"]
        fit_texts, fit_labels, val_texts, val_labels = split(texts, labels, seed=seed)
        # the taxonomy's words of each category whose code or name is a label (the label dictionary)
        terms = registered_terms(labels)
        validation = evaluate(train(fit_texts, fit_labels, seed=seed, terms=terms), val_texts, val_labels)
        classifier = train(texts, labels, seed=seed, terms=terms, source=str(options["csv"]))
        path = save(
            classifier, options["model"] or new_model_path("category"), evaluation={"validation": validation}
        )
        # DESIGN §10's keys first (the held-out fifth's figures; `n` the rows trained on), then the rest.
        line = {
            "macro_f1": validation["macro_f1"],
            "accuracy": validation["accuracy"],
            "n": len(texts),
            "texts_per_s": validation["texts_per_s"],
            "model": str(path),
            "labels": len(classifier.labels),
            "validation": validation,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(line, ensure_ascii=False))
