"""The M&E dashboards: a programme's (`/seguimiento/programas/<id>/panel/`, or `/seguimiento/panel/` to
choose it; M&E officer, programme manager, supervisor), the cross-organisation one (coordinators), the
drill-down from a number to the records behind it, and the home dashboard's panel of KPI tiles.

Thin: reads in `monitoring.dashboard`, charts with `web.charts` (every chart has its figures as a table).
Suppressed cells come without a number from the reads and are shown as "< k".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reintegra.access import audit
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.cases.choices import CaseStatus, ReturnType, Sex
from reintegra.monitoring import dashboard, dimensions, permissions, presenting, selectors
from reintegra.monitoring.dashboard_forms import (
    CrossDashboardForm,
    ProgrammeDashboardForm,
    chosen,
)
from reintegra.monitoring.models import Indicator
from reintegra.replica import reading_from_replica
from reintegra.web import charts
from reintegra.web.pagination import page_of

if TYPE_CHECKING:
    from reintegra.access.models import User

C = Capability
ACTUAL_COLOUR, TARGET_COLOUR, BAR_COLOUR = (
    "rgba(29, 78, 216, 0.85)",
    "rgba(183, 28, 28, 0.8)",
    "rgba(27, 138, 163, 0.8)",
)
DRILL_PAGE = 50


# --- presenting ----------------------------------------------------------------------------------


def may_drill(user: User, programme: Programme) -> bool:
    """Pseudonymised rows (M&E officers) or the cases themselves (who reads the organisation's cases), on a
    programme of the user's own organisation."""
    return access_permissions.has_any(user, C.VIEW_PSEUDONYMISED, C.VIEW_ORGANISATION_CASES) and (
        access_permissions.holds(user, programme)
    )


def drill_url(indicator: Indicator, index: int, by: str = "", bucket: str = "") -> str:
    query: dict[str, str | int] = {"period": index}
    if by:
        query |= {"by": by, "bucket": bucket}
    return f"{reverse('monitoring:drilldown', args=[indicator.pk])}?{urlencode(query)}"


def _number(shown: presenting.Shown) -> float | None:
    return round(shown.value, 2) if shown.known and shown.value is not None else None


def trend_chart(
    points: Sequence[dashboard.Point], targets: Sequence[float | None], links: Sequence[str] = ()
) -> dict[str, Any]:
    labels = [p.span.label for p in points]
    series = [charts.dataset(_("Actual"), [_number(p.total) for p in points], colour=ACTUAL_COLOUR)]
    series[0]["borderColor"] = ACTUAL_COLOUR
    if any(t is not None for t in targets):
        target = charts.dataset(_("Target"), list(targets), colour=TARGET_COLOUR, borderDash=[6, 4])
        target["borderColor"] = TARGET_COLOUR
        series.append(target)
    return charts.config(
        "line",
        series,
        labels=labels,
        options={"spanGaps": False, "scales": {"y": {"beginAtZero": True}}},
        links=[list(links)] if any(links) else None,  # the actual values open their records
    )


def bar_chart(
    label: str, cells: Sequence[tuple[str, presenting.Shown]], links: Sequence[str] | None = None
) -> dict[str, Any]:
    values = [_number(shown) for _bucket, shown in cells]
    return charts.config(
        "bar",
        [charts.dataset(label, values, colour=BAR_COLOUR)],
        labels=[name for name, _shown in cells],
        options={"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
        links=[list(links)] if links is not None and any(links) else None,
    )


def _cells(by: str, point: dashboard.Point) -> list[tuple[str, str, presenting.Shown]]:
    """(bucket, label, shown) in the choices' order (a lifecycle, issue 18.16) or, for names, the labels'; the
    unknown bucket last."""
    labels = dashboard.bucket_labels(by, point.cells)
    rank = dimensions.choice_rank(by)
    ordered = sorted(point.cells, key=lambda b: (b == "unknown", rank.get(b, len(rank)), str(labels[b]).lower()))
    return [(b, labels[b], point.cells[b]) for b in ordered]


def _programme_choice(
    request: AuthenticatedHttpRequest, user: User, in_path: int | None
) -> tuple[Programme | None, list[Programme]]:
    programmes = list(selectors.programmes_for(user))
    raw = str(in_path) if in_path is not None else request.GET.get("programme", "")
    if raw:
        if not raw.isdigit():
            raise Http404(_("Programme not found."))
        try:
            return permissions.access_programme_by_id(user, int(raw)), programmes
        except Programme.DoesNotExist:  # hidden looks like missing
            raise Http404(_("Programme not found.")) from None
    return (programmes[0] if programmes else None), programmes


# --- the programme dashboard ---------------------------------------------------------------------


def _trends(
    tiles: Sequence[dashboard.Tile], spans: Sequence[dashboard.Span], protection: Any, start: Any, drill: bool
) -> list[dict[str, Any]]:
    trends = []
    for tile in tiles:
        points = dashboard.trend(tile.indicator, spans, protection, start)
        targets = [dashboard.target_of(tile.indicator, p.span) for p in points]
        can_drill = drill and tile.indicator.is_computed
        links = [drill_url(tile.indicator, i) if can_drill and p.total.known else "" for i, p in enumerate(points)]
        trends.append(
            {
                "indicator": tile.indicator,
                "chart": trend_chart(points, targets, links),
                "rows": list(zip(points, targets, links, strict=True)),
            }
        )
    return trends


def _disaggregation(
    user: User, programme: Programme, indicator: Indicator, by: str, spans: Sequence[dashboard.Span], protection: Any
) -> dict[str, Any]:
    index = dashboard.latest_index(spans)
    start = dashboard.programme_start(programme, spans)
    point = dashboard.disaggregation(indicator, spans[: index + 1], by, protection, start)
    cells = _cells(by, point)
    drill = may_drill(user, programme) and indicator.is_computed
    links = [drill_url(indicator, index, by, bucket) if drill and shown.known else "" for bucket, _l, shown in cells]
    return {
        "indicator": indicator,
        "by": by,
        "by_label": dashboard.dimension_label(by),
        "point": point,
        "rows": [(label, shown, link) for (_b, label, shown), link in zip(cells, links, strict=True)],
        "chart": bar_chart(str(indicator), [(label, shown) for _b, label, shown in cells], links),
    }


def programme_context(
    request: AuthenticatedHttpRequest, user: User, programme: Programme, programmes: Sequence[Programme]
) -> dict[str, Any]:
    spans = dashboard.spans_of(programme)
    protection = dashboard.protection_for(user, [programme])
    start = dashboard.programme_start(programme, spans)
    indicators = list(dashboard.programme_indicators(user, programme))
    excluded = dashboard.SINGLE_PROGRAMME_EXCLUDED
    # Every indicator's disaggregations are offered; the chosen indicator's own decide what is shown.
    offered = {key: label for i in indicators for key, label in dashboard.dimensions_of(i, excluded)}
    form = ProgrammeDashboardForm(
        request.GET or None,
        programmes=[(p.pk, p.name) for p in programmes],
        indicators=[(i.pk, str(i)) for i in indicators],
        dimensions=list(offered.items()),
    )
    chosen_indicator: Indicator | None = None
    if indicators:
        wanted = chosen(form, "indicator", indicators[0].pk)
        chosen_indicator = next((i for i in indicators if i.pk == wanted), indicators[0])
    tiles = dashboard.kpi_tiles(user, programme, spans, protection)
    kpis_flagged = bool(tiles)
    if not tiles:  # nothing flagged as KPI yet: the first indicators stand in, and the page says so
        upto = spans[: dashboard.latest_index(spans) + 1]
        tiles = [dashboard.tile(i, dashboard.point_at(i, upto, None, protection, start)) for i in indicators[:4]]
    drill = may_drill(user, programme)
    index = dashboard.latest_index(spans)
    context: dict[str, Any] = {
        "programme": programme,
        "form": form,
        "spans": spans,
        "protection": protection,
        "tiles": [
            (t, drill_url(t.indicator, index) if drill and t.indicator.is_computed and t.point.total.known else "")
            for t in tiles
        ],
        "kpis_flagged": kpis_flagged,
        "trends": _trends(tiles, spans, protection, start, drill),
        "has_indicators": bool(indicators),
    }
    dims = [key for key, _label in dashboard.dimensions_of(chosen_indicator, excluded)] if chosen_indicator else []
    if chosen_indicator is not None and dims:
        by = chosen(form, "by", "")
        if by not in dims:
            by = "sex" if "sex" in dims else dims[0]
        context["disaggregation"] = _disaggregation(user, programme, chosen_indicator, by, spans, protection)
    return context


@login_required
@require_GET
@reading_from_replica()
def programme_dashboard(request: AuthenticatedHttpRequest, programme: int | None = None) -> HttpResponse:
    """KPI tiles, trends and disaggregations of one programme the user reads (in the address, or chosen with a
    select)."""
    user: User = request.user
    permissions.require_view(user)
    found, programmes = _programme_choice(request, user, programme)
    context: dict[str, Any] = {
        "nav": "monitoring",
        "section": "dashboard",
        "programmes": programmes,
        "programme": found,
        "can_cross": access_permissions.has_any(user, C.VIEW_AGGREGATES_ALL_ORGANISATIONS),
    }
    if found is not None:
        context |= programme_context(request, user, found, programmes)
    return render(request, "monitoring/dashboard.html", context)


# --- the cross-organisation dashboard --------------------------------------------------------------


@login_required
@require_GET
@reading_from_replica()
def cross_organisation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The standard indicators over every organisation's programmes, always k-suppressed (coordinators)."""
    user: User = request.user
    access_permissions.require(user, C.VIEW_AGGREGATES_ALL_ORGANISATIONS)
    programmes = list(selectors.programmes_for(user))
    ids = [p.pk for p in programmes]
    protection = dashboard.Protection(exact=False, k=permissions.threshold(programmes))
    spans = dashboard.last_quarters()
    # Cumulative indicators count from the earliest programme start (the quarters shown, if none says).
    start = min((p.starts_on for p in programmes if p.starts_on), default=spans[0].starts_on)
    standards = dashboard.standard_indicators()
    dimensions = [(key, dashboard.dimension_label(key)) for key in dashboard.CROSS_DIMENSIONS]
    form = CrossDashboardForm(
        request.GET or None, indicators=[(s.code, str(s)) for s in standards], dimensions=dimensions
    )
    rows = []
    for standard in standards:
        raws = dashboard.standard_series(standard, ids, spans, None, start)
        points = dashboard.protect_series(raws, spans, standard, protection)
        rows.append((standard, points))
    context: dict[str, Any] = {
        "nav": "monitoring",
        "section": "dashboard",
        "form": form,
        "spans": spans,
        "rows": rows,
        "protection": protection,
        "programme_count": len(programmes),
        "refresh_minutes": dashboard.CROSS_ORGANISATION_SECONDS // 60,
    }
    if standards:
        latest_index = dashboard.latest_index(spans)
        # Opened on the first indicator with something to show in the last ended quarter, not an empty one.
        counted = [s for s, points in rows if points[latest_index].total and points[latest_index].total.value]
        code = chosen(form, "indicator", (counted or standards)[0].code)
        standard = next((s for s in standards if s.code == code), standards[0])
        by = chosen(form, "by", "organisation")
        latest = spans[latest_index]
        # A cumulative indicator is protected over the quarters before the one shown.
        upto = spans[: latest_index + 1] if dashboard.cumulative_protected(standard, protection) else [latest]
        raws = dashboard.standard_series(standard, ids, upto, by, start)
        point = dashboard.protect_series(raws, upto, standard, protection)[-1]
        cells = _cells(by, point)
        context["disaggregation"] = {
            "indicator": standard,
            "by_label": dashboard.dimension_label(by),
            "point": point,
            "rows": [(label, shown, "") for _b, label, shown in cells],
            "chart": bar_chart(str(standard), [(label, shown) for _b, label, shown in cells]),
        }
    return render(request, "monitoring/dashboard_cross.html", context)


# --- drill-down ----------------------------------------------------------------------------------


def _drill_span(request: AuthenticatedHttpRequest, spans: Sequence[dashboard.Span]) -> int:
    raw = request.GET.get("period", "")
    if not raw.isdigit() or int(raw) >= len(spans):
        raise Http404(_("Period not found."))
    return int(raw)


_ROW_LABELS = {"sex": Sex, "return_type": ReturnType, "status": CaseStatus}


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A pseudonymised row with its codes in words ("*", a withheld value, stays as it is)."""
    shown = dict(row)
    for key, choices in _ROW_LABELS.items():
        if row.get(key) in choices.values:
            shown[key] = choices(row[key]).label
    return shown


@login_required
@require_GET
@reading_from_replica()
def drilldown(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The records behind a number: pseudonymised k-anonymous rows for M&E officers, links to the cases for
    those who read the organisation's cases; refused (403) to everyone else. Every listing is recorded."""
    user: User = request.user
    access_permissions.require(user, C.VIEW_PSEUDONYMISED, C.VIEW_ORGANISATION_CASES)
    try:
        indicator = dashboard.get_indicator(user, pk)
    except Indicator.DoesNotExist:
        raise Http404(_("Indicator not found.")) from None
    programme = indicator.framework.programme
    if not may_drill(user, programme):
        raise access_permissions.denied()
    spans = dashboard.spans_of(programme)
    index = _drill_span(request, spans)
    span = spans[index]
    by, bucket = request.GET.get("by", ""), request.GET.get("bucket", "")
    if by and by not in dict(dashboard.dimensions_of(indicator, dashboard.SINGLE_PROGRAMME_EXCLUDED)):
        raise Http404(_("Disaggregation not found."))
    start = dashboard.programme_start(programme, spans)
    protection = dashboard.protection_for(user, [programme])
    context: dict[str, Any] = {
        "nav": "monitoring",
        "section": "dashboard",
        "indicator": indicator,
        "programme": programme,
        "span": span,
        "by_label": dashboard.dimension_label(by) if by else "",
        "bucket_label": dashboard.bucket_labels(by, [bucket])[bucket] if by else "",
        "back": reverse("monitoring:dashboard", args=[programme.pk]),
    }
    if by:
        shown = dashboard.disaggregation(indicator, spans[: index + 1], by, protection, start).cells.get(bucket)
    else:
        shown = dashboard.point_at(indicator, spans[: index + 1], None, protection, start).total
    if shown is None or shown.suppressed:
        # A hidden number stays hidden: listing its records would count them.
        context["hidden"] = True
        return render(request, "monitoring/dashboard_drilldown.html", context)
    case_ids = dashboard.counted_case_ids(indicator, span, start, by or None, bucket if by else None)
    if case_ids is None:
        context["not_cases"] = True
        return render(request, "monitoring/dashboard_drilldown.html", context)
    where = f"{indicator.code}, {span.label}" + (f", {by}={bucket}" if by else "")
    if access_permissions.has_any(user, C.VIEW_ORGANISATION_CASES):
        context["page"] = page_of(request, dashboard.cases_behind(user, case_ids), DRILL_PAGE)
        audit.record_access(
            user, "view", object_type="cases.case", purpose=f"M&E drill-down: cases behind {where} ({len(case_ids)})"
        )
    else:
        rows, withheld, k = dashboard.pseudonymised_behind(user, case_ids)
        context |= {"rows": [_labelled(row) for row in rows], "withheld": withheld, "k": k}
        audit.record_access(
            user,
            "view",
            object_type="cases.case",
            purpose=f"M&E drill-down: pseudonymised rows behind {where} ({len(rows)} rows, {withheld} withheld, k={k})",
        )
    context["count"] = len(case_ids)
    return render(request, "monitoring/dashboard_drilldown.html", context)


# --- the home dashboard's panel ----------------------------------------------------------------------


def home_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    """The KPI tiles of the user's programme, for readers of monitoring (None: no panel) whose work they are: the
    M&E officer, the managers and supervisors, a coordination body; not a data-protection officer, whose
    aggregates serve oversight and whose home is the consent and audit alerts (issue 18.9)."""
    user: User = request.user
    if not access_permissions.has_any(user, *permissions.READ):
        return None
    if not access_permissions.has_any(user, C.MANAGE_MONITORING, C.ASSIGN_CASES, C.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return None
    programme = dashboard.home_programme(user)
    cross = access_permissions.has_any(user, C.VIEW_AGGREGATES_ALL_ORGANISATIONS)
    if programme is None:
        return {"programme": None, "tiles": [], "cross": cross} if cross else None
    spans = dashboard.spans_of(programme)
    protection = dashboard.protection_for(user, [programme])
    tiles = dashboard.kpi_tiles(user, programme, spans, protection)
    return {
        "programme": programme,
        "tiles": [(t, "") for t in tiles],
        "protection": protection,
        "cross": cross,
        "url": reverse("monitoring:dashboard", args=[programme.pk]),
        "manages": access_permissions.has_any(user, C.MANAGE_MONITORING),
    }
