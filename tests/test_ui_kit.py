"""The shared UI kit lives once, in `reintegra.web` (docs/ARCHITECTURE.md, "The UI kit").

Source checks, so that a new app copies the kit's idiom instead of a local variant: no template outside
`web` is (or re-implements) a generic form, pagination or chart include; no module outside `web` maps a
service's errors onto a form, defines a widget or paginates by hand; `web` itself imports no app (every
app imports it, so it sits below them); every include or extends names a template that exists; and every
table sits in its own scrolling box (a wide table scrolls there instead of pushing the page wider).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

import reintegra

SRC = Path(reintegra.__file__).resolve().parent
WEB = SRC / "web"

# The kit's generic includes (web/templates/web/includes/), and the old local names of the same pieces.
KIT_TEMPLATE_NAMES = {
    "field.html",
    "form_errors.html",
    "error_summary.html",
    "formset.html",
    "remove_row.html",
    "step.html",
    "pagination.html",
    "pager.html",
    "version_field.html",
    "conflict.html",
    "charts_head.html",
    "chart.html",
    "panels.html",
    "case_panels.html",
}
# Markup that only the kit's includes write: a template outside `web` holding it renders by hand what an
# include renders (a field with its label and errors, a formset, the version field, pagination, charts).
HAND_MADE = {
    "a field rendered by hand": re.compile(r"\{\{\s*field\.errors\s*\}\}"),
    "a formset rendered by hand": re.compile(r"formset\.management_form"),
    "the version field by hand": re.compile(r"name=\"revision\""),
    "pagination by hand": re.compile(r"\b(next_page_number|previous_page_number)\b"),
    "chart scripts by hand": re.compile(r"vendor/chart\.umd|js/charts\.js"),
    "a chart canvas by hand": re.compile(r"<canvas[^>]*data-chart"),
}
INCLUDE = re.compile(r"\{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
# What error mapping looks like when a module does it itself.
ERROR_MAPPERS = re.compile(r"^_?(apply|add|map|put|show)_(service_)?errors?$")
WIDGET_BASES = re.compile(r"(Input|Select|SelectMultiple|Widget|Textarea)$")


def _templates() -> Iterator[Path]:
    yield from sorted(p for p in SRC.rglob("*.html") if "templates" in p.parts)


def _outside_web(path: Path) -> bool:
    return WEB not in path.parents


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(node: ast.expr) -> str:
    """`forms.DateInput` -> "DateInput"; `Paginator` -> "Paginator"."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _iterates_error_dict(loop: ast.For) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in ("message_dict", "error_dict") for n in ast.walk(loop.iter))


def _calls(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and _name(n.func) == name for n in ast.walk(node))


def test_generic_includes_live_only_in_web():
    found = [str(p.relative_to(SRC)) for p in _templates() if _outside_web(p) and p.name in KIT_TEMPLATE_NAMES]
    assert not found, f"generic includes outside reintegra/web (use web/includes/…): {found}"


def test_no_template_outside_web_renders_the_kit_by_hand():
    found = []
    for path in _templates():
        if not _outside_web(path):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(SRC)}: {what}" for what, pattern in HAND_MADE.items() if pattern.search(text)]
    assert not found, "use the web/includes/ templates instead:\n" + "\n".join(found)


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(SRC)))
def test_every_include_and_extends_names_an_existing_template(path):
    missing = []
    for name in INCLUDE.findall(path.read_text(encoding="utf-8")):
        try:
            get_template(name)
        except TemplateDoesNotExist:
            missing.append(name)
    assert not missing, f"{path.relative_to(SRC)} includes templates that do not exist: {missing}"


# What may stand between a `.table-wrap` box and its table: template tags, comments and white space.
_BETWEEN = re.compile(r"(\s|\{%[^%]*%\}|\{#.*?#\})+$")
_WRAP = re.compile(r'<div class="[^"]*\btable-wrap\b[^"]*"[^>]*>$')


def test_every_table_scrolls_in_its_own_box():
    """A table wider than its box (long headings, many columns, a phone) scrolls inside a `.table-wrap`
    (static/css/reintegra.css), so the page itself never scrolls sideways. PDF templates are paper."""
    found = []
    for path in _templates():
        if "pdf" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            if not _WRAP.search(_BETWEEN.sub("", text[: match.start()])):
                found.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert not found, 'put each table in <div class="table-wrap">…</div>:\n' + "\n".join(found)


def test_no_module_outside_web_maps_service_errors_or_defines_widgets():
    found = []
    for path, tree in _modules():
        if not _outside_web(path):
            continue
        where = str(path.relative_to(SRC))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and ERROR_MAPPERS.match(node.name):
                found.append(f"{where}:{node.lineno}: defines {node.name} (use reintegra.web.forms)")
            elif isinstance(node, ast.For) and _iterates_error_dict(node) and _calls(node, "add_error"):
                found.append(f"{where}:{node.lineno}: maps a ValidationError by hand (use apply_service_errors)")
            elif isinstance(node, ast.ClassDef) and any(WIDGET_BASES.search(_name(b)) for b in node.bases):
                found.append(f"{where}:{node.lineno}: defines the widget {node.name} (put it in web/widgets.py)")
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("forms.DateInput", "widgets.DateInput"):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node.func)} (use reintegra.web.widgets.DateInput)")
            elif isinstance(node, ast.Call) and _name(node.func) == "Paginator":
                found.append(f"{where}:{node.lineno}: paginates by hand (use reintegra.web.pagination)")
    assert not found, "\n".join(found)


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes under `if TYPE_CHECKING:`: imports for annotations only, never run."""
    return {
        child
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for child in ast.walk(node)
    }


def test_web_imports_no_app():
    """`web` is the bottom of the UI: every app imports its kit and registries, so it imports none of them.
    What it shows from an app (dashboard panels, navigation entries) the app registers in its ready().
    Annotations may name the platform's types (`User`, `AuthenticatedHttpRequest`) under TYPE_CHECKING."""
    found = []
    for path, tree in _modules():
        if _outside_web(path):
            continue
        typing_only = _type_checking_only(tree)
        for node in ast.walk(tree):
            if node in typing_only:
                continue
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            found += [
                f"{path.relative_to(SRC)}:{node.lineno}: {m}"
                for m in modules
                if m.startswith("reintegra.") and not m.startswith("reintegra.web")
            ]
    assert not found, "reintegra.web must not import an app:\n" + "\n".join(found)


def test_no_code_names_a_template_of_the_old_kit():
    """Template names in Python (registries, render calls) point at the kit's new home too."""
    old = re.compile(
        r"[\"'](cases/includes/(field|form_errors|formset|remove_row|step|case_panels)|includes/"
        r"(pagination|version_field|conflict|charts_head)|account/includes/error_summary|"
        r"referrals/includes/pager)\.html[\"']"
    )
    found = [
        f"{path.relative_to(SRC)}" for path in sorted(SRC.rglob("*.py")) if old.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
