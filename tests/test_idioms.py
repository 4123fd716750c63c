"""One idiom per concern (docs/ARCHITECTURE.md, "One idiom per concern"): checked on the source, so a new
app copies the idiom and not a local variant.

Reads happen in selectors: a view or API module (`views.py`, `api.py`, `*_views.py`, `*_api.py`, and the
modules of a `views`/`api` package of an app) neither touches a model manager (`Model.objects`) nor shapes
or counts a queryset (`filter`, `annotate`, `aggregate`, `values`, `count`...), nor imports query
expressions (`Q`, `Count`, `Prefetch`...): it asks the app's `selectors` (or its reports module) for what
it shows, so scoping, statistics and query shape live in one place and are tested there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import reintegra

SRC = Path(reintegra.__file__).resolve().parent
PLATFORM_API = SRC / "api"

# Queryset methods a view may not call, whatever their arguments.
QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "annotate",
        "aggregate",
        "alias",
        "values_list",
        "select_related",
        "prefetch_related",
        "order_by",
        "distinct",
        "only",
        "defer",
        "in_bulk",
        "iterator",
        "raw",
        "extra",
        "latest",
        "earliest",
        "select_for_update",
    }
)
# Queryset methods whose name a plain Python object shares: flagged only in their queryset form
# (`.count()` and `.exists()` with no argument — `list.count(x)` takes one; `.values("a")` with fields —
# `dict.values()` takes none; `.get(pk=…)` with keywords — `dict.get(key)` takes none).
QUERY_METHODS_WITHOUT_ARGUMENTS = frozenset({"count", "exists", "first", "last", "all", "none"})
QUERY_METHODS_WITH_ARGUMENTS = frozenset({"values"})
QUERY_METHODS_WITH_KEYWORDS = frozenset({"get"})
ALLOWED_MODEL_IMPORTS = frozenset({"QuerySet", "Model"})  # for type annotations only
MAX_LINES = 600

# What a view or API module may still do, each with its reason. Keep it short.
ALLOWED: dict[str, str] = {
    # drf-spectacular reads a viewset's model from its class attribute `queryset`; `.none()` runs no query.
    "Model.objects.none()": "a DRF view's `queryset = Model.objects.none()` declares the model for the schema",
}


def _view_modules() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "migrations" in rel.parts or "tests" in rel.parts or PLATFORM_API in path.parents:
            continue
        stem = path.stem
        in_package = len(rel.parts) > 2 and rel.parts[1] in ("views", "api")
        if stem in ("views", "api") or stem.endswith(("_views", "_api")) or in_package:
            yield path


def _is_objects_none(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "none"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
        and not node.args
    )


def _query_calls(tree: ast.Module) -> Iterator[tuple[int, str]]:
    allowed_objects: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_objects_none(node):
            assert isinstance(node.func, ast.Attribute)
            allowed_objects.add(id(node.func.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and id(node) not in allowed_objects:
            yield node.lineno, f"{ast.unparse(node)} (a model manager)"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not _is_objects_none(node):
            name = node.func.attr
            bare = not node.args and not node.keywords
            if (
                name in QUERY_METHODS
                or (name in QUERY_METHODS_WITHOUT_ARGUMENTS and bare)
                or (name in QUERY_METHODS_WITH_ARGUMENTS and node.args)
                or (name in QUERY_METHODS_WITH_KEYWORDS and node.keywords and not node.args)
            ):
                yield node.lineno, f".{name}() on {ast.unparse(node.func.value)}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.db.models"):
            for alias in node.names:
                if alias.name not in ALLOWED_MODEL_IMPORTS:
                    yield node.lineno, f"imports {alias.name} from {node.module} (a query expression)"


def test_views_and_api_modules_read_through_selectors():
    found = [
        f"{path.relative_to(SRC)}:{line}: {what}"
        for path in _view_modules()
        for line, what in _query_calls(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    ]
    assert not found, (
        "A view or API module queries the database itself; ask the app's selectors (docs/ARCHITECTURE.md, "
        "'Reads'):\n" + "\n".join(sorted(found))
    )


def test_views_and_api_modules_stay_short():
    """A page or API module over ~600 lines is split by concept (`<concept>_views.py`), or says at its top why
    it is not (a line of its docstring starting "Longer than")."""
    found = []
    for path in _view_modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and "Longer than" not in docstring:
            found.append(f"{path.relative_to(SRC)}: {lines} lines")
    assert not found, "Split these modules by concept, or say at their top why not:\n" + "\n".join(found)


def test_the_check_sees_what_it_looks_for():
    """The checker itself: each form of a query is found, a dict's or a list's methods are not."""
    source = """
from django.db.models import Count, QuerySet
queryset = Case.objects.none()
a = Case.objects.filter(status="open")
b = selectors.cases_for(user).annotate(n=Count("id")).count()
c = case.assessments.all()
d = qs.values("status")
e = qs.get(pk=1)
ok = {"a": 1}.get("a"), [1].count(1), data.values(), sorted(items)
"""
    found = [what for _line, what in _query_calls(ast.parse(source))]
    assert any("imports Count" in w for w in found) and not any("QuerySet" in w for w in found)
    assert sum("model manager" in w for w in found) == 1  # `.none()` is the declared exception
    for method in ("filter", "annotate", "count", "all", "values", "get"):
        assert any(w.startswith(f".{method}()") for w in found), method
    assert len(found) == 8, found
