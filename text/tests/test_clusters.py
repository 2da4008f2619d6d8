"""text.clusters on small texts: one problem told in other words is one cluster, look-alikes about another place
or thing are not, groups never mix, and a cluster is named by its own words."""

import pytest

from text.chinese import reset_terms
from text.clusters import Text, cluster, common_place, key_phrases, places


@pytest.fixture(autouse=True)
def dictionary():
    reset_terms(["锦绣家园", "丽发新城", "广惠街道", "文峰街道"])
    yield
    reset_terms()


MIXER = [
    Text("丽发新城小区附近搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘严重影响居民休息。"),
    Text("投诉丽发新城搅拌站噪音污染", "搅拌站离丽发新城小区不到百米，机器轰鸣，晚上无法睡觉。"),
    Text("丽发新城搅拌站灰尘噪音影响生活", "丽发新城小区附近搅拌站灰尘大、噪音大，居民苦不堪言。"),
]
WAGES = [
    Text("锦绣家园工地拖欠农民工工资", "广惠街道锦绣家园工地包工头拖欠二十多名农民工工资。"),
    Text("锦绣家园工地包工头欠薪", "锦绣家园建筑工地欠我们农民工工资三个月未发。"),
    Text("讨要锦绣家园工地工资", "在锦绣家园工地干活的工人工资被拖欠，春节前急需回家。"),
]
OTHER = [
    Text("咨询公积金贷款额度", "想了解住房公积金贷款的最高额度和办理流程。"),
    Text("小学入学划片问题", "孩子明年上小学，想知道学区怎么划分。"),
    Text("某餐馆拖欠服务员工资", "文峰街道一家火锅店老板拖欠两名服务员工资。"),
]


def test_paraphrases_of_one_problem_are_one_cluster_and_look_alikes_stay_apart() -> None:
    found = cluster(MIXER + WAGES + OTHER, min_size=2)
    parts = sorted(sorted(c.members) for c in found)
    assert parts == [[0, 1, 2], [3, 4, 5]]  # the restaurant's unpaid wages are another problem


def test_texts_of_different_groups_never_share_a_cluster() -> None:
    texts = [Text(t.title, t.body, group="522701") for t in WAGES[:2]]
    texts.append(Text(WAGES[2].title, WAGES[2].body, group="522702"))
    [only] = cluster(texts, min_size=2)
    assert sorted(only.members) == [0, 1]


def test_a_cluster_is_named_by_its_phrases_its_typical_title_and_its_place() -> None:
    [mixer] = [c for c in cluster(MIXER + OTHER, min_size=2)]
    assert mixer.title in {t.title for t in MIXER}
    assert any("搅拌站" in p for p in mixer.phrases) and len(mixer.phrases) <= 5
    assert mixer.place == "丽发新城小区" or "丽发新城" in mixer.place
    assert 0 < mixer.cohesion <= 1


def test_key_phrases_join_neighbouring_heavy_words_and_leave_out_names() -> None:
    phrases = key_phrases(
        {"搅拌站": 0.5, "噪音": 0.4, "居民": 0.3, "王建国": 0.6}, ["王建国说搅拌站噪音扰民"]
    )
    assert "搅拌站噪音" in phrases and "居民" in phrases and not any("王建国" in p for p in phrases)


def test_places_read_pseudonymised_codes_and_place_words() -> None:
    assert any(p.startswith("A3区") for p in places("A3区青青家园小区公共通道被占"))
    assert common_place([Text("广惠街道积水"), Text("广惠街道路面积水"), Text("下雨积水")]).startswith("广惠")


def test_nothing_to_cluster_gives_nothing() -> None:
    assert cluster([]) == [] and cluster(OTHER, min_size=2) == []


def test_a_word_that_only_ends_like_a_place_names_none() -> None:
    road = [Text("公路塌方无人修"), Text("公路塌方，车辆无法通行"), Text("通村公路塌方")]
    assert common_place(road) == ""
    assert common_place([Text("墨冲镇公路塌方"), Text("墨冲镇公路塌方无人修")]) == "墨冲镇"
