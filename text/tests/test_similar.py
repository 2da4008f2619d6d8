"""The similarity of appeals on the near-duplicate set of text/tests/near_duplicates.py (no database)."""

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from text.chinese import place_forms, reset_terms
from text.similar import THRESHOLD, Scorer, band_keys, document_frequencies
from text.tests.near_duplicates import Item, items

TREE = Path(__file__).resolve().parents[2] / "geo" / "fixtures" / "qiannan_522700_tree.csv"


@pytest.fixture(autouse=True)
def region_dictionary() -> Iterator[None]:
    """The segmenter's dictionary as a deployment has it: the names of the region table."""
    with TREE.open(encoding="utf-8") as f:
        reset_terms([form for row in csv.DictReader(f) for form in place_forms(row["name"])])
    yield
    reset_terms()


def pairs(found: list[Item]) -> Iterator[tuple[Item, Item]]:
    """Every pair the lookup may meet: two texts of one county."""
    for a, b in itertools.combinations(found, 2):
        if a.county == b.county:
            yield a, b


def test_every_duplicate_pair_meets_in_a_band() -> None:
    found = items()
    keys = {item.key: set(band_keys(item.title, item.description, area=item.county)) for item in found}
    missed = [(a.key, b.key) for a, b in pairs(found) if a.group == b.group and not keys[a.key] & keys[b.key]]
    assert missed == []


def test_the_same_text_in_another_county_shares_no_key() -> None:
    title, description = "剑江中路路灯不亮", "剑江中路路灯坏了一个月，请尽快修复。"
    assert not set(band_keys(title, description, area="522701")) & set(
        band_keys(title, description, area="522702")
    )


def test_the_set_is_found_with_high_recall_and_precision() -> None:
    """Target recall ≥ 0.95 at precision ≥ 0.9; measured 0.957 at 0.957 (docs/benchmarks.md, round 2: the
    problem apart from the place must agree)."""
    found = items()
    df, n = document_frequencies(f"{i.title} {i.description}" for i in found)
    scorer = Scorer(df, n)
    profiles = {i.key: scorer.profile(i.title, i.description, i.category) for i in found}
    keys = {i.key: set(band_keys(i.title, i.description, area=i.county)) for i in found}
    true_pos = false_pos = positives = 0
    for a, b in pairs(found):
        same = a.group == b.group
        positives += same
        hit = bool(keys[a.key] & keys[b.key]) and scorer.score(profiles[a.key], profiles[b.key]) >= THRESHOLD
        true_pos += hit and same
        false_pos += hit and not same
    recall, precision = true_pos / positives, true_pos / (true_pos + false_pos)
    assert positives == 46
    assert recall >= 0.95
    assert precision >= 0.9


def test_a_paraphrase_scores_above_the_same_problem_at_another_village() -> None:
    found = {i.key: i for i in items()}
    scorer = Scorer()
    original, paraphrase, elsewhere = (
        scorer.profile(found[k].title, found[k].description) for k in ("g10-a", "g10-c", "n14")
    )
    assert scorer.score(original, paraphrase) >= THRESHOLD > scorer.score(original, elsewhere)


def test_an_empty_text_is_similar_to_nothing() -> None:
    scorer = Scorer()
    assert scorer.score(scorer.profile("", ""), scorer.profile("路灯不亮", "路灯坏了")) == 0.0


def test_streets_estates_markets_and_buildings_are_places() -> None:
    from text.similar import local_places

    found = local_places(
        "我家住沙坪路锦绣花园3栋，小区门口的东山农贸市场每天早上堵车，从百花桥一直堵到新华街。"
    )
    assert {"沙坪路", "锦绣花园", "3栋", "东山农贸市场", "百花桥", "新华街"} <= set(found)
    # Words that end like a place but are not one.
    assert local_places("看不清路，走了一半路就回去了，道路坑洼。") == []


# Written for round 2, apart from the set the weights were chosen on: (title, description) triples where the
# first two tell one problem and the third tells another problem at the same place.
_HELD_OUT = [
    (
        (
            "文笔路锦绣花园2栋化粪池堵塞外溢",
            "文笔路锦绣花园2栋楼下化粪池堵了一个星期，污水漫到路面，臭得窗户都不敢开，请物业和城管尽快疏通。",
        ),
        (
            "锦绣花园2栋楼下粪水横流",
            "我住锦绣花园2栋，楼下化粪池冒粪水已经七八天了，满地污水臭气熏天，物业一直拖着不疏通。",
        ),
        (
            "文笔路锦绣花园2栋门禁坏了",
            "文笔路锦绣花园2栋单元门的门禁坏了两个月，外人随便进出，晚上有陌生人在楼道里睡觉，请物业修好门禁。",
        ),
    ),
    (
        (
            "东山农贸市场卖菜摊位缺斤少两",
            "东山农贸市场南门第二排的蔬菜摊，电子秤有问题，买两斤青菜回家一称只有一斤六两，请市场监管部门查一查秤。",
        ),
        (
            "东山农贸市场菜摊电子秤作弊",
            "在东山农贸市场南门卖菜的那家用的电子秤不准，我买的青菜少了四两，别的顾客也说被坑过，请来检查。",
        ),
        (
            "东山农贸市场南门垃圾堆积",
            "东山农贸市场南门外的垃圾桶满了好几天没人清运，烂菜叶堆在路边，苍蝇很多，请环卫部门及时清理。",
        ),
    ),
]


@pytest.mark.parametrize("same, duplicate, other", _HELD_OUT)
def test_held_out_the_same_place_with_another_problem_is_not_a_duplicate(
    same: tuple[str, str], duplicate: tuple[str, str], other: tuple[str, str]
) -> None:
    scorer = Scorer()
    first, second, third = (scorer.profile(*text) for text in (same, duplicate, other))
    assert scorer.score(first, second) >= THRESHOLD
    assert scorer.score(first, third) < THRESHOLD
    assert scorer.score(second, third) < THRESHOLD


def test_a_category_term_is_not_a_place() -> None:
    from text.similar import is_place

    reset_terms(["百鸟河村", "农业农村"], places=["百鸟河村"])
    assert is_place("百鸟河村")
    assert not is_place("农业农村")  # the 农业农村局 of two villages is no place they share
