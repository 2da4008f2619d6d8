"""The zh-Hans catalogue is complete, compiled and used: no UI string reaches a user untranslated.

When a test here fails after adding a UI string, run `make messages`, translate the new entries in
locale/zh_Hans/LC_MESSAGES/django.po (terms: DESIGN.md §1 and §3) and compile again.
No database is needed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

from geo.models import Region
from org.models import Role, UnitKind
from tests.catalogue import (
    ASCII_PUNCTUATION,
    CJK,
    CONTEXT_SEP,
    PLACEHOLDER,
    Entry,
    compiled_messages,
    expected_messages,
    parse_po,
)

BASE_DIR = Path(__file__).resolve().parents[1]
LC_MESSAGES = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


# Separator gettext puts between a message's context and its msgid.
@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    return parse_po(PO_FILE)


@pytest.fixture(scope="module")
def entries(catalogue: tuple[Entry, list[Entry]]) -> list[Entry]:
    return catalogue[1]


def where(entry: Entry) -> str:
    return f"{PO_FILE.name}:{entry.line} {entry.msgid!r} ({' '.join(entry.references) or 'no reference'})"


# --- the catalogue itself ------------------------------------------------------------------------


def test_header_declares_language_plural_forms_and_charset(catalogue: tuple[Entry, list[Entry]]) -> None:
    header, _entries = catalogue
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert "fuzzy" not in header.flags, "a fuzzy header makes msgfmt skip the whole catalogue"


def test_catalogue_has_entries(entries: list[Entry]) -> None:
    assert len(entries) > 100


def test_every_msgid_has_a_translation(entries: list[Entry]) -> None:
    untranslated = [
        where(e) for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(entries: list[Entry]) -> None:
    fuzzy = [where(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders(entries: list[Entry]) -> None:
    wrong = [
        where(e)
        for e in entries
        for s in e.msgstr.values()
        if sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
    ]
    assert not wrong, "placeholders changed:\n" + "\n".join(wrong)


def test_chinese_sentences_use_full_width_punctuation(entries: list[Entry]) -> None:
    wrong = [
        f"{where(e)} → {s!r}"
        for e in entries
        for s in e.msgstr.values()
        if CJK.search(s) and ASCII_PUNCTUATION.search(PLACEHOLDER.sub("", s))
    ]
    assert not wrong, "use ，。；：！？（） in Chinese text:\n" + "\n".join(wrong)


# --- the compiled catalogue ----------------------------------------------------------------------


def test_mo_file_is_compiled_from_the_current_po(entries: list[Entry]) -> None:
    """django.mo holds exactly the .po's translations.

    This compares contents rather than modification times: a git checkout gives both files the time
    of the checkout, in whatever order, so an mtime check would pass or fail at random on a fresh clone.
    """
    assert MO_FILE.exists(), "run: python manage.py compilemessages -l zh_Hans --ignore '.venv/*'"
    compiled = compiled_messages(MO_FILE)
    expected = expected_messages(entries)
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, "django.mo is out of date; run compilemessages. Differences: " + ", ".join(stale[:20])


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("Sign in", "登录"),
        ("Sign out", "退出登录"),
        ("Big Visit work platform", "大走访工作平台"),
        ("Zoufang", "走访"),
        ("Username", "用户名"),
        ("Password", "密码"),
    ],
)
def test_key_strings_come_out_chinese(message: str, chinese: str) -> None:
    with translation.override("zh-hans"):
        assert translation.gettext(message) == chinese
    with translation.override("en"):
        assert translation.gettext(message) == message


def test_placeholders_are_filled_in_chinese() -> None:
    # Messages go through a variable here: makemessages scans test files too, and a literal in a
    # gettext call would add this file to the catalogue's references.
    hello = "Hello, %(name)s"
    with translation.override("zh-hans"):
        assert translation.gettext(hello) % {"name": "张三"} == "张三，您好"


def test_choice_labels_use_the_official_terms() -> None:
    with translation.override("zh-hans"):
        assert str(Region.Level.TOWNSHIP.label) == "乡镇"
        assert str(Region.Level.COUNTY.label) == "县（市、区）"
        assert str(Region.Level.VILLAGE.label) == "村（社区）"
        assert str(UnitKind.HUMAN_RESOURCES.label) == "人力资源和社会保障局"
        assert str(UnitKind.VILLAGE_COMMITTEE.label) == "村（居）委会"
        assert str(Role.VISITOR.label) == "走访干部"
        assert str(Role.DISPATCHER.label) == "调度员"
        assert str(Role.UNIT_HEAD.label) == "单位负责人"


# --- every string marked in the source is in the catalogue ---------------------------------------

# The project's own code: the shared templates, config/ and every app (a top-level folder with an apps.py).
SOURCE_DIRS = [
    BASE_DIR / "templates",
    BASE_DIR / "config",
    *sorted(path.parent for path in BASE_DIR.glob("*/apps.py")),
]
SKIPPED_PARTS = {"migrations", "tests", ".venv", "var", "static", "node_modules"}

# Translation functions and the positions of (context, singular, plural) in their arguments.
GETTEXT_FUNCTIONS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _project_files(pattern: str) -> list[Path]:
    return [
        path
        for root in SOURCE_DIRS
        for path in sorted(root.rglob(pattern))
        if not SKIPPED_PARTS & set(path.relative_to(BASE_DIR).parts)
    ]


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_messages(path: Path) -> set[str]:
    """Catalogue keys of the literal strings passed to a translation function (multi-line calls too)."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        context_at, singular_at, _plural_at = GETTEXT_FUNCTIONS[name]
        if len(node.args) <= singular_at or (msgid := _literal(node.args[singular_at])) is None:
            continue  # a variable or an f-string: nothing makemessages could extract either
        context = _literal(node.args[context_at]) if context_at is not None else None
        keys.add(msgid if context is None else f"{context}{CONTEXT_SEP}{msgid}")
    return keys


