"""Writes of the region tree."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.errors import InvalidInput
from geo.models import CODE_LENGTH, PREFIX_LENGTH, Region, code_prefix

# The reference deployment's division tree (黔南州, 522700), shipped with the project (geo/fixtures/ATTRIBUTION.md).
QIANNAN_CSV = Path(__file__).resolve().parent / "fixtures" / "qiannan_522700_tree.csv"
COLUMNS = ["level", "level_name", "code", "name", "parent_code"]
LEVEL_NAMES = {1: "province", 2: "prefecture", 3: "county", 4: "township", 5: "village"}
MAX_REPORTED = 100


@dataclass(frozen=True)
class RegionRow:
    line: int
    level: int
    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class RegionLoadSummary:
    created: int
    updated: int
    unchanged: int


def _shape_problem(code: str, level: int) -> str | None:
    """Why a 12-digit code cannot belong to this level, or None: 522701000000 is a county, not a township."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        return f"代码格式错误：应为12位数字，实为“{code}”"
    significant = PREFIX_LENGTH[level]
    previous = PREFIX_LENGTH[level - 1] if level > 1 else 0
    if code[significant:].strip("0"):
        return f"层级错误：{code} 不是第{level}级（{LEVEL_NAMES[level]}）的代码"
    if not code[previous:significant].strip("0"):
        return f"层级错误：{code} 的第{level}级（{LEVEL_NAMES[level]}）段为全零"
    return None


def _parse(path: Path) -> tuple[list[RegionRow], list[str]]:
    rows: list[RegionRow] = []
    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != COLUMNS:
            return [], [f"{path}:1: 表头应为 {','.join(COLUMNS)}"]
        for line, fields in enumerate(reader, start=2):
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(COLUMNS):
                problems.append(f"{path}:{line}: 应有{len(COLUMNS)}列，实有{len(fields)}列")
                continue
            level_text, level_name, code, name, parent_code = (f.strip() for f in fields)
            if level_text not in {"1", "2", "3", "4", "5"}:
                problems.append(f"{path}:{line}: 层级错误：层级应为1至5，实为“{level_text}”")
                continue
            level = int(level_text)
            if level_name != LEVEL_NAMES[level]:
                problems.append(
                    f"{path}:{line}: 层级错误：第{level}级应为 {LEVEL_NAMES[level]}，实为“{level_name}”"
                )
                continue
            if not name or len(name) > 100:
                problems.append(f"{path}:{line}: 名称不能为空且不超过100字")
                continue
            shape = _shape_problem(code, level)
            if shape:
                problems.append(f"{path}:{line}: {shape}")
                continue
            rows.append(RegionRow(line=line, level=level, code=code, name=name, parent_code=parent_code))
    return rows, problems


def _tree_problems(path: Path, rows: list[RegionRow]) -> list[str]:
    problems: list[str] = []
    first_line: dict[str, int] = {}
    levels: dict[str, int] = {}
    for row in rows:
        if row.code in first_line:
            problems.append(
                f"{path}:{row.line}: 重复的代码 {row.code}（首次出现在第{first_line[row.code]}行）"
            )
            continue
        first_line[row.code] = row.line
        levels[row.code] = row.level
    wanted = {row.parent_code for row in rows if row.parent_code and row.parent_code not in levels}
    levels.update(dict(Region.objects.filter(code__in=wanted).values_list("code", "level")))
    for row in rows:
        if row.level == 1:
            if row.parent_code:
                problems.append(f"{path}:{row.line}: 层级错误：省级区划不应有上级")
            continue
        if row.parent_code not in levels:
            problems.append(f"{path}:{row.line}: 上级代码“{row.parent_code}”不存在")
            continue
        parent_level = levels[row.parent_code]
        if parent_level != row.level - 1:
            problems.append(
                f"{path}:{row.line}: 层级错误：第{row.level}级区划的上级应为第{row.level - 1}级，"
                f"{row.parent_code} 为第{parent_level}级"
            )
        elif not row.code.startswith(code_prefix(row.parent_code, parent_level)):
            problems.append(f"{path}:{row.line}: 代码 {row.code} 不在上级 {row.parent_code} 之下")
    return problems


@transaction.atomic
def regions_load(*, path: Path) -> RegionLoadSummary:
    """Load a division tree from CSV: all rows or, on any bad row, none (the error lists file:line: reason)."""
    rows, problems = _parse(path)
    problems += _tree_problems(path, rows)
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        raise InvalidInput(
            "区划文件有误，未导入任何数据：\n" + "\n".join(shown) + (f"\n……另有{more}处错误" if more else ""),
            code="invalid_region_file",
            details=problems,
        )
    existing = Region.objects.in_bulk([row.code for row in rows])
    create: list[Region] = []
    update: list[Region] = []
    for row in sorted(rows, key=lambda r: (r.level, r.code)):
        parent_id = row.parent_code or None
        region = existing.get(row.code)
        if region is None:
            create.append(Region(code=row.code, name=row.name, level=row.level, parent_id=parent_id))
        elif (region.name, region.level, region.parent_id) != (row.name, row.level, parent_id):
            region.name, region.level, region.parent_id = row.name, row.level, parent_id
            update.append(region)
    # Two loads of the same file at once both find a code missing; the second one's insert is then a no-op.
    Region.objects.bulk_create(create, batch_size=1000, ignore_conflicts=True)
    Region.objects.bulk_update(update, ["name", "level", "parent"], batch_size=1000)
    return RegionLoadSummary(
        created=len(create), updated=len(update), unchanged=len(rows) - len(create) - len(update)
    )
