#!/usr/bin/env python3
"""Fail when a translation catalogue has an empty or fuzzy message.

Usage: scripts/check_translations.py [FILE.po ...]

Without arguments, checks every catalogue under src/reintegra/locale/ and src/reintegra/<app>/locale/ (django.po and, when present,
djangojs.po of each language). Exits 0 when every message of every file is translated and none is
fuzzy; 1 otherwise, listing the offending messages; 2 when a file is missing or cannot be parsed.

Standard library only: it runs with the project's virtual environment and needs neither polib nor
GNU gettext. The header entry (msgid "") is not a message and is not counted.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "reintegra" / "locale"
SHOWN = 20  # offending messages listed per file


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        text = self.msgid if len(self.msgid) <= 70 else self.msgid[:67] + "..."
        context = f" [context: {self.msgctxt}]" if self.msgctxt is not None else ""
        return f"line {self.line}: {text!r}{context}"


class ParseError(Exception):
    pass


def _unquote(token: str, path: Path, number: int) -> str:
    token = token.strip()
    if not (len(token) >= 2 and token[0] == '"' and token[-1] == '"'):
        raise ParseError(f"{path}:{number}: expected a quoted string, got {token!r}")
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError) as exc:
        raise ParseError(f"{path}:{number}: bad string {token!r}") from exc
    return str(value)


def parse(path: Path) -> list[Entry]:
    """Entries of a .po file, in order (the header included, obsolete "#~" entries marked)."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    pending_line = 0
    target: tuple[str, int | None] | None = None  # the field that continuation lines extend
    seen_keyword = False
    last_keyword = ""

    def finish() -> None:
        nonlocal current, seen_keyword
        if current is not None and seen_keyword:
            entries.append(current)
        current, seen_keyword = None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete entry
                continue
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if seen_keyword:  # a comment after the strings starts the next entry
                finish()
                target = None
            if line.startswith("#,"):
                pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            pending_line = pending_line or number
            continue
        if line.startswith('"'):
            if target is None or current is None:
                raise ParseError(f"{path}:{number}: string outside an entry")
            value = _unquote(line, path, number)
            name, index = target
            if name == "msgstr":
                current.msgstr[index or 0] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        # msgctxt always opens an entry; msgid does too unless it follows that entry's msgctxt.
        if seen_keyword and (keyword == "msgctxt" or (keyword == "msgid" and last_keyword != "msgctxt")):
            finish()
        last_keyword = keyword
        if current is None:
            current = Entry(line=pending_line or number, flags=pending_flags, obsolete=obsolete)
            pending_flags, pending_line = set(), 0
        seen_keyword = True
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest, path, number))
            target = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = _unquote(rest, path, number)
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            try:
                index = int(keyword[7:-1])
            except ValueError as exc:
                raise ParseError(f"{path}:{number}: bad plural index in {keyword!r}") from exc
            current.msgstr[index] = _unquote(rest, path, number)
            target = ("msgstr", index)
        else:
            raise ParseError(f"{path}:{number}: unknown keyword {keyword!r}")
    finish()
    return entries


def problems(entries: list[Entry]) -> tuple[int, list[Entry], list[Entry]]:
    """(translated count, untranslated entries, fuzzy entries), the header and obsolete entries left out."""
    translated, untranslated, fuzzy = 0, [], []
    # A plural needs every form the language's header declares (Spanish and French have three in current
    # gettext): a missing one shows the English text for those numbers.
    header = next((e.msgstr.get(0, "") for e in entries if e.msgid == "" and e.msgctxt is None), "")
    found = re.search(r"nplurals\s*=\s*(\d+)", header)
    forms = int(found.group(1)) if found else 2
    for entry in entries:
        if entry.obsolete or (entry.msgid == "" and entry.msgctxt is None):
            continue
        if "fuzzy" in entry.flags:
            fuzzy.append(entry)
        elif (
            not entry.msgstr
            or any(not value for value in entry.msgstr.values())
            or (entry.msgid_plural is not None and len(entry.msgstr) < forms)
        ):
            untranslated.append(entry)
        else:
            translated += 1
    return translated, untranslated, fuzzy


def default_files() -> list[Path]:
    # The project catalogue and each app's own (src/reintegra/<app>/locale/).
    return sorted(LOCALE_DIR.parent.glob("**/locale/*/LC_MESSAGES/django*.po"))


def main(argv: list[str]) -> int:
    files = [Path(arg) for arg in argv] or default_files()
    if not files:
        print(f"check_translations: no .po file under {LOCALE_DIR}", file=sys.stderr)
        return 2
    status = 0
    for path in files:
        try:
            entries = parse(path)
        except (OSError, UnicodeDecodeError, ParseError) as exc:
            print(f"check_translations: {exc}", file=sys.stderr)
            return 2
        translated, untranslated, fuzzy = problems(entries)
        try:
            shown = path.resolve().relative_to(ROOT)
        except ValueError:
            shown = path
        print(
            f"{shown}: {translated} translated messages, "
            f"{len(untranslated)} untranslated messages, {len(fuzzy)} fuzzy translations."
        )
        for kind, bad in (("untranslated", untranslated), ("fuzzy", fuzzy)):
            for entry in bad[:SHOWN]:
                print(f"  {kind}: {entry.label}")
            if len(bad) > SHOWN:
                print(f"  ... and {len(bad) - SHOWN} more {kind}")
        if untranslated or fuzzy:
            status = 1
    if status:
        print(
            "check_translations: translate the messages above and remove their '#, fuzzy' flags "
            "(scripts/makemessages.sh).",
            file=sys.stderr,
        )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
