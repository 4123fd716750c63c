"""The routes the URL configuration exposes, with the HTTP methods each one does something for.

Shared by the permission matrices: `tests/test_permission_matrix.py` covers the individual case and data
protection; each app with its own matrix (`APP_MATRICES`) covers the routes whose view lives in it, and
checks with `routes_of_app` that none is left without a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Methods no row is needed for: HEAD is answered as GET; OPTIONS (DRF metadata, Django's Allow header)
# runs the same authentication and permission checks and returns no data.
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Function views without a method decorator (`require_GET`, `require_http_methods`...) answer every
# method; these are the ones that do something, decided from the view.
UNRESTRICTED_VIEW_METHODS = {
    "healthz": {"GET"},  # any method runs the same read-only probe
    "readyz": {"GET"},
    "two_factor_verify": {"GET", "POST"},  # a form: POST checks a code, anything else shows the form
    "two_factor_setup": {"GET", "POST"},
}
# Apps whose routes are covered by a permission matrix of their own (module prefix of the view -> test).
APP_MATRICES = {
    "reintegra.sustainability": "src/reintegra/sustainability/tests/test_permissions.py",
    "reintegra.referrals": "src/reintegra/referrals/tests/test_permissions.py",
    "reintegra.structural": "src/reintegra/structural/tests/test_permissions.py",
    "reintegra.reminders": "src/reintegra/reminders/tests/test_permissions.py",
    "reintegra.access.programme_views": "src/reintegra/access/tests/test_programmes.py",
    "reintegra.access.programme_api": "src/reintegra/access/tests/test_programmes.py",
    "reintegra.access.account_views": "src/reintegra/access/tests/test_account_permissions.py",
    "reintegra.access.account_api": "src/reintegra/access/tests/test_account_permissions.py",
    "reintegra.access.export_job_views": "src/reintegra/access/tests/test_export_jobs.py",
    "reintegra.access.export_job_api": "src/reintegra/access/tests/test_export_jobs.py",
    "reintegra.regional": "src/reintegra/regional/tests/test_permissions.py",
    "reintegra.reception": "src/reintegra/reception/tests/test_permissions.py",
    **dict.fromkeys(
        (
            "reintegra.monitoring.framework_views",
            "reintegra.monitoring.indicator_views",
            "reintegra.monitoring.period_views",
            "reintegra.monitoring.api",
        ),
        "src/reintegra/monitoring/tests/test_permissions.py",
    ),
    "reintegra.monitoring.iptt_views": "src/reintegra/monitoring/tests/test_report_permissions.py",
    "reintegra.monitoring.report_api": "src/reintegra/monitoring/tests/test_report_permissions.py",
    "reintegra.monitoring.public_views": "src/reintegra/monitoring/tests/test_report_permissions.py",
    "reintegra.monitoring.evaluation_views": "src/reintegra/monitoring/tests/test_evaluation_permissions.py",
    "reintegra.monitoring.evaluation_api": "src/reintegra/monitoring/tests/test_evaluation_permissions.py",
    "reintegra.monitoring.dashboard_views": "src/reintegra/monitoring/tests/test_dashboard_permissions.py",
    # tracing
    "reintegra.children.tracing_views": "src/reintegra/children/tests/test_tracing_permissions.py",
    "reintegra.children.tracing_api": "src/reintegra/children/tests/test_tracing_permissions.py",
    # end tracing
    # core
    "reintegra.children.views": "src/reintegra/children/tests/test_permissions.py",
    "reintegra.children.api": "src/reintegra/children/tests/test_permissions.py",
    "reintegra.children.dashboard_views": "src/reintegra/children/tests/test_dashboard.py",
    "reintegra.children.settings_views": "src/reintegra/children/tests/test_deadline_settings.py",
    "reintegra.children.settings_api": "src/reintegra/children/tests/test_deadline_settings.py",
    # child plan
    "reintegra.children.plan_views": "src/reintegra/children/tests/test_plan_permissions.py",
    "reintegra.children.plan_api": "src/reintegra/children/tests/test_plan_permissions.py",
    # manifest imports
    "reintegra.reception.manifest_views": "src/reintegra/reception/tests/test_manifest_permissions.py",
    "reintegra.reception.manifest_api": "src/reintegra/reception/tests/test_manifest_permissions.py",
    "reintegra.handover": "src/reintegra/handover/tests/test_permissions.py",
    "reintegra.community": "src/reintegra/community/tests/test_permissions.py",
    "reintegra.employment": "src/reintegra/employment/tests/test_permissions.py",
    "reintegra.public": "src/reintegra/public/tests/test_permissions.py",
}


@dataclass(frozen=True)
class Route:
    name: str | None
    namespace: str  # the first namespace ("" for none)
    path: str
    params: tuple[str, ...]
    pattern: URLPattern

    @property
    def view_module(self) -> str:
        view = self.pattern.callback
        cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
        return (cls or view).__module__

    def in_app(self, module_prefix: str) -> bool:
        module = self.view_module
        return module == module_prefix or module.startswith(module_prefix + ".")


def _params(pattern: Any) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner or "", found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name, namespace.split(":")[0], prefix + str(entry.pattern), found, entry)


def _declared_methods(view: Any) -> set[str] | None:
    """The methods of `require_http_methods` (and require_GET/require_POST) anywhere in the decorator chain."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list | tuple | set) and value and all(m in HTTP_METHODS for m in value):
                return set(value)
        view = getattr(view, "__wrapped__", None)
    return None


