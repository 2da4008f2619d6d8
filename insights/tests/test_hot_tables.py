"""`manage.py hot_issues --csv FILE --out XLSX`: the two task-2 tables from a file of messages, read back with
another reader than the one that wrote them (the workbook's XML)."""

import csv
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.support import xlsx_rows

TEDDY = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "teddy2020" / "messages_with_votes.csv"
)
HEADERS = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"]

MIXER = "我是丽发新城小区的业主，小区附近搅拌站日夜施工，噪音和灰尘严重影响居民休息，请求相关部门处理。"
PARKING = "伊景园滨河苑开发商捆绑销售车位，不买车位就不给交房，请求查处。"


def messages() -> list[list[object]]:
    rows: list[list[object]] = [
        [1, "U1", "丽发新城小区附近搅拌站噪音扰民", "2019/11/02 09:00:00", MIXER, 0, 3],
        [2, "U2", "投诉丽发新城搅拌站噪音灰尘污染", "2019/11/20 10:00:00", MIXER, 0, 1],
        [3, "U3", "丽发新城小区旁搅拌站严重影响生活", "2019/12/01 11:00:00", MIXER, 1, 0],
        [
            4,
            "U3",
            "再次投诉丽发新城搅拌站噪音",
            "2020/01/26 12:00:00",
            MIXER + "联系人王建国13812345678",
            0,
            0,
        ],
        [5, "U4", "伊景园滨河苑捆绑销售车位", "2019/07/07 09:00:00", PARKING, 0, 0],
        [6, "U5", "滨河苑捆绑车位销售合法吗", "2019/08/01 09:00:00", PARKING, 0, 0],
        [7, "U6", "投诉伊景园滨河苑强制捆绑车位", "2019/09/01 09:00:00", PARKING, 0, 0],
        [8, "U7", "咨询公积金贷款额度", "2019/05/01 09:00:00", "想了解公积金贷款的最高额度。", 0, 0],
        [9, "U8", "小学入学划片问题", "2019/06/01 09:00:00", "孩子明年上小学，学区怎么划分？", 0, 0],
    ]
    return rows


@pytest.fixture
def messages_file(tmp_path: Path) -> Path:
    path = tmp_path / "messages.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(messages())
    return path


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("hot_issues", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_tables_rank_the_clusters_and_list_their_messages(messages_file: Path, tmp_path: Path) -> None:
    book = tmp_path / "hot.xlsx"
    summary = run("--csv", str(messages_file), "--out", str(book))
    assert summary["clusters"] == 2 and summary["messages"] == 9 and float(str(summary["seconds"])) >= 0
    content = book.read_bytes()
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert "热点问题表" in workbook and "热点问题留言明细表" in workbook
    table = xlsx_rows(content, 1)
    assert table[0] == ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
    assert [row[0] for row in table[1:]] == ["1", "2"]
    first = table[1]
    assert first[3] == "2019/11/02 至 2020/01/26" and "搅拌站" in first[5]
    assert float(table[1][2]) > float(table[2][2])
    detail = xlsx_rows(content, 2)
    assert detail[0] == [
        "问题ID",
        "留言编号",
        "留言用户",
        "留言主题",
        "留言时间",
        "留言详情",
        "点赞数",
        "反对数",
    ]
    assert sorted(row[1] for row in detail[1:] if row[0] == "1") == ["1", "2", "3", "4"]
    assert sorted(row[1] for row in detail[1:] if row[0] == "2") == ["5", "6", "7"]


def test_the_tables_mask_names_and_phone_numbers(messages_file: Path, tmp_path: Path) -> None:
    book = tmp_path / "hot.xlsx"
    run("--csv", str(messages_file), "--out", str(book))
    text = str(xlsx_rows(book.read_bytes(), 1)) + str(xlsx_rows(book.read_bytes(), 2))
    assert "王建国" not in text and "13812345678" not in text and "王**" in text


def test_without_out_only_the_summary_line_is_printed(messages_file: Path) -> None:
    assert run("--csv", str(messages_file))["clusters"] == 2


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("hot_issues", "--csv", str(tmp_path / "absent.csv"))


@pytest.mark.skipif(not TEDDY.is_file(), reason="../shared/data/teddy2020/messages_with_votes.csv is absent")
def test_the_teddy2020_messages_give_the_known_hot_issues(tmp_path: Path) -> None:
    book = tmp_path / "teddy.xlsx"
    summary = run("--csv", str(TEDDY), "--out", str(book))
    assert summary["messages"] == 4326 and int(str(summary["clusters"])) >= 50
    top = [row[5] for row in xlsx_rows(book.read_bytes(), 1)[1:6]]
    # The two largest problems of the file: the mixing plant by 丽发新城, the parking sold with 伊景园滨河苑.
    assert any("丽发新城" in t and "搅拌" in t for t in top)
    assert any("滨河苑" in t and "车位" in t for t in top)
