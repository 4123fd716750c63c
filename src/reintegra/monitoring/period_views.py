"""Pages of a programme's reporting periods: the list with its forms (one period, the four quarters of a
year), submitting a period (its snapshots), what changed since, and the values reported by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.transitions import TransitionError
from reintegra.monitoring import dashboard, pages, permissions, selectors, services, snapshots
from reintegra.monitoring.forms import PeriodForm, QuartersForm, ReportedValueForm
from reintegra.monitoring.indicator_views import indicator_or_404
from reintegra.monitoring.models import ReportingPeriod
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import Step, show_refused


def _periods_page(
    request: AuthenticatedHttpRequest, programme: Programme, form: PeriodForm, quarters: QuartersForm
) -> HttpResponse:
    rows = [
        {"period": p, "submit": Step(not services.submit_refusal(p), services.submit_refusal(p))}
        for p in selectors.periods_of(programme)
    ]
    framework = selectors.framework_of(programme)
    context = pages.context(
        request.user,
        programme,
        "periods",
        framework=framework,
        rows=rows,
        form=form,
        quarters_form=quarters,
        reported_by_hand=[i for i in selectors.indicators_of(framework) if not i.is_computed] if framework else [],
    )
    return render(request, "monitoring/periods.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def periods(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=request.method == "POST")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_period(request.user, found, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The reporting period was added."))
            return redirect("monitoring:periods", found.pk)
    return _periods_page(request, found, form, QuartersForm())


@login_required
@require_POST
def quarters(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=True)
    form = QuartersForm(request.POST)
    if form.is_valid():
        try:
            services.create_quarters(request.user, found, form.cleaned_data.get("year"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The four quarters were added."))
            return redirect("monitoring:periods", found.pk)
    return _periods_page(request, found, PeriodForm(), form)


def _period_or_404(request: AuthenticatedHttpRequest, pk: int) -> ReportingPeriod:
    permissions.require_view(request.user)
    try:
        return selectors.get_period(request.user, pk)
    except ReportingPeriod.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = _period_or_404(request, pk)
    found = pages.programme_or_404(request.user, period.programme_id, for_write=True)
    form = PeriodForm(request.POST or None, initial=services.PeriodInput.of(period).__dict__)
    edit = pages.save_edit(
        request,
        form,
        period.revision,
        lambda data, version: services.edit_period(request.user, period, data, expected_version=version),
        lambda current: services.PeriodInput.of(current).__dict__,
    )
    if edit.saved:
        messages.success(request, _("The reporting period was saved."))
        return redirect("monitoring:periods", found.pk)
    context = pages.context(
        request.user,
        found,
        "periods",
        period=period,
        form=form,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )
    return render(request, "monitoring/period_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: what submitting freezes, and the button; POST: submit."""
    period = _period_or_404(request, pk)
    found = pages.programme_or_404(request.user, period.programme_id, for_write=True)
    if request.method == "POST":
        try:
            created = services.submit_period(
                request.user, period, expected_version=versioning.posted_version(request.POST)
            )
        except TransitionError as exc:
            show_refused(request, exc)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The period was submitted: %(n)d indicators frozen.") % {"n": len(created)})
            return redirect("monitoring:periods", found.pk)
    framework = selectors.framework_of(found)
    context = pages.context(
        request.user,
        found,
        "periods",
        period=period,
        step=Step(not services.submit_refusal(period), services.submit_refusal(period)),
        indicators=selectors.indicators_of(framework) if framework else [],
    )
    return render(request, "monitoring/submit.html", context)


def _change_rows(request: AuthenticatedHttpRequest, found: Programme, period: ReportingPeriod) -> list[dict[str, Any]]:
    framework = selectors.framework_of(found)
    indicators = selectors.indicators_of(framework) if framework else []
    exact = permissions.sees_small_counts(request.user, [found])
    k = permissions.threshold([found])

    def shown(cell: dict[str, Any] | None, measure: str) -> dict[str, Any] | None:
        return snapshots.for_reader(cell, measure, k=k, exact=exact)

    changes = list(snapshots.differences(period, indicators))
    # The cells name their dimension and bucket by stored codes: read each dimension's labels once.
    buckets: dict[str, set[str]] = {}
    for change in changes:
        for cell in change.cells[:200]:
            if cell.dimension:
                buckets.setdefault(cell.dimension, set()).add(str(cell.bucket))
    labels = {by: dashboard.bucket_labels(by, codes) for by, codes in buckets.items()}

    def named(cell: Any) -> str:
        if not cell.dimension:
            return str(_("Total"))
        bucket = labels[cell.dimension].get(str(cell.bucket), str(cell.bucket))
        return f"{dashboard.dimension_label(cell.dimension)} · {bucket}"

    return [
        {
            "change": change,
            "before": shown(change.before, change.indicator.measure),
            "after": shown(change.after, change.indicator.measure),
            "cells": [
                {
                    "name": named(cell),
                    "before": shown(cell.before, change.indicator.measure),
                    "after": shown(cell.after, change.indicator.measure),
                }
                for cell in change.cells[:200]
            ],
        }
        for change in changes
    ]


@login_required
@require_GET
def recompute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = _period_or_404(request, pk)
    found = pages.programme_or_404(request.user, period.programme_id)
    if period.status != "submitted":
        messages.info(request, _("This period is not submitted yet: its values are live."))
        return redirect("monitoring:periods", found.pk)
    context = pages.context(request.user, found, "periods", period=period, rows=_change_rows(request, found, period))
    return render(request, "monitoring/recompute.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reported_value(request: AuthenticatedHttpRequest, pk: int, indicator: int) -> HttpResponse:
    period = _period_or_404(request, pk)
    found = pages.programme_or_404(request.user, period.programme_id, for_write=True)
    chosen = indicator_or_404(request, indicator)
    current = selectors.reported_value(chosen, period)
    initial = services.ReportedInput.of(current).__dict__ if current else {}
    form = ReportedValueForm(request.POST or None, request.FILES or None, indicator=chosen, initial=initial)
    edit = pages.save_edit(
        request,
        form,
        current.revision if current else 0,
        lambda data, version: services.report_value(request.user, chosen, period, data, expected_version=version),
        lambda _current: initial,
        aliases=lambda errors: {key: "cells" for key in errors if key.startswith("cells.")},
    )
    if edit.saved:
        messages.success(request, _("The value was saved."))
        return redirect("monitoring:periods", found.pk)
    context = pages.context(
        request.user,
        found,
        "periods",
        period=period,
        indicator=chosen,
        current=current,
        form=form,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )
    return render(request, "monitoring/reported_form.html", context)
