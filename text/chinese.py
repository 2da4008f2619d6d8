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
_place_sources: list[TermSource] = []
_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None
_fixed_terms: tuple[str, ...] | None = None
_fixed_places: tuple[str, ...] | None = None
_terms: frozenset[str] = frozenset()
_places: frozenset[str] = frozenset()
_version = 0

# Pseudonymised place codes of public data sets ("A6区", "西地省K8县", "A市") are one token, not "A6" + "区".
_PSEUDO_PLACE = re.compile(r"[A-Z]\d{0,3}(?:省|市|区|县|镇|乡|街道|村|社区)")
_SPACES = re.compile(r"\s+")


def add_term_source(source: TermSource, *, places: bool = False) -> None:
    """Register a function giving words the segmenter must keep whole (place names, category terms); with
    `places`, its words are names of places (`is_place_name`)."""
    with _lock:
        if source not in _sources:
            _sources.append(source)
        if places and source not in _place_sources:
            _place_sources.append(source)
    reset_terms()


def reset_terms(terms: Iterable[str] | None = None, *, places: Iterable[str] | None = None) -> None:
    """Forget the built dictionary; with `terms`, use exactly those words instead of the sources', of which
    `places` are the names of places (all of `terms` unless told)."""
    global _segmenter, _fixed_terms, _fixed_places, _version
    with _lock:
        _segmenter = None
        _fixed_terms = None if terms is None else tuple(terms)
        _fixed_places = None if places is None else tuple(places)
        _version += 1


def dictionary_version() -> int:
    """A number that changes whenever the dictionary may have: a key for caches of segmented text."""
    return _version


def _build() -> rjieba.Jieba:
    global _terms, _places
    jieba = rjieba.Jieba()
    if _fixed_terms is not None:
        words: list[str] = list(_fixed_terms)
        places: Iterable[str] = _fixed_places if _fixed_places is not None else words
    else:
        words, places = _source_terms()
    _places = frozenset(normalise(word) for word in places)
    added = set()
    for word in words:
        word = normalise(word)
        if len(word) >= 2:
            jieba.add_word(word, None, None)
            added.add(word)
    _terms = frozenset(added)
    return jieba


def _source_terms() -> tuple[list[str], list[str]]:
    """The sources' words, and those of them that name places."""
    words: list[str] = []
    places: list[str] = []
    for source in list(_sources):
        read = list(source())
        words.extend(read)
        if source in _place_sources:
            places.extend(read)
    return words, places


def is_term(word: str) -> bool:
    """Whether `word` is one of the user dictionary's words (a place name, a category term)."""
    segmenter()
    return word in _terms


def is_place_name(word: str) -> bool:
    """Whether `word` is one of the dictionary's names of places (the region table's), not a category term."""
    segmenter()
    return word in _places


def terms() -> frozenset[str]:
    """The user dictionary's words (place names, category terms), as normalised."""
    segmenter()
    return _terms


# The committee that governs a village or community is registered under its full name; people write the
# place: "西园村村民委员会" is said "西园村", "蒙家桥社区居民委员会" "蒙家桥社区".
_COMMITTEE = re.compile(r"(村|社区)(?:村民|居民)委员会$")


def place_forms(name: str) -> list[str]:
    """A region's official name and the shorter form people write it in."""
    short = _COMMITTEE.sub(r"\1", name)
    return [name] if short == name else [name, short]


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


def normalise_aligned(text: str) -> str:
    """`normalise` character by character, so that offsets in the result are offsets in `text`: full-width
    to half-width and traditional to simplified where that keeps one character one character; white space
    is left as it is."""
    chars = [unicodedata.normalize("NFKC", char) for char in text]
    folded = "".join(new if len(new) == 1 else old for old, new in zip(text, chars, strict=True))
    simplified = to_simplified(folded)
    return simplified if len(simplified) == len(folded) else folded


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, traditional to simplified, runs of white space to one."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip()


def segment(text: str) -> list[str]:
    """The words of a normalised text, pseudonymised place codes kept whole, white space dropped."""
    return segment_normalised(normalise(text))


def segment_normalised(text: str) -> list[str]:
    """`segment` of a text that went through `normalise` already (what a classifier does per sentence)."""
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


def tag_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, word, part of speech) of every word of `text` as it stands (not normalised: call
    `normalise_aligned` first to keep the offsets), white space included."""
    spans = []
    start = 0
    for word, flag in segmenter().tag(text, True):
        spans.append((start, start + len(word), word, flag))
        start += len(word)
    return spans
