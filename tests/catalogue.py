"""Reading gettext catalogues (.po) for the tests that check the Chinese of the pages and of the field app."""

import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

CONTEXT_SEP = "\x04"


# --- a small .po parser --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}{CONTEXT_SEP}{self.msgid}"


_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _po_string(text: str) -> str:
    """The value of one quoted .po string: `"a\\"b"` → `a"b`."""
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _PO_ESCAPES.get(m[1], m[0]), text[1:-1])


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the message entries of a .po file (obsolete `#~` entries are ignored)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # the keyword that continuation lines append to

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path.name}:{number}: string outside an entry"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _po_string(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _po_string(line))
        else:
            keyword, _, value = line.partition(" ")
            if target is not None and target[0].startswith("msgstr") and not keyword.startswith("msgstr"):
                finish()  # a new entry without a blank line between
            if not entry.line:
                entry.line = number
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or match:
                index = int(match[1]) if match else 0
                entry.msgstr[index] = _po_string(value)
                target = ("msgstr", index)
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                setattr(entry, keyword, _po_string(value))
                target = (keyword, 0)
            else:
                raise AssertionError(f"{path.name}:{number}: unexpected line {raw!r}")
    finish()
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the catalogue must have exactly one header entry"
    return header[0], [e for e in entries if e is not header[0]]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")

CJK = re.compile(r"[\u4e00-\u9fff]")

ASCII_PUNCTUATION = re.compile(r"[,.;:!?()]")


def compiled_messages(mo_path: Path) -> dict[object, str]:
    """A compiled catalogue's messages (the header left out), keyed as expected_messages keys them."""
    with mo_path.open("rb") as fp:
        compiled = dict(gnu_gettext.GNUTranslations(fp)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)
    return compiled


def expected_messages(entries: list[Entry]) -> dict[object, str]:
    """What the .mo compiled from these entries holds: msgid (with its context) → msgstr, plurals by form."""
    expected: dict[object, str] = {}
    for e in entries:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            expected.update({(e.key, n): s for n, s in e.msgstr.items()})
    return expected
