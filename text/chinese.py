"""The one adapter for Chinese text: normalisation, traditional → simplified, segmentation.

Everything in Zoufang that reads text (classifiers, duplicates, hot issues, reply quality, redaction) goes
through `normalise` and `segment` here, so that one appeal reads the same wherever it is read.

Segmentation is rjieba (jieba-rs) with a user dictionary: the place names of the region table and the terms
of the category taxonomy. Apps that own those words register a source with `add_term_source` (the sources are
read once, on first use, so nothing touches the database at import time); `reset_terms` drops the cached
dictionary after a source's data changed, and tests use it to segment with a dictionary of their own.
"""

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import opencc
import rjieba

TermSource = Callable[[], Iterable[str]]

_sources: list[TermSource] = []
_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None
_fixed_terms: tuple[str, ...] | None = None

# Pseudonymised place codes of public data sets ("A6区", "西地省K8县", "A市") are one token, not "A6" + "区".
_PSEUDO_PLACE = re.compile(r"[A-Z]\d{0,3}(?:省|市|区|县|镇|乡|街道|村|社区)")
_SPACES = re.compile(r"\s+")


def add_term_source(source: TermSource) -> None:
    """Register a function giving words the segmenter must keep whole (place names, category terms)."""
    with _lock:
        if source not in _sources:
            _sources.append(source)
    reset_terms()


def reset_terms(terms: Iterable[str] | None = None) -> None:
    """Forget the built dictionary; with `terms`, use exactly those words instead of the sources'."""
    global _segmenter, _fixed_terms
    with _lock:
        _segmenter = None
        _fixed_terms = None if terms is None else tuple(terms)


def _build() -> rjieba.Jieba:
    jieba = rjieba.Jieba()
    words: Iterable[str] = _fixed_terms if _fixed_terms is not None else _source_terms()
    for word in words:
        word = normalise(word)
        if len(word) >= 2:
            jieba.add_word(word, None, None)
    return jieba


def _source_terms() -> list[str]:
    words: list[str] = []
    for source in list(_sources):
        words.extend(source())
    return words


def segmenter() -> rjieba.Jieba:
    global _segmenter
    current = _segmenter
    if current is None:
        with _lock:
            if _segmenter is None:
                _segmenter = _build()
            current = _segmenter
    return current


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, traditional to simplified, runs of white space to one."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip()


def segment(text: str) -> list[str]:
    """The words of a normalised text, pseudonymised place codes kept whole, white space dropped."""
    text = normalise(text)
    words: list[str] = []
    start = 0
    for match in _PSEUDO_PLACE.finditer(text):
        words.extend(segmenter().cut(text[start : match.start()], True))
        words.append(match.group())
        start = match.end()
    words.extend(segmenter().cut(text[start:], True))
    return [word for word in words if not word.isspace()]


def tag(text: str) -> list[tuple[str, str]]:
    """Words with their part of speech (jieba's tags: nr person, ns place, nt organisation, m number…)."""
    return [(word, flag) for word, flag in segmenter().tag(normalise(text), True) if not word.isspace()]
