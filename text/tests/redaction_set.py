"""The redaction test set (data/redaction_set.jsonl, see data/README.md) and how a redactor is scored on it.

Shared by text/tests/test_redact.py and bench/redaction.py.

- recall, per kind: a span to mask counts as masked when every one of its personal characters lies in a span
  the redactor masks: for a name its given name (the surname stays by design), for a phone, an ID number or
  an address its digits;
- precision, per kind: a span the redactor masks is right when it overlaps a span to mask of the same kind;
- kept characters: of the characters outside every span to mask (white space and punctuation left out), the
  share the redactor leaves unchanged; kept words: the same for the words of the sentence (jieba's
  segmentation of the whole sentence, words touching a span to mask left out);
- clean sentences: of the sentences with nothing to mask, the share returned exactly as they were.
"""

import csv
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from text.chinese import place_forms, segment
from text.redact import NAME, Redaction

DATA = Path(__file__).resolve().parent / "data" / "redaction_set.jsonl"
REGIONS = Path(__file__).resolve().parents[2] / "geo" / "fixtures" / "qiannan_522700_tree.csv"
KINDS = ("name", "phone", "id", "address")
COMPOUND = ("欧阳", "司马", "诸葛", "上官")


def load(part: str | None = None) -> list[dict]:
    with DATA.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [record for record in records if part is None or record["part"] == part]


def region_terms() -> list[str]:
    """The place names of the reference region table (the fixture), as the app's term source gives them."""
    with REGIONS.open(encoding="utf-8") as handle:
        return [form for row in csv.DictReader(handle) for form in place_forms(row["name"])]


def _personal(text: str, span: dict) -> set[int]:
    if span["kind"] == NAME:
        surname = 2 if span["text"][:2] in COMPOUND else 1
        return set(range(span["start"] + surname, span["end"]))
    return {
        index
        for index in range(span["start"], span["end"])
        if text[index].isdigit() or text[index] in "Xx一二三四五六七八九十"
    }


@dataclass
class Scores:
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    masked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    chars_kept: int = 0
    chars: int = 0
    words_kept: int = 0
    words: int = 0
    clean_kept: int = 0
    clean: int = 0
    failures: list[str] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 1.0

    def precision(self, kind: str) -> float:
        return self.right[kind] / self.masked[kind] if self.masked[kind] else 1.0

    @property
    def kept_chars(self) -> float:
        return self.chars_kept / self.chars

    @property
    def kept_words(self) -> float:
        return self.words_kept / self.words

    @property
    def clean_rate(self) -> float:
        return self.clean_kept / self.clean if self.clean else 1.0


def _content(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char).startswith("P"))


def score(records: Iterable[dict], redactions: Callable[[str], list[Redaction]]) -> Scores:
    """The figures of `redactions` on `records`, with a line for each sentence it gets wrong."""
    scores = Scores()
    for record in records:
        text, spans = record["text"], record["spans"]
        predicted = redactions(text)
        covered = {index for item in predicted for index in range(item.start, item.end)}
        gold_chars = {index for span in spans for index in range(span["start"], span["end"])}
        problems = []
        for span in spans:
            scores.gold[span["kind"]] += 1
            if _personal(text, span) <= covered:
                scores.found[span["kind"]] += 1
            else:
                problems.append(f"missed {span['kind']} {span['text']}")
        for item in predicted:
            scores.masked[item.kind] += 1
            if any(
                span["kind"] == item.kind and item.start < span["end"] and span["start"] < item.end
                for span in spans
            ):
                scores.right[item.kind] += 1
            else:
                problems.append(f"masked {item.kind} {text[item.start : item.end]}")
        for index, char in enumerate(text):
            if index not in gold_chars and _content(char):
                scores.chars += 1
                scores.chars_kept += index not in covered
        position = 0
        for word in segment(text):
            start = text.find(word, position)
            if start < 0:
                continue
            position = start + len(word)
            indices = set(range(start, position))
            if indices & gold_chars or not any(_content(char) for char in word):
                continue
            scores.words += 1
            scores.words_kept += not indices & covered
        if not spans:
            scores.clean += 1
            scores.clean_kept += not predicted
        if problems:
            scores.failures.append(f"{record['id']}: {'; '.join(problems)} | {text}")
    return scores
