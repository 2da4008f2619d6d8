from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from geo.models import Region
from geo.services import QIANNAN_CSV

HEADER = "level,level_name,code,name,parent_code\n"
GOOD = HEADER + (
    "1,province,520000000000,贵州省,\n"
    "2,prefecture,522700000000,黔南布依族苗族自治州,520000000000\n"
    "3,county,522701000000,都匀市,522700000000\n"
    "4,township,522701001000,广惠街道,522701000000\n"
    "5,village,522701001001,广惠社区居民委员会,522701001000\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> str:
    call_command("load_regions", "--csv", str(path))
    return ""


@pytest.mark.django_db
def test_the_qiannan_fixture_loads_whole_and_twice_is_a_no_op(capsys) -> None:
    call_command("load_regions", "--csv", str(QIANNAN_CSV))
    assert "1587 created" in capsys.readouterr().out
    counts = {level: Region.objects.filter(level=level).count() for level in range(1, 6)}
    assert counts == {1: 1, 2: 1, 3: 12, 4: 109, 5: 1464}
    call_command("load_regions", "--csv", str(QIANNAN_CSV))
    assert "0 created, 0 updated, 1587 unchanged" in capsys.readouterr().out
    duyun = Region.objects.get(pk="522701000000")
    assert (duyun.name, duyun.level, duyun.parent_id, duyun.prefix) == ("都匀市", 3, "522700000000", "522701")


@pytest.mark.django_db
def test_a_renamed_region_is_updated(tmp_path: Path) -> None:
    load(write(tmp_path, GOOD))
    load(write(tmp_path, GOOD.replace("广惠街道,", "广惠新区,")))
    assert Region.objects.get(pk="522701001000").name == "广惠新区"


@pytest.mark.django_db
def test_a_subtree_file_may_hang_under_regions_already_loaded(tmp_path: Path) -> None:
    load(write(tmp_path, GOOD))
    load(write(tmp_path, HEADER + "4,township,522701002000,文峰街道,522701000000\n"))
    assert Region.objects.get(pk="522701002000").parent_id == "522701000000"


BAD_CASES = {
    "unknown parent": ("3,county,522702000000,福泉市,522799000000\n", ":7: 上级代码“522799000000”不存在"),
    "malformed code": ("3,county,52270A000000,福泉市,522700000000\n", ":7: 代码格式错误"),
    "short code": ("3,county,5227020,福泉市,522700000000\n", ":7: 代码格式错误"),
    "duplicate": (
        "3,county,522701000000,都匀市,522700000000\n",
        ":7: 重复的代码 522701000000（首次出现在第4行）",
    ),
    "level not matching code": ("4,township,522702000000,福泉市,522700000000\n", ":7: 层级错误"),
    "level name not matching level": ("3,township,522702000000,福泉市,522700000000\n", ":7: 层级错误"),
    "level out of range": ("6,group,522702000000,福泉市,522700000000\n", ":7: 层级错误"),
    "parent one level too high": ("4,township,522701002000,文峰街道,522700000000\n", ":7: 层级错误"),
    "code outside its parent": (
        "4,township,522702001000,牛场镇,522701000000\n",
        ":7: 代码 522702001000 不在上级",
    ),
    "province with a parent": ("1,province,530000000000,云南省,520000000000\n", ":7: 层级错误"),
    "missing column": ("3,county,522702000000,福泉市\n", ":7: 应有5列，实有4列"),
    "empty name": ("3,county,522702000000,,522700000000\n", ":7: 名称不能为空"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_CASES)
def test_a_bad_row_stops_the_load_with_file_line_and_reason_and_writes_nothing(
    tmp_path: Path, case: str
) -> None:
    row, reason = BAD_CASES[case]
    path = write(tmp_path, GOOD + row)
    with pytest.raises(CommandError) as error:
        load(path)
    assert f"{path}{reason}" in str(error.value)
    assert "未导入任何数据" in str(error.value)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name\n522700000000,黔南\n")
    with pytest.raises(CommandError, match=":1: 表头应为"):
        load(path)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_every_bad_row_is_reported_not_only_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + BAD_CASES["unknown parent"][0] + "3,county,52270B000000,x,522700000000\n")
    with pytest.raises(CommandError) as error:
        load(path)
    assert ":7: 上级代码" in str(error.value)
    assert ":8: 代码格式错误" in str(error.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("load_regions", "--csv", str(tmp_path / "none.csv"))
