"""Near-duplicate appeals: MinHash LSH keys to find candidates fast, then a re-check that survives paraphrase.

Two steps, because the first must be cheap among a million appeals and the second must be right:

1. `band_keys` turns a text into `BANDS` 64-bit keys: a MinHash signature of its content words (`ROWS`
   hashes per band), each band hashed together with the area, so two appeals of one county that share a band
   share a key, and appeals of other counties never do. The appeals app stores the keys in an indexed table;
   a lookup is one index scan per key. A paraphrase shares few words with the text it repeats (a Jaccard of
   0.07–0.3 on text/tests/near_duplicates.py), so the bands are single rows: with 48 of them, two texts whose
   word sets overlap by a Jaccard of 0.07 meet in at least one band with probability 0.97, at 0.1 with 0.99.
2. `Scorer.score` re-reads each candidate: the words both texts use, weighted by their rarity (IDF over a
   sample of appeals) and by where they stand (a word of the title counts more), the character bigrams they
   share (a paraphrase keeps the names of things even when it changes the verbs), and whether they name the
   same places: two texts about the same problem at two different villages are two problems; and how much of
   each title the other text echoes. Places are the region table's names and the streets, estates, markets,
   bridges and buildings the text names (`local_places`); the same place is not the same problem, so the
   words left once the places are cut out must agree too (`problem_agreement`): the walkway's lights and its
   railing share the walkway, not the problem.
"""

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b

import numpy as np

from text.chinese import dictionary_version, is_place_name, is_term, normalise, segment, segment_normalised

BANDS = 48
ROWS = 1
HASHES = BANDS * ROWS
# Scores at or above this count as "the same problem"; chosen on text/tests/near_duplicates.py.
THRESHOLD = 0.35

_rng = np.random.default_rng(522700)
# Multiply-shift hashing: (a·x + b) mod 2⁶⁴, top 32 bits; `a` odd. One (a, b) per MinHash row.
_A = _rng.integers(1, 2**63, size=HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=HASHES, dtype=np.uint64)
_SHIFT = np.uint64(32)

_NOT_WORD = re.compile(r"[^0-9a-zA-Z\u3400-\u9fff]+")
_DIGITS = re.compile(r"\d")
# A place as people write it: a region's name (the dictionary's words), a pseudonymised code ("A6区").
_PSEUDO_PLACE = re.compile(r"^[A-Z]\d{0,3}(?:省|市|区|县|镇|乡|街道|村|社区)$")
_PLACE_SUFFIX = ("省", "州", "市", "县", "区", "镇", "乡", "街道", "村", "社区", "居委会", "村委会")

# Words every appeal uses; they say nothing about which problem it is.
GENERIC = frozenset(
    [
        "反映",
        "问题",
        "希望",
        "请求",
        "要求",
        "请",
        "政府",
        "相关",
        "部门",
        "相关部门",
        "尽快",
        "解决",
        "处理",
        "帮助",
        "帮忙",
        "我们",
        "我",
        "他们",
        "你们",
        "大家",
        "这个",
        "那个",
        "一直",
        "已经",
        "现在",
        "目前",
        "至今",
        "多次",
        "没有",
        "不",
        "了",
        "的",
        "是",
        "在",
        "和",
        "与",
        "及",
        "等",
        "也",
        "都",
        "还",
        "就",
        "又",
        "很",
        "非常",
        "说",
        "让",
        "给",
        "把",
        "被",
        "对",
        "从",
        "到",
        "向",
        "为",
        "因为",
        "所以",
        "但是",
        "可是",
        "如果",
        "情况",
        "事情",
        "有关",
        "进行",
        "予以",
        "能否",
        "是否",
        "一下",
        "一个",
        "这样",
        "那么",
        "什么",
        "怎么",
        "如何",
        "谢谢",
        "您好",
        "你好",
        "领导",
        "群众",
        "村民",
        "居民",
        "市民",
        "本人",
        "家里",
        "今年",
        "去年",
        "最近",
        "这些",
        "那些",
        "没",
        "有",
        "人",
        "上",
        "下",
        "后",
        "里",
        "中",
        "着",
        "过",
        "吗",
        "呢",
        "啊",
        "管",
        "管一管",
        "查",
        "查一查",
        "看",
        "问",
        "找",
        "去",
        "来",
        "能",
        "要",
        "会",
        "可以",
        "需要",
        "应该",
        "及时",
        "督促",
        "协调",
        "调查",
        "核实",
        "核查",
        "落实",
        "整改",
        "依法",
    ]
)


