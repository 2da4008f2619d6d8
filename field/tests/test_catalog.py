"""The field app's texts: every one its scripts ask the JavaScript catalog for is in djangojs.po, translated
with the same placeholders and full-width punctuation, and compiled into djangojs.mo.

When a test here fails after changing a text in field/static/field/*.js, run `make messages`, translate the
new entries in locale/zh_Hans/LC_MESSAGES/djangojs.po and compile again. No database is needed.
"""

import re
from pathlib import Path

import pytest

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

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPTS = BASE_DIR / "field" / "static" / "field"
LC_MESSAGES = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"

_STRING = r'"((?:[^"\\]|\\.)*)"'
# gettext("msgid"), ngettext("singular", "plural", n) and pgettext("context", "msgid"), as makemessages reads them.
CALL = re.compile(r"\b(gettext|ngettext|pgettext)\(\s*" + _STRING + r"(?:\s*,\s*" + _STRING + r")?")


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    header, entries = parse_po(LC_MESSAGES / "djangojs.po")
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "fuzzy" not in header.flags, "a fuzzy header makes msgfmt skip the whole catalogue"
    return entries


def script_messages() -> set[str]:
    keys = set()
    for path in SCRIPTS.glob("*.js"):
        for function, first, second in CALL.findall(path.read_text(encoding="utf-8")):
            keys.add(f"{first}{CONTEXT_SEP}{second}" if function == "pgettext" else first)
    return keys


def test_every_text_of_the_scripts_is_in_the_catalogue(entries: list[Entry]) -> None:
    asked = script_messages()
    assert {"offline", "waiting to sync", "list separator\x04; "} <= asked  # the scan itself works
    assert sorted(asked - {e.key for e in entries}) == []


def test_every_text_is_translated_keeping_its_placeholders(entries: list[Entry]) -> None:
    for e in entries:
        assert e.msgstr and all(s.strip() for s in e.msgstr.values()), e.msgid
        assert "fuzzy" not in e.flags, e.msgid
        for s in e.msgstr.values():
            assert sorted(PLACEHOLDER.findall(s)) == sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid)), s
            assert not (CJK.search(s) and ASCII_PUNCTUATION.search(PLACEHOLDER.sub("", s))), s


def test_the_compiled_catalogue_matches_the_po(entries: list[Entry]) -> None:
    compiled = compiled_messages(LC_MESSAGES / "djangojs.mo")
    expected = expected_messages(entries)
    assert compiled == expected, "djangojs.mo is out of date; run compilemessages"