_QUOTED = r"""(?:"([^"]*)"|'([^']*)')"""
TRANSLATE_TAG = re.compile(r"{%\s*trans(?:late)?\s+" + _QUOTED + r"(.*?)%}")
CONTEXT_OPTION = re.compile(r"\bcontext\s+" + _QUOTED)
BLOCK_TAG = re.compile(r"{%\s*blocktrans(?:late)?\b(.*?)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.DOTALL)
PLURAL_TAG = re.compile(r"{%\s*plural\s*%}")
TEMPLATE_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")
UNDERSCORE_CONSTANT = re.compile(r"\b_\(\s*" + _QUOTED + r"\s*\)")


def _with_context(msgid: str, options: str) -> str:
    match = CONTEXT_OPTION.search(options)
    return msgid if match is None else f"{match[1] if match[1] is not None else match[2]}{CONTEXT_SEP}{msgid}"


def template_messages(path: Path) -> set[str]:
    """Catalogue keys of {% translate "…" %}, {% blocktranslate %}…{% endblocktranslate %} and _("…")."""
    source = path.read_text(encoding="utf-8")
    keys = set()
    for match in TRANSLATE_TAG.finditer(source):
        msgid = match[1] if match[1] is not None else match[2]
        keys.add(_with_context(msgid.replace("%", "%%"), match[3]))
    for match in BLOCK_TAG.finditer(source):
        options, body = match[1], PLURAL_TAG.split(match[2])[0]
        # What makemessages does to the text: {{ name }} → %(name)s, % → %%, and `trimmed` joins lines.
        msgid = TEMPLATE_VARIABLE.sub(r"%(\1)s", body.replace("%", "%%"))
        if "trimmed" in options.split():
            msgid = translation.trim_whitespace(msgid)
        keys.add(_with_context(msgid, options))
    for match in UNDERSCORE_CONSTANT.finditer(source):
        keys.add(match[1] if match[1] is not None else match[2])
    return keys


def test_the_scan_finds_the_known_strings() -> None:
    """Guards the scanner itself: if it found nothing, the next test would pass vacuously."""
    python = set().union(*(python_messages(p) for p in _project_files("*.py")))
    templates = set().union(*(template_messages(p) for p in _project_files("*.html")))
    assert {"township", "Human Resources and Social Security Bureau", "Simplified Chinese"} <= python
    assert {"Sign in", "Big Visit work platform", "Hello, %(name)s"} <= templates
    assert any("%(cool_off_minutes)s" in key for key in templates)


def test_every_marked_string_is_in_the_catalogue(entries: list[Entry]) -> None:
    known = {e.key for e in entries}
    missing = [
        f"{path.relative_to(BASE_DIR)}: {key!r}"
        for pattern, scan in (("*.py", python_messages), ("*.html", template_messages))
        for path in _project_files(pattern)
        for key in sorted(scan(path) - known)
    ]
    assert not missing, "not in django.po; run `make messages` and translate:\n" + "\n".join(missing)