def _chunks(text: str, *, normalised: bool = False) -> list[str]:
    return [chunk for chunk in _NOT_WORD.split(text if normalised else normalise(text)) if chunk]


def bigrams(text: str, *, normalised: bool = False) -> set[str]:
    """The character bigrams of `text`, within runs of letters and digits (punctuation breaks a run)."""
    grams: set[str] = set()
    for chunk in _chunks(text, normalised=normalised):
        if len(chunk) == 1:
            grams.add(chunk)
        grams.update(chunk[i : i + 2] for i in range(len(chunk) - 1))
    return grams


def signature(grams: Iterable[str]) -> np.ndarray:
    """The MinHash signature (`HASHES` unsigned 32-bit values) of a set of strings."""
    values = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64)
    if values.size == 0:
        values = np.zeros(1, dtype=np.uint64)
    hashed = (values[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT
    return hashed.min(axis=0).astype(np.uint32)


def band_keys(title: str, description: str, *, area: str) -> list[int]:
    """`BANDS` signed 64-bit keys of the text within `area` (a county code): equal keys, likely duplicates."""
    sig = signature(set(content_words(f"{title} {description}")))
    keys = []
    prefix = area.encode()
    for band in range(BANDS):
        digest = blake2b(
            prefix + bytes((band,)) + sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


# Places below the region table, as people name them: a street, an estate, a market, a building, a bridge
# ("剑江中路", "城南安置小区", "金山农贸市场", "5栋"). A name is two to five characters before one of these
# endings; it cannot begin with a word of grammar or a common verb ("从百子桥" is "百子桥", "住城南小区" is
# "城南小区"), and region names are cut out first ("雍阳街道城南安置小区" names 雍阳街道 and 城南安置小区).
_LOCAL_SUFFIX = (
    "小区|花园|家园|新村|公寓|苑|农贸市场|市场|商场|大厦|广场|公园|大桥|步道|中路|大道|路|街(?!道)|巷|桥|园"
)
_NOT_IN_NAME = (
    "的了着过在从到往至和与及或把被向对给让是有没不也都就还又很请说要会能去来我你他她它们这那个每"
    "一二三四五六七八九十两几半段多走跑跳堵占挖修停"
)
_LOCAL_PLACE = re.compile(rf"[^{_NOT_IN_NAME}\W\d_a-zA-Z]{{2,5}}?(?:{_LOCAL_SUFFIX})|\d+(?:栋|幢|号楼|单元)")
# Places without a name: where the writer is, not what the problem is ("县城到玉山镇的班车").
PLACE_WORDS = frozenset(
    ["县城", "城区", "城里", "镇上", "街上", "村里", "门口", "附近", "旁边", "隔壁", "楼下", "楼上"]
)
# Amounts and counts ("8万元", "一段", "三次"): the same amount in two texts is no sign of the same problem.
_QUANTITY = re.compile(
    r"[\d一二三四五六七八九十百千万两几多半每整]+[个名位元块万千百次天月年岁人户家段条层楼期]*"
)
_AFTER_VERB = re.compile(r"^(?:住|住在|家住|位于|路过|经过|去|到)")


def local_places(text: str, words: Iterable[str] = (), *, normalised: bool = False) -> list[str]:
    """The streets, estates, markets and buildings `text` names (region names in `words` cut out first)."""
    text = text if normalised else normalise(text)
    for word in sorted({w for w in words if is_place(w)}, key=len, reverse=True):
        text = text.replace(word, "|")
    return [_AFTER_VERB.sub("", m.group()) for m in _LOCAL_PLACE.finditer(text)]


def same_place(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sets of place names share one (a name within a longer form of it counts: 5栋, 城南安置小区5栋)."""
    return any(p == q or (min(len(p), len(q)) >= 3 and (p in q or q in p)) for p in a for q in b)


def is_place(word: str) -> bool:
    """A region's name from the dictionary, or a pseudonymised place code."""
    return _is_place(word, dictionary_version())


@lru_cache(maxsize=100_000)
def _is_place(word: str, version: int) -> bool:
    if _PSEUDO_PLACE.match(word):
        return True
    return len(word) >= 2 and word.endswith(_PLACE_SUFFIX) and is_place_name(word)


@dataclass(frozen=True)
class Profile:
    """What the re-check reads of one text: its weighted content words, bigrams, places and category."""

    words: dict[str, float]
    grams: frozenset[str]
    places: frozenset[str]
    title_words: dict[str, float]
    text: str
    category: str = ""
    norm: float = field(default=0.0)
    # The problem apart from the place: the words and bigrams left when the place names are taken out.
    problem: dict[str, float] = field(default_factory=dict)
    problem_norm: float = 0.0
    problem_grams: frozenset[str] = frozenset()
    local_places: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Parsed:
    """What the re-check reads of a text before weighting: its words (places apart), bigrams, letters."""

    title_words: tuple[str, ...]
    description_words: tuple[str, ...]
    places: frozenset[str]
    grams: frozenset[str]
    text: str
    local_places: frozenset[str] = frozenset()
    problem_title: tuple[str, ...] = ()
    problem_description: tuple[str, ...] = ()
    problem_grams: frozenset[str] = frozenset()


# An appeal's text does not change, and the same recent appeals are candidates of lookup after lookup: each
# process keeps the parses of the last texts it read (keyed by the dictionary's version too).
@lru_cache(maxsize=20_000)
def _parse(title: str, description: str, version: int) -> Parsed:
    places: set[str] = set()
    local: set[str] = set()
    parts: list[tuple[str, ...]] = []
    problems: list[tuple[str, ...]] = []
    stripped = []
    texts = (normalise(title), normalise(description))
    spans = [_content_spans(part) for part in texts]
    for part, found in zip(texts, spans, strict=True):
        named = [word for word, _, _ in found if is_place(word)]
        local.update(local_places(part, named, normalised=True))
        places.update(named)
    cut = places | local | PLACE_WORDS
    # A county's or town's name and its seat: "瓮安县城" is a place, not 瓮安县 + "城至".
    cut |= {place + "城" for place in places if place.endswith(("县", "市", "镇"))}
    for part, found in zip(texts, spans, strict=True):
        parts.append(tuple(dict.fromkeys(word for word, _, _ in found if word not in places)))
        # The problem: the words of the text that touch none of the places it names, amounts apart.
        covered = _covered(part, cut)
        problems.append(
            tuple(
                dict.fromkeys(
                    word
                    for word, start, end in found
                    if not any(covered[start:end]) and not _QUANTITY.fullmatch(word)
                )
            )
        )
        stripped.append("".join(" " if flag else char for char, flag in zip(part, covered, strict=True)))
    whole = f"{texts[0]} {texts[1]}".strip()
    return Parsed(
        title_words=parts[0],
        description_words=parts[1],
        places=frozenset(places),
        local_places=frozenset(local),
        grams=frozenset(bigrams(whole, normalised=True)),
        text="".join(_chunks(whole, normalised=True)),
        problem_title=problems[0],
        problem_description=problems[1],
        problem_grams=frozenset(bigrams(" ".join(stripped), normalised=True)),
    )


def _content_spans(text: str) -> list[tuple[str, int, int]]:
    """The content words of a normalised text, each with where it starts and ends."""
    found, position = [], 0
    for word in segment_normalised(text):
        at = text.find(word, position)
        if at < 0:
            continue
        position = at + len(word)
        if _is_content(word):
            found.append((word, at, position))
    return found


def _covered(text: str, places: Iterable[str]) -> bytearray:
    """1 for each character of `text` inside a mention of one of `places`."""
    covered = bytearray(len(text))
    for place in places:
        at = text.find(place)
        while at >= 0:
            covered[at : at + len(place)] = b"\x01" * len(place)
            at = text.find(place, at + 1)
    return covered


def content_words(text: str) -> list[str]:
    """The words of `text` that may tell its problem: no punctuation, no generic appeal words, no lone digits."""
    return list(_content_words(text, dictionary_version()))


# The text being looked up is read twice (its keys, its profile) and candidates come back lookup after lookup.
@lru_cache(maxsize=20_000)
def _content_words(text: str, version: int) -> tuple[str, ...]:
    return tuple(word for word in segment(text) if _is_content(word))


def _is_content(word: str) -> bool:
    return bool(_NOT_WORD.sub("", word)) and word not in GENERIC and not _DIGITS.fullmatch(word)


def document_frequencies(texts: Iterable[str]) -> tuple[Counter[str], int]:
    """How many of `texts` use each content word, and how many texts there were: the IDF's sample."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(content_words(text)))
        n += 1
    return df, n


class Scorer:
    """The re-check of candidates; weights words by IDF over a sample of appeals (`df`, `n`)."""

    TITLE_WEIGHT = 1.5
    WORD_SHARE = 0.45
    GRAM_SHARE = 0.25  # the rest is the title's echo in the other text
    OTHER_PLACE = 0.3  # both name places, none in common
    OTHER_CATEGORY = 0.85
    PROBLEM_AGREEMENT = 0.15  # below it, the score shrinks in proportion
    TERM_WEIGHT = 1.5  # a word of the taxonomy (拖欠农民工工资) says more of the problem than others

    def __init__(self, df: Mapping[str, int] | None = None, n: int = 0) -> None:
        self.df = df or {}
        self.n = n

    def idf(self, word: str) -> float:
        # Smoothed: a word never seen is as rare as one seen once; a lone character counts half.
        weight = math.log((self.n + 1) / (self.df.get(word, 0) + 1)) + 1.0
        return weight * (0.5 if len(word) == 1 else 1.0)

    def profile(self, title: str, description: str, category: str = "") -> Profile:
        parsed = _parse(title, description, dictionary_version())
        words: dict[str, float] = {}
        for word in parsed.description_words:
            words[word] = self.idf(word)
        title_words = {word: self.idf(word) for word in parsed.title_words}
        for word, weight in title_words.items():
            words[word] = self.TITLE_WEIGHT * weight
        problem = {word: self.idf(word) for word in parsed.problem_description}
        for word in parsed.problem_title:
            problem[word] = self.TITLE_WEIGHT * self.idf(word)
        for word in problem:
            if is_term(word):  # a term of the taxonomy (拖欠农民工工资) says more of the problem than others
                problem[word] *= self.TERM_WEIGHT
        return Profile(
            problem=problem,
            problem_norm=math.sqrt(sum(w * w for w in problem.values())),
            problem_grams=parsed.problem_grams,
            local_places=parsed.local_places,
            words=words,
            grams=parsed.grams,
            places=parsed.places,
            title_words=title_words,
            text=parsed.text,
            category=category,
            norm=math.sqrt(sum(w * w for w in words.values())),
        )

    def score(self, a: Profile, b: Profile) -> float:
        """0–1: how surely `a` and `b` tell the same problem at the same place."""
        if not a.norm or not b.norm:
            return 0.0
        shared = a.words.keys() & b.words.keys()
        cosine = sum(a.words[w] * b.words[w] for w in shared) / (a.norm * b.norm)
        union = len(a.grams | b.grams)
        dice = 2 * len(a.grams & b.grams) / (len(a.grams) + len(b.grams)) if union else 0.0
        echo = min(_echo(a.title_words, b.text), _echo(b.title_words, a.text))
        value = (
            self.WORD_SHARE * cosine + self.GRAM_SHARE * dice + (1 - self.WORD_SHARE - self.GRAM_SHARE) * echo
        )
        if (a.places and b.places and not same_place(a.places, b.places)) or (
            a.local_places and b.local_places and not same_place(a.local_places, b.local_places)
        ):
            value *= self.OTHER_PLACE
        # The same place is not the same problem: the words left once the places are taken out must agree
        # too (the walkway's lights and its railing share the walkway, not the problem).
        value *= min(1.0, problem_agreement(a, b) / self.PROBLEM_AGREEMENT)
        if a.category and b.category and a.category != b.category:
            value *= self.OTHER_CATEGORY
        return round(min(value * 1.6, 1.0), 3)


def problem_agreement(a: Profile, b: Profile) -> float:
    """0–1: how far two texts agree once their places are taken out (mean of words' cosine and bigrams' Dice)."""
    cosine = 0.0
    if a.problem_norm and b.problem_norm:
        shared = a.problem.keys() & b.problem.keys()
        cosine = sum(a.problem[w] * b.problem[w] for w in shared) / (a.problem_norm * b.problem_norm)
    grams = len(a.problem_grams) + len(b.problem_grams)
    dice = 2 * len(a.problem_grams & b.problem_grams) / grams if grams else 0.0
    return (2 * cosine + dice) / 3


def _echo(title_words: Mapping[str, float], text: str) -> float:
    """The IDF-weighted share of a title's words found in another text."""
    total = sum(title_words.values())
    if not total:
        return 0.0
    return sum(weight for word, weight in title_words.items() if word in text) / total
