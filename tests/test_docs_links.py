"""The repository stands on its own: nothing points outside it, and its documentation links resolve.

- No tracked file refers to material a fresh clone does not have (the former `../shared` directory: its
  domain reference, source documents or data), or cites that reference ("DOMAIN §3", "seed 002").
- Every relative link in a Markdown file (README.md, docs/*.md, …) names a file of the repository.
- Every citation of a docs page ("docs/domain-referrals.md §4", "[domain.md](domain.md) §2") names an
  existing page and a numbered section of it ("## 4. …").
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()

# Walked when git is not available (e.g. a source archive): everything but these directories.
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

OUTSIDE = [
    (re.compile(r"\.\./shared\b"), "a path to ../shared"),
    (re.compile(r"/work/shared\b"), "an absolute path to the shared directory"),
    (re.compile(r"\bshared/(?:DOMAIN|seeds|data|hooks)\b"), "a path into the shared directory"),
    (re.compile(r"""["']shared["']\s*/\s*["'](?:seeds|data)["']"""), "a Path built into the shared directory"),
    (re.compile(r"\bDOMAIN(?:\.md)?\b"), "the former domain reference (cite docs/domain*.md instead)"),
    (re.compile(r"\bseeds?[ /_]00\d\b", re.IGNORECASE), "a source document by its former file name (cite it by title)"),
]

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
SECTION_RANGE = r"§(\d+)(?:\s*[-–]\s*§?(\d+))?"
CITATIONS = [
    re.compile(r"\bdocs/([\w.-]+\.md)(?:\s*,)?\s*" + SECTION_RANGE),  # docs/domain.md §2, docs/x.md §1-§3
    re.compile(r"\]\(([\w.-]+\.md)\)\s*" + SECTION_RANGE),  # [domain.md](domain.md) §4, inside docs/
]
PAGE = re.compile(r"\bdocs/([\w.-]+\.md)\b")


@cache
def tracked_files() -> tuple[Path, ...]:
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        out = subprocess.run([git, "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout.decode()
        files = [ROOT / name for name in out.split("\0") if name]
    else:
        files = [
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
        ]
    return tuple(path for path in files if path.is_file())


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary files say nothing about paths


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def outside_references(text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += [f"line {number}: {why}: {line.strip()[:120]}" for pattern, why in OUTSIDE if pattern.search(line)]
    return found


def markdown_targets(text: str) -> list[str]:
    """Relative link targets of a Markdown text (outside code blocks and inline code)."""
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    targets = []
    for target in LINK.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # http:, https:, mailto:, … and anchors within the page
        targets.append(target.split("#", 1)[0])
    return targets


def numbered_sections(page: Path) -> set[int]:
    text = text_of(page) or ""
    return {int(n) for n in re.findall(r"^#{2,6}\s+(\d+)\.", text, re.MULTILINE)}


def bad_citations(text: str) -> list[str]:
    problems = []
    docs = ROOT / "docs"
    for name in PAGE.findall(text):
        if not (docs / name).is_file():
            problems.append(f"docs/{name} does not exist")
    for pattern in CITATIONS:
        for name, first, last in pattern.findall(text):
            page = docs / name
            if not page.is_file():
                problems.append(f"docs/{name} does not exist")
                continue
            wanted = range(int(first), int(last or first) + 1)
            missing = [n for n in wanted if n not in numbered_sections(page)]
            if missing:
                problems.append(f"docs/{name} has no section {', '.join(f'§{n}' for n in missing)}")
    return problems


def test_the_checks_catch_what_they_look_for():
    # The patterns, on examples of what the repository used to hold.
    assert outside_references("The domain reference is `../shared/DOMAIN.md`.")
    assert outside_references("# Plans are agreed within a month (DOMAIN §3).")
    assert outside_references('SEED = Path(__file__).resolve().parents[5] / "shared" / "seeds"')
    assert outside_references('"""Demo data (seed 002 §4)."""')
    assert not outside_references("SECURE_HSTS_INCLUDE_SUBDOMAINS = True; a case shared with an organisation")
    assert markdown_targets("[a](docs/x.md#part) [b](https://example.org) [c](#top) `[d](nowhere.md)`") == ["docs/x.md"]
    assert bad_citations("see docs/domain.md §99") == ["docs/domain.md has no section §99"]
    assert bad_citations("see docs/no-such-page.md") == ["docs/no-such-page.md does not exist"]
    assert not bad_citations("see docs/domain-individual.md §6 and docs/domain.md §2-§3")


def test_the_scan_covers_the_repository():
    names = {relative(path) for path in tracked_files()}
    assert {"README.md", "docs/ARCHITECTURE.md", "docs/domain.md", "src/reintegra/cases/choices.py"} <= names


@pytest.mark.parametrize("kind", ["outside", "links", "citations"])
def test_every_reference_points_inside_the_repository(kind: str):
    problems = []
    for path in tracked_files():
        if path == THIS:
            continue  # its patterns and examples name what they look for
        text = text_of(path)
        if text is None:
            continue
        if kind == "outside":
            problems += [f"{relative(path)} {problem}" for problem in outside_references(text)]
        elif kind == "links" and path.suffix == ".md":
            problems += [
                f"{relative(path)} links to {target}, which does not exist"
                for target in markdown_targets(text)
                if not (path.parent / target).exists()
            ]
        elif kind == "citations":
            problems += [f"{relative(path)}: {problem}" for problem in bad_citations(text)]
    assert not problems, "\n".join(problems)
