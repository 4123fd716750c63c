"""Pages of a framework's indicators: the list, the form with its structured editor of the computation and
a preview of the value, the library of standard indicators, and the targets grid."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.transitions import TransitionError
from reintegra.monitoring import dimensions, pages, permissions, selectors, services, snapshots
from reintegra.monitoring.forms import AdoptForm, IndicatorForm, PreviewForm, TargetsForm, definition_aliases
from reintegra.monitoring.models import Indicator, ResultsFramework
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused


@login_required
@require_GET
def indicator_list(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme)
    framework = pages.framework_or_404(found)
    context = pages.context(
        request.user, found, "indicators", framework=framework, indicators=selectors.indicators_of(framework)
    )
    return render(request, "monitoring/indicator_list.html", context)


def _preview(request: AuthenticatedHttpRequest, programme: Programme, form: IndicatorForm) -> dict[str, Any] | None:
    """The value of the computation as typed, over the last 12 months, as this user would see it."""
    preview_form = PreviewForm(request.POST)
    preview_form.is_valid()
    dimension = preview_form.cleaned_data.get("disaggregate") or ""
    data = form.to_input()
    if not data.is_computed:
        return None
    try:
        values = snapshots.preview(data.definition, data.measure, programme.pk, dimension, today=timezone.localdate())
    except ValidationError as exc:
        apply_service_errors(exc, form, aliases=definition_aliases(getattr(exc, "error_dict", {})))
        return None
    exact = permissions.sees_small_counts(request.user, [programme])
    k = permissions.threshold([programme])
    total, cells = snapshots.visible_cells(values, data.measure, k=k, exact=exact)
    chosen = dimensions.get(dimension)
    labels = dict(chosen.choices()) if chosen is not None and chosen.choices is not None else {}
    return {
        "total": total,
        "cells": [{"bucket": labels.get(c.bucket, c.bucket), "cell": c.cell} for c in cells],
        "dimension": chosen.label if chosen is not None else "",
        "suppressed": not exact,
        "k": k,
    }


def _indicator_page(
    request: AuthenticatedHttpRequest,
    programme: Programme,
    framework: ResultsFramework,
    form: IndicatorForm,
    **values: Any,
) -> HttpResponse:
    context = pages.context(
        request.user,
        programme,
        "indicators",
        framework=framework,
        form=form,
        preview_form=PreviewForm(request.POST or None),
        catalogue=pages.catalogue(),
        **values,
    )
    return render(request, "monitoring/indicator_form.html", context)


def _form(request: AuthenticatedHttpRequest, framework: ResultsFramework, initial: dict[str, Any]) -> IndicatorForm:
    return IndicatorForm(
        request.POST or None,
        nodes=selectors.nodes_of(framework),
        people=selectors.responsible_choices(framework.programme),
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=True)
    framework = pages.framework_or_404(found)
    form = _form(request, framework, {"node": request.GET.get("node", ""), "is_computed": True, "measure": "count"})
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(request, found, form)
        else:
            try:
                services.create_indicator(request.user, framework, form.to_input())
            except ValidationError as exc:
                apply_service_errors(exc, form, aliases=definition_aliases(getattr(exc, "error_dict", {})))
            else:
                messages.success(request, _("The indicator was added."))
                return redirect("monitoring:indicators", found.pk)
    return _indicator_page(request, found, framework, form, indicator=None, preview=preview, record_version=None)


def indicator_or_404(request: AuthenticatedHttpRequest, pk: int) -> Indicator:
    permissions.require_view(request.user)
    try:
        return selectors.get_indicator(request.user, pk)
    except Indicator.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_or_404(request, pk)
    found = pages.programme_or_404(request.user, indicator.framework.programme_id, for_write=True)
    framework = indicator.framework
    form = _form(request, framework, IndicatorForm.initial_from(services.IndicatorInput.of(indicator)))
    if "preview" in request.POST:
        preview = _preview(request, found, form) if form.is_valid() else None
        edit = pages.Edit(versioning.posted_version(request.POST))
    else:
        preview = None
        edit = pages.save_edit(
            request,
            form,
            indicator.revision,
            lambda data, version: services.edit_indicator(request.user, indicator, data, expected_version=version),
            lambda current: IndicatorForm.initial_from(services.IndicatorInput.of(current)),
            aliases=definition_aliases,
        )
        if edit.saved:
            messages.success(request, _("The indicator was saved."))
            return redirect("monitoring:indicators", found.pk)
    return _indicator_page(
        request,
        found,
        framework,
        form,
        indicator=indicator,
        preview=preview,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )


@login_required
@require_POST
def indicator_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_or_404(request, pk)
    found = pages.programme_or_404(request.user, indicator.framework.programme_id, for_write=True)
    try:
        services.delete_indicator(request.user, indicator, expected_version=versioning.posted_version(request.POST))
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The indicator was deleted."))
    return redirect("monitoring:indicators", found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def library(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=request.method == "POST")
    framework = pages.framework_or_404(found)
    standards = list(selectors.standard_indicators())
    form = AdoptForm(request.POST or None, standards=standards, nodes=selectors.nodes_of(framework))
    if request.method == "POST" and form.is_valid():
        standard, node = form.ids()
        try:
            services.adopt_standard(request.user, framework, standard=standard, node=node)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The indicator was added to the framework."))
            return redirect("monitoring:library", found.pk)
    adopted = selectors.adopted_codes(framework)
    context = pages.context(
        request.user,
        found,
        "indicators",
        framework=framework,
        form=form,
        standards=[{"standard": s, "adopted": s.code in adopted} for s in standards],
    )
    return render(request, "monitoring/library.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=request.method == "POST")
    framework = pages.framework_or_404(found)
    periods = selectors.periods_of(found)
    form = TargetsForm(
        request.POST or None,
        indicators=selectors.indicators_of(framework),
        periods=periods,
        stored=selectors.targets_of(framework),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_targets(request.user, framework, form.grid())
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=form.aliases(getattr(exc, "error_dict", {})))
        else:
            messages.success(request, _("The targets were saved."))
            return redirect("monitoring:targets", found.pk)
    context = pages.context(request.user, found, "indicators", framework=framework, form=form, periods=periods)
    return render(request, "monitoring/targets.html", context)
