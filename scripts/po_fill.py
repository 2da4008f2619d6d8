"""Fill zh_Hans translations into django.po and djangojs.po (the field app's scripts) from JSON files of
{msgid: msgstr}; each pair goes into whichever catalogue holds its msgid (both, if both do).

A key "context\\u0004msgid" addresses a message with a context. Filled entries lose their fuzzy flag; entries
not named are left alone. Run `make messages` first so the catalogue holds every msgid, then this, then
`make messages` again to compile. Usage: python scripts/po_fill.py FILE.json [FILE.json ...]
"""

import json
import re
import sys
from pathlib import Path

LC_MESSAGES = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
PO_JS = LC_MESSAGES / "djangojs.po"


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote(lines: list[str]) -> str:
    raw = "".join(json.loads(line) for line in lines)
    return raw


def fill(translations: dict[str, str], po: Path = PO) -> tuple[int, list[str]]:
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    done = 0
    seen: set[str] = set()
    for n, block in enumerate(blocks):
        lines = block.split("\n")
        key, ctx, field = "", None, ""
        parts: dict[str, list[str]] = {}
        for line in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if m:
                field = m.group(1)
                parts[field] = [m.group(2)]
            elif line.startswith('"') and field:
                parts[field].append(line)
        if "msgid" not in parts:
            continue
        msgid = _unquote(parts["msgid"])
        if not msgid:
            continue
        if "msgctxt" in parts:
            ctx = _unquote(parts["msgctxt"])
        key = f"{ctx}\x04{msgid}" if ctx is not None else msgid
        if key not in translations:
            continue
        seen.add(key)
        value = translations[key]
        out = []
        skip = False
        for line in lines:
            if line.startswith("#,") and "fuzzy" in line:
                flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
                if flags:
                    out.append("#, " + ", ".join(flags))
                continue
            if line.startswith("#| "):
                continue
            if re.match(r"^msgstr(\[\d+\])? ", line):
                name = line.split(" ", 1)[0]
                out.append(f"{name} {_po_string(value)}")
                skip = True
                continue
            if skip and line.startswith('"'):
                continue
            skip = False
            out.append(line)
        blocks[n] = "\n".join(out)
        done += 1
    po.write_text("\n\n".join(blocks), encoding="utf-8")
    return done, sorted(set(translations) - seen)


if __name__ == "__main__":
    merged: dict[str, str] = {}
    for name in sys.argv[1:]:
        merged.update(json.loads(Path(name).read_text(encoding="utf-8")))
    count, missing = fill(merged, PO)
    count_js, missing_js = fill(merged, PO_JS)
    print(
        f"filled {count} + {count_js} (djangojs); in neither catalogue: {sorted(set(missing) & set(missing_js))}"
    )
