"""How well text.redact masks personal data, on the hand-written test set (text/tests/data/README.md).

    .venv/bin/python bench/redaction.py [--passes 10]

Prints, for each part of the set (dev: the part the redactor was tuned on; held_out, held_out_2, held_out_3,
held_out_4: written later, in that order) and for the whole: recall and precision per kind (name, phone, id, address), the share of the other
characters and words kept, the share of sentences with nothing to mask returned unchanged, and every
sentence it gets wrong. Then throughput: the whole set redacted `--passes` times, in lines/s on one core,
and, when ../shared/data/teddy2020 is there, the real message texts of messages_with_replies.csv (longer
lines). Needs no database: the place names come from the region fixture file.
"""

import argparse
import csv
import sys
import time

from _support import ROOT, django_setup, machine

TEDDY = ROOT.parent / "shared" / "data" / "teddy2020" / "messages_with_replies.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--quiet", action="store_true", help="leave out the sentences it gets wrong")
    args = parser.parse_args()
    django_setup()
    from text.chinese import reset_terms
    from text.redact import redact, redactions
    from text.tests.redaction_set import KINDS, load, region_terms, score

    reset_terms(region_terms())
    records = load()
    print(f"machine: {machine()}; set: {len(records)} sentences")
    header = "| part | sentences | " + " | ".join(f"{kind} recall (n) | {kind} precision" for kind in KINDS)
    print(header + " | chars kept | words kept | clean sentences unchanged |")
    failures: list[str] = []
    for part in ("dev", "held_out", "held_out_2", "held_out_3", "held_out_4", None):
        chosen = [record for record in records if part is None or record["part"] == part]
        scores = score(chosen, redactions)
        cells = " | ".join(
            f"{scores.recall(kind):.3f} ({scores.found[kind]}/{scores.gold[kind]}) | {scores.precision(kind):.3f}"
            for kind in KINDS
        )
        print(
            f"| {part or 'all'} | {len(chosen)} | {cells} | {scores.kept_chars:.4f} | {scores.kept_words:.4f} | "
            f"{scores.clean_rate:.3f} ({scores.clean_kept}/{scores.clean}) |"
        )
        if part is not None:
            failures += scores.failures
    if not args.quiet:
        print("\nsentences it gets wrong:")
        print("\n".join(failures) or "(none)")

    lines = [record["text"] for record in records] * args.passes
    started = time.perf_counter()
    for line in lines:
        redact(line)
    seconds = time.perf_counter() - started
    print(
        f"\nthroughput, test set: {len(lines)} lines in {seconds:.2f} s = {len(lines) / seconds:,.0f} lines/s"
    )
    if TEDDY.exists():
        csv.field_size_limit(sys.maxsize)
        with TEDDY.open(encoding="utf-8") as handle:
            texts = [row["留言详情"].replace("\n", " ") for row in csv.DictReader(handle)]
        started = time.perf_counter()
        for text in texts:
            redact(text)
        seconds = time.perf_counter() - started
        chars = sum(map(len, texts))
        print(
            f"throughput, teddy2020 message texts: {len(texts)} lines ({chars / len(texts):.0f} characters on "
            f"average) in {seconds:.2f} s = {len(texts) / seconds:,.0f} lines/s, {chars / seconds:,.0f} chars/s"
        )


if __name__ == "__main__":
    main()