def route_methods(route: Route) -> set[str]:
    """The HTTP methods a route does something for (HEAD and OPTIONS left aside)."""
    view = route.pattern.callback
    actions = getattr(view, "actions", None)  # a DRF viewset route
    if actions:
        return {method.upper() for method in actions} - IGNORED_METHODS
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)  # APIView / class-based view
    if cls is not None:
        return {m.upper() for m in cls.http_method_names if hasattr(cls, m)} - IGNORED_METHODS
    declared = _declared_methods(view)
    if declared is not None:
        return declared - IGNORED_METHODS
    if route.name not in UNRESTRICTED_VIEW_METHODS:
        raise AssertionError(
            f"{route.name} ({route.path}) is a function view without a method decorator: decorate it with "
            "require_http_methods, or add it to UNRESTRICTED_VIEW_METHODS with the methods that do something."
        )
    return UNRESTRICTED_VIEW_METHODS[route.name]


def has_own_matrix(route: Route) -> bool:
    return any(route.in_app(prefix) for prefix in APP_MATRICES)


def routes_of_app(module_prefix: str) -> dict[str, set[str]]:
    """{route name: methods} of every route whose view lives in the app (for its own matrix)."""
    found: dict[str, set[str]] = {}
    for route in walk():
        if route.in_app(module_prefix):
            assert route.name, f"{route.path}: a route without a name cannot have a row; name it"
            assert route.name not in found, f"{route.path}: the name {route.name} is taken"
            found[route.name] = route_methods(route)
    return found


# Every table download (issue 18.13): route name, the role that may download it, its query, the first header
# in Spanish and with machine codes (`?codes=1`). All of them are written by `access.exports`;
# `tests/test_exports_language.py` walks them. XLSForms, instrument YAML and the HXL file are machine formats
# by definition (HXL's hashtag row is its machine header) and are not listed.
EXPORT_ROUTES: tuple[tuple[str, str, dict[str, str], str, str], ...] = (
    ("access:audit_export", "data_protection_officer", {}, "Cuándo", "source"),
    ("referrals:directory", "me_officer", {"format": "csv"}, "Proveedor", "provider_name"),
    ("referrals:gaps", "me_officer", {"format": "csv"}, "Área", "area"),
    ("regional:export", "me_officer", {"format": "csv"}, "País", "country"),
    ("monitoring:analytics_export", "me_officer", {}, "Id seudónimo del caso", "case_pid"),
    ("community:hotspots", "me_officer", {"format": "csv"}, "Comunidad o municipio", "name"),
    ("reception:dashboard", "me_officer", {"format": "csv"}, "Tabla", "table"),
    ("cases:list", "case_manager", {"format": "csv"}, "Número de caso", "case_number"),
    ("cases:export_returnees", "case_manager", {}, "Número de registro", "id"),
    ("cases:export_follow_ups", "case_manager", {"format": "csv"}, "Número de caso", "case_number"),
    ("referrals:list", "case_manager", {"format": "csv"}, "Derivación", "id"),
    ("api:case-export-csv", "case_manager", {}, "Número de caso", "case_number"),
    ("sustainability:export-rounds", "case_manager", {}, "Ronda", "id"),
)
