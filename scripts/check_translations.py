#!/usr/bin/env python3
"""Fail when a translation catalogue has an empty or fuzzy message.

Usage: scripts/check_translations.py [FILE.po ...]
       scripts/check_translations.py --align

Without arguments it also fails on a *shadowed* message: the same message (context and text) translated
differently in two catalogues of one language. Django merges the catalogues into one (the project's
`locale/` first, then the apps in INSTALLED_APPS order), so only one of the translations is ever shown and
the other is dead text that misleads translators. A word whose translation depends on what it qualifies
("Closed" for a vacancy, *cerrada*, or a case, *cerrado*) needs a message context (`pgettext`) in the app;
anything else takes the translation that is shown: `--align` writes it into the other catalogues.

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


def _precedence(path: Path) -> tuple[int, str]:
    """Which catalogue wins when two translate one message: the project's, then the apps in the order of
    INSTALLED_APPS (Django merges later catalogues under earlier ones)."""
    app = path.relative_to(LOCALE_DIR.parent).parts[0]
    if app == "locale":
        return (0, "")
    settings = (LOCALE_DIR.parent / "settings" / "__init__.py").read_text(encoding="utf-8")
    order = re.findall(r'"reintegra\.(\w+)"', settings)
    return (1 + (order.index(app) if app in order else len(order)), app)


def shadowed(files: list[Path]) -> list[tuple[Path, Entry, Path, Entry]]:
    """(loser file, its entry, winning file, its entry) for every message translated differently in two
    catalogues of the same language."""
    found = []
    by_language: dict[str, list[Path]] = {}
    for path in files:
        if path.name == "django.po":
            by_language.setdefault(path.parent.parent.name, []).append(path)
    for paths in by_language.values():
        shown: dict[tuple[str | None, str], tuple[Path, Entry]] = {}
        for path in sorted(paths, key=_precedence):
            for entry in parse(path):
                if entry.obsolete or not entry.msgid:
                    continue
                key = (entry.msgctxt, entry.msgid)
                if key not in shown:
                    shown[key] = (path, entry)
                elif shown[key][1].msgstr != entry.msgstr:
                    found.append((path, entry, *shown[key]))
    return found


def align(files: list[Path]) -> int:
    """Give each shadowed message the translation that is shown (rewrites the losing catalogues' msgstr)."""
    changes: dict[Path, dict[int, Entry]] = {}
    for path, entry, _winner, shown in shadowed(files):
        changes.setdefault(path, {})[entry.line] = shown
    for path, by_line in changes.items():
        starts = {entry.line for entry in parse(path)}
        out: list[str] = []
        shown: Entry | None = None  # the translation to write into the entry being read, if it is shadowed
        replacing = False
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if number in starts:
                shown, replacing = by_line.get(number), False
            stripped = line.strip()
            if shown is not None and (stripped.startswith("msgstr") or (replacing and stripped.startswith('"'))):
                if not replacing:
                    for i, value in sorted(shown.msgstr.items()):
                        keyword = "msgstr" if shown.msgid_plural is None else f"msgstr[{i}]"
                        out.append(f"{keyword} {_quote(value)}")
                    replacing = True
                continue
            out.append(line)
        path.write_text("\n".join(out), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(by_line)} messages aligned")
    return 0


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def report_shadowed(files: list[Path]) -> bool:
    found = shadowed(files)
    for path, entry, winner, shown in found:
        print(
            f"  shadowed: {path.relative_to(ROOT)} {entry.label} says {entry.msgstr.get(0, '')!r}, but "
            f"{winner.relative_to(ROOT)} is shown: {shown.msgstr.get(0, '')!r}"
        )
    return bool(found)


def main(argv: list[str]) -> int:
    if argv == ["--align"]:
        return align(default_files())
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
    if not argv and report_shadowed(files):
        status = 1
    if status:
        print(
            "check_translations: translate the messages above and remove their '#, fuzzy' flags "
            "(scripts/makemessages.sh); for shadowed ones, a message context or --align.",
            file=sys.stderr,
        )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
