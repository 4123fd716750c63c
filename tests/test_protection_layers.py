"""Issue 11, item 2: the apps are layered as docs/ARCHITECTURE.md says, and import-linter (run by `make lint`
and CI) holds them to it. `access` and `cases` used to import each other (29 and 25 imports, 22 of them
inside functions to dodge the cycle)."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("reintegra")


def _imports_between(graph, importer_package, imported_package):
    """Every import (function-level ones included) from the package's code, tests left aside, into the other."""
    found = []
    for module in {importer_package} | graph.find_descendants(importer_package):
        if ".tests" in module:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == imported_package or imported.startswith(imported_package + "."):
                found.append(f"{module} -> {imported}")
    return sorted(found)


@pytest.mark.parametrize("above", ["reintegra.cases", "reintegra.protection", "reintegra.places"])
def test_access_imports_nothing_from_above(graph, above):
    assert _imports_between(graph, "reintegra.access", above) == []


def test_cases_imports_nothing_from_the_apps_above_it(graph):
    for above in ("protection", "referrals", "sustainability", "structural", "regional", "reminders"):
        assert _imports_between(graph, "reintegra.cases", f"reintegra.{above}") == [], above


def _contracts():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_contract_has_the_layers_of_the_architecture_document():
    """The table under "## Layers" in docs/ARCHITECTURE.md, top to bottom, is the layers contract."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    documented = []
    for row in re.findall(r"^\| \d+ \| (.+?) \| .+ \|$", section, flags=re.MULTILINE):
        row = row.replace("\\|", "|")
        documented.append(re.sub(r"`(\w+)`", r"reintegra.\1", row))
    (layers,) = [contract for contract in _contracts() if contract["type"] == "layers"]
    assert documented == layers["layers"]


def test_every_exception_names_the_issue_item_that_removes_it():
    """Each ignored import is either the tests' exemption or a known violation with its item (3, 4 or 7)."""
    source = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for contract in _contracts():
        for ignored in contract.get("ignore_imports", []):
            if ignored == "reintegra.*.tests.** -> reintegra.**":
                continue
            comment = source[: source.index(f'"{ignored}"')].rsplit("\n", 2)[-2]
            assert re.search(r"item [347]\b", comment), f"{ignored}: no issue item named in {comment!r}"


def test_lint_imports_keeps_every_contract_and_make_lint_runs_it():
    assert "$(VENV)/bin/lint-imports" in (ROOT / "Makefile").read_text(encoding="utf-8").split("\nlint:")[1]
    assert "make lint" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout
