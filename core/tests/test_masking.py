import pytest

from core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("李小明", "李**"), ("欧阳娜娜", "欧阳**"), ("王", "王"), ("", ""), (" 赵六 ", "赵*")],
)
def test_names_keep_only_the_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0854-8221234", "085****1234"),
        ("12345", "1**45"),
        ("110", "***"),
        ("", ""),
    ],
)
def test_phones_keep_at_most_three_leading_and_four_trailing_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("52270119800101123x", "5227**********123X"),
        ("522701198001011234", "5227**********1234"),
        ("522701800101123", "5227*******1123"),
        ("1234", "1***"),
        ("", ""),
    ],
)
def test_id_numbers_keep_the_region_prefix_and_last_four(id_number: str, masked: str) -> None:
    assert mask_id_number(id_number) == masked


def test_masked_values_never_contain_the_hidden_middle() -> None:
    assert "1234" not in mask_phone("13812345678")[3:7]
    assert "19800101" not in mask_id_number("52270119800101123X")
