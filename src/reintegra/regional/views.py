"""Pages of the regional catalogue: matrix (heat-map + drill-down), list, detail, forms, import, export."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_countries import countries

from reintegra.access import exports, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.regional import importing, matrix, selectors, services
from reintegra.regional.choices import Dimension, InterventionLevel
from reintegra.regional.forms import ActionFilterForm, ActionForm, ImportForm
from reintegra.regional.models import RegionalAction
from reintegra.web import charts, pagination, versioning
from reintegra.web.forms import apply_service_errors

if TYPE_CHECKING:
    from reintegra.access.models import User

PAGE_SIZE = 25


def _country_choices(user: User) -> list[tuple[str, str]]:
    names = dict(countries)
    return [(code, str(names.get(code, code))) for code, _count in selectors.countries_with_actions(user)]


def _filter_form(request: AuthenticatedHttpRequest) -> ActionFilterForm:
    form = ActionFilterForm(
        request.GET or None,
        country_choices=_country_choices(request.user),
        institutions=selectors.institutions_for(request.user, request.GET.get("country") or None),
    )
    if form.is_bound:
        form.is_valid()
    return form


@login_required
@require_GET
def matrix_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_STRUCTURAL)
    country_choices = _country_choices(request.user)
    country = request.GET.get("country") or ""
    if country and country not in dict(countries):
        country = ""
    cells, scan = selectors.matrix_for(request.user, country or None)
    contributed = Counter(
        (a.level, a.dimension)
        for a in selectors.contributed_actions(request.user, selectors.ActionFilters(country=country), per_cell=True)
    )
    names = dict(countries)
    level_labels, dimension_labels = dict(InterventionLevel.choices), dict(Dimension.choices)
    list_url = reverse("regional:list")

    def drill(cell: matrix.MatrixCell) -> str:
        query = {"level": cell.level, "dimension": cell.dimension}
        if country:
            query["country"] = country
        return f"{list_url}?{urlencode(query)}"

    table: list[dict[str, Any]] = [
        {
            "level": level,
            "label": level_labels[level],
            "cells": [
                {
                    "cell": c,
                    "url": drill(c),
                    "dimension_label": dimension_labels[c.dimension],
                    "contributed": contributed[(c.level, c.dimension)],
                }
                for c in row_cells
            ],
        }
        for level, row_cells in matrix.rows(cells)
    ]
    chart = charts.config(
        "bar",
        [charts.dataset(level_labels[row["level"]], [c["cell"].count for c in row["cells"]]) for row in table],
        labels=[dimension_labels[d] for d in matrix.DIMENSIONS],
        options={"scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}},
        links=[[c["url"] for c in row["cells"]] for row in table],
    )
    context = {
        "nav": "regional",
        "country": country,
        "country_name": names.get(country, "") if country else "",
        "country_choices": country_choices,
        "table": table,
        "dimension_labels": [dimension_labels[d] for d in matrix.DIMENSIONS],
        "total_cells": sum(c.count for c in cells),
        "gaps": [c for c in cells if c.is_gap],
        "duplicates_checked": scan.checked,
        "duplicate_pairs": len(scan.pairs),
        "chart": chart,
        "can_create": services.can_create(request.user),
    }
    return render(request, "regional/matrix.html", context)


@login_required
@require_GET
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_STRUCTURAL)
    form = _filter_form(request)
    filters = form.filters()
    page = pagination.page_of(request, selectors.search_actions(request.user, filters), PAGE_SIZE)
    duplicates: list[dict[str, Any]] = []
    duplicates_checked = True
    if filters.country or filters.level or filters.dimension:
        # The matrix's drill-down: show which actions of this scope look alike.
        scan = selectors.likely_duplicates(request.user, filters.country, filters.level, filters.dimension)
        duplicates_checked = scan.checked
        by_id = selectors.actions_by_id(request.user, scan.ids(), 200)
        duplicates = [
            {"first": by_id[p.first], "second": by_id[p.second], "score": p.score}
            for p in scan.pairs[:50]
            if p.first in by_id and p.second in by_id
        ]
    duplicate_ids = {d["first"].pk for d in duplicates} | {d["second"].pk for d in duplicates}
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "nav": "regional",
        "form": form,
        "page": page,
        "actions": list(page.object_list),
        "filtered": filters.active,
        "invalid_filters": form.invalid_fields() if form.is_bound else [],
        "duplicates": duplicates,
        "duplicate_ids": duplicate_ids,
        "duplicates_checked": duplicates_checked,
        "export_query": export_query.urlencode(),
        "can_create": services.can_create(request.user),
        # What the matrix also counts (the community level's projects), listed beside the catalogue's actions.
        "contributed": selectors.contributed_actions(request.user, filters),
    }
    return render(request, "regional/action_list.html", context)


@login_required
@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_STRUCTURAL)
    try:
        action = selectors.get_action(request.user, pk)
    except RegionalAction.DoesNotExist:
        raise Http404 from None
    scan = selectors.likely_duplicates(request.user, str(action.country))
    similar_ids = {
        p.second if p.first == action.pk else p.first for p in scan.pairs if action.pk in (p.first, p.second)
    }
    similar = list(selectors.actions_by_id(request.user, similar_ids, 20).values())
    context = {
        "nav": "regional",
        "action": action,
        "cells": matrix.cell_product(action.levels, action.dimensions),
        "similar": similar,
        "similar_checked": scan.checked,
        "can_edit": services.can_edit(request.user, action),
    }
    return render(request, "regional/action_detail.html", context)


def _form_page(request: HttpRequest, form: ActionForm, action: RegionalAction | None, **versioned: Any) -> HttpResponse:
    """`versioned`: the edit form's `record_version`, and the `conflict` after a stale save."""
    has_errors = form.is_bound and (bool(form.errors) or versioned.get("conflict") is not None)
    context = {"nav": "regional", "form": form, "action": action, "has_errors": has_errors, **versioned}
    return render(request, "regional/action_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_STRUCTURAL)
    if not services.can_create(request.user):
        raise permissions.denied()
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(request.user, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The action was added to the catalogue."))
            return redirect("regional:detail", action.pk)
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_STRUCTURAL)
    try:
        action = selectors.get_action(request.user, pk)
    except RegionalAction.DoesNotExist:
        raise Http404 from None
    if not services.can_edit(request.user, action):
        raise permissions.denied()
    initial = ActionForm.initial_from(services.ActionInput.from_action(action))
    form = ActionForm(request.POST or None, initial=initial)
    posted = request.method == "POST"
    record_version = versioning.posted_version(request.POST) if posted else action.revision
    conflict = None
    if posted and form.is_valid():
        try:
            services.update_action(request.user, action, form.to_input(), expected_version=record_version)
        except StaleVersion as exc:
            assert isinstance(exc.current, RegionalAction)
            stored = ActionForm.initial_from(services.ActionInput.from_action(exc.current))
            conflict, record_version = versioning.conflict(exc, [(form, stored)]), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("regional:detail", action.pk)
    return _form_page(request, form, action, record_version=record_version, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
def action_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_STRUCTURAL)
    if not services.can_create(request.user):
        raise permissions.denied()
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[importing.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = importing.parse(upload, upload.name)
        if parsed.ok:
            organisation = request.user.organisation
            if organisation is None:  # can_create() has checked it; this keeps the type narrow
                raise permissions.denied()
            result = services.import_actions(parsed.rows, organisation, request.user)
            messages.success(
                request,
                _("%(created)s actions imported; %(skipped)s were already in the catalogue.")
                % {"created": result.created, "skipped": result.skipped},
            )
            return redirect("regional:list")
        errors = parsed.errors
    return render(
        request,
        "regional/import.html",
        {"nav": "regional", "form": form, "row_errors": errors[:500], "error_count": len(errors)},
    )


EXPORT_COLUMNS = [
    "country",
    "action",
    "institution",
    "institution_kind",
    "levels",
    "dimensions",
    "target_population",
    "description",
    "starts_on",
    "ends_on",
    "funding_source",
    "evaluation_status",
    "evaluated_on",
    "evaluation_reference",
    "source",
    "entered_by",
]


def _export_columns() -> list[exports.Column]:
    """EXPORT_COLUMNS labelled (`access.exports`); with machine codes the file is the import's format."""
    from reintegra.regional.models import Institution

    column = exports.field_column
    return [
        column(RegionalAction, "country", choices=dict(countries)),
        column(RegionalAction, "title", code="action"),
        column(RegionalAction, "institution"),
        column(Institution, "kind", code="institution_kind", label=_("Kind of institution")),
        column(RegionalAction, "levels", choices=InterventionLevel.choices),
        column(RegionalAction, "dimensions", choices=Dimension.choices),
        *(column(RegionalAction, name) for name in ("target_population", "description", "starts_on", "ends_on")),
        *(column(RegionalAction, name) for name in ("funding_source", "evaluation_status", "evaluated_on")),
        *(column(RegionalAction, name) for name in ("evaluation_reference", "source")),
        column(RegionalAction, "entered_by_organisation", code="entered_by"),
    ]


def _export_rows(actions: Iterable[RegionalAction]) -> Iterator[list[Any]]:
    # Lists are joined with ";" and dates written ISO (codes) or as the reader's locale by `access.exports`.
    for action in actions:
        yield [
            str(action.country),
            action.title,
            action.institution.name if action.institution else "",
            action.institution.kind if action.institution else "",
            list(action.levels),
            list(action.dimensions),
            action.target_population,
            action.description,
            action.starts_on,
            action.ends_on,
            action.funding_source,
            action.evaluation_status,
            action.evaluated_on,
            action.evaluation_reference,
            action.source,
            action.entered_by_organisation.name,
        ]


@login_required
@require_GET
def action_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(request.user, Capability.VIEW_STRUCTURAL)
    form = _filter_form(request)
    rows = _export_rows(selectors.export_actions(request.user, form.filters()))
    # With machine codes (`?codes=1`) the file is the import's format: it can be imported elsewhere as it is.
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return exports.download(
        request.user,
        fmt,
        "regional-actions",
        _export_columns(),
        rows,
        purpose="regional actions",
        object_type="regional.regionalaction",
        sheet_title="actions",
        codes=exports.codes_requested(request),
    )
