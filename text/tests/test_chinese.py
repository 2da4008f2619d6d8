from collections.abc import Iterator

import pytest

from text.chinese import normalise, reset_terms, segment


@pytest.fixture(autouse=True)
def _dictionary() -> Iterator[None]:
    reset_terms(["沙包堡街道", "拖欠农民工工资"])
    yield
    reset_terms()


def test_full_width_and_traditional_are_normalised() -> None:
    assert normalise("ＡＢＣ１２３　這個問題") == "ABC123 这个问题"


def test_user_dictionary_keeps_place_names_and_terms_whole() -> None:
    words = segment("都匀市沙包堡街道拖欠农民工工资")
    assert "沙包堡街道" in words
    assert "拖欠农民工工资" in words


def test_pseudonymised_place_codes_are_one_word() -> None:
    words = segment("A6区的住房公积金问题，西地省K8县")
    assert "A6区" in words
    assert "K8县" in words
    assert " " not in words


def test_without_the_term_the_place_name_is_split() -> None:
    reset_terms([])
    assert "沙包堡街道" not in segment("都匀市沙包堡街道")
