"""Pages of the reception desk under /recepcion/: arrivals (list, new, the arrival with its people), the fast
intake ("save and next"), an intake's assistance checklist, the reception points, and the dashboard. Thin:
forms parse, selectors read, services write and decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access import exports
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.versioning import StaleVersion
from reintegra.cases import conflicts, duplicates
from reintegra.reception import forms, permissions, selectors, services, statistics
from reintegra.reception.choices import AssistanceKind
from reintegra.reception.models import Arrival, Intake, ReceptionPoint
from reintegra.web import pagination, versioning
from reintegra.web.forms import apply_service_errors

NAV = "reception"
PAGE_SIZE = 25


def _arrival(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Arrival:
    # The role check first: a forbidden page never reveals whether an arrival exists.
    access_permissions.require(request.user, permissions.RECORD)
    try:
        return permissions.access_arrival_by_id(request.user, pk, for_write=for_write)
    except Arrival.DoesNotExist:
        raise Http404(_("Arrival not found.")) from None


# --- Arrivals --------------------------------------------------------------------------------------


@login_required
@require_GET
def arrival_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.RECORD)
    points = list(selectors.points_for(request.user))
    form = forms.ArrivalFilterForm(request.GET or None, points=points)
    filters = selectors.ArrivalFilters()
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        filters = selectors.ArrivalFilters(c.get("point"), c.get("date_from"), c.get("date_to"))
    page = pagination.page_of(request, selectors.arrivals_for(request.user, filters), PAGE_SIZE)
    return render(
        request,
        "reception/arrival_list.html",
        {"form": form, "page": page, "has_points": bool(points), "nav": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def arrival_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.RECORD)
    points = list(selectors.points_for(request.user, active_only=True))
    data = request.POST if request.method == "POST" else None
    form = forms.ArrivalForm(data, points=points)
    if data is not None and form.is_valid():
        try:
            arrival = services.create_arrival(request.user, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The arrival was recorded. Record the people received."))
            return redirect("reception:intake", pk=arrival.pk)
    return render(
        request,
        "reception/arrival_form.html",
        {"form": form, "has_errors": bool(form.errors), "has_points": bool(points), "nav": NAV},
    )


@login_required
@require_GET
def arrival_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    arrival = _arrival(request, pk)
    intakes = selectors.intakes_of(request.user, arrival)
    return render(
        request,
        "reception/arrival_detail.html",
        {
            "arrival": arrival,
            "intakes": intakes,
            "repeat_count": sum(1 for i in intakes if i.is_repeat_return),
            "can_record": permissions.can_record(request.user),
            "nav": NAV,
        },
    )


# --- Fast intake -----------------------------------------------------------------------------------


def _answer(request: AuthenticatedHttpRequest) -> tuple[int | None, bool]:
    """The desk's answer to the candidates shown: "it is this person" (their id) or "a different person"."""
    same = request.POST.get("same_as", "")
    return (int(same) if same.isdigit() else None), "distinct" in request.POST


def _save_intake(
    request: AuthenticatedHttpRequest, arrival: Arrival, form: forms.IntakeForm
) -> tuple[Intake | None, dict[str, Any]]:
    same_as, distinct = _answer(request)
    try:
        return services.record_intake(request.user, arrival, form.to_input(returnee_id=same_as, distinct=distinct)), {}
    except duplicates.PossibleDuplicate as exc:
        result = exc.result
        return None, {
            "candidates": result.candidates,
            "out_of_scope_match": result.out_of_scope_match,
            "seen": ",".join(str(c.returnee.pk) for c in result.candidates),
        }
    except duplicates.DuplicateCheckThrottled as exc:
        form.add_error(None, exc.message())
    except ValidationError as exc:
        apply_service_errors(exc, form, aliases={"returnee": "__all__"})
    return None, {}


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The fast intake: twelve fields; "save and next" comes back to an empty form for the next person."""
    arrival = _arrival(request, pk, for_write=True)
    country = str(arrival.point.country)
    data = request.POST if request.method == "POST" else None
    form = forms.IntakeForm(data, country=country)
    extra: dict[str, Any] = {}
    if data is not None and form.is_valid():
        saved, extra = _save_intake(request, arrival, form)
        if saved is not None:
            if saved.is_repeat_return:
                messages.info(request, _("Repeat return: linked to the person's earlier record."))
            if saved.case_id:
                messages.warning(
                    request,
                    _("A protection flag opened or linked a case: %(number)s.")
                    % {"number": saved.case.case_number if saved.case else ""},
                )
            messages.success(request, _("Saved. Next person."))
            if "finish" in request.POST:
                return redirect("reception:arrival", pk=arrival.pk)
            return redirect("reception:intake", pk=arrival.pk)
    return render(
        request,
        "reception/intake_form.html",
        {
            "arrival": arrival,
            "form": form,
            "recorded": selectors.intake_count(arrival),
            "has_errors": bool(form.errors),
            "nav": NAV,
            **extra,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One person received: the assistance checklist (who gave what) and the case routing opened."""
    access_permissions.require(request.user, permissions.RECORD)
    try:
        found = permissions.access_intake_by_id(request.user, pk)
    except Intake.DoesNotExist:
        raise Http404(_("Intake not found.")) from None
    given = selectors.assistance_of(found)
    data = request.POST if request.method == "POST" else None
    point = found.arrival.point
    # Who gave an item: as recorded, else the institution remembered at the point for that kind.
    initial: dict[str, Any] = {forms.institution_field(k): v for k, v in services.assistance_defaults(point).items()}
    initial.update({forms.institution_field(a.kind): a.institution_id for a in given})
    initial["assistance"] = [a.kind for a in given]
    form = forms.AssistanceForm(data, initial=initial, institutions=selectors.assistance_institution_choices(point))
    ctx: dict[str, Any] = {
        "record_version": versioning.version_of(found) if data is None else versioning.posted_version(data)
    }
    if data is not None and form.is_valid():
        try:
            services.set_assistance(
                request.user,
                found,
                list(form.cleaned_data["assistance"]),
                form.institutions(),
                expected_version=ctx["record_version"],
            )
        except StaleVersion as exc:
            # The conflict panel: what is stored now beside what was typed (kept in the form); the page then
            # carries the current version, so saving again applies the typed checklist knowingly.
            conflicts.stale_handler(ctx, form, _assistance_versioning(form))(exc)
            given = selectors.assistance_of(found)
        except ValidationError as exc:
            aliases = {f"assistance_institutions.{k}": forms.institution_field(k) for k in AssistanceKind.values}
            apply_service_errors(exc, form, aliases=aliases)
        else:
            messages.success(request, _("The assistance given was saved."))
            return redirect("reception:intake-detail", pk=found.pk)
    from reintegra.access import audit

    audit.record_access(request.user, "view", found.returnee, purpose="reception: intake")
    return render(
        request,
        "reception/intake_detail.html",
        {
            "intake": found,
            "given": given,
            "form": form,
            "has_errors": bool(form.errors),
            "nav": NAV,
            **ctx,
        },
    )


def _assistance_versioning(form: forms.AssistanceForm) -> conflicts.Versioning:
    """The checklist as stored now, in the form's terms: the items given, and who gave each item ticked in the
    form (an item not given shows no one)."""

    def stored(current: Intake) -> dict[str, Any]:
        given = {a.kind: a.institution_id for a in selectors.assistance_of(current)}
        values: dict[str, Any] = {"assistance": sorted(given)}
        for kind in form.cleaned_data.get("assistance") or []:
            values[forms.institution_field(kind)] = given.get(kind)
        return values

    return conflicts.Versioning(record=lambda intake: intake, stored=stored)


# --- Reception points ------------------------------------------------------------------------------


@login_required
@require_GET
def point_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.RECORD, permissions.MANAGE_POINTS)
    return render(
        request,
        "reception/point_list.html",
        {
            "points": selectors.points_for(request.user),
            "can_manage": permissions.can_manage_points(request.user),
            "nav": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access_permissions.require(request.user, permissions.MANAGE_POINTS)
    point = None
    if pk is not None:
        try:
            point = permissions.access_point_by_id(request.user, pk, for_write=True)
        except ReceptionPoint.DoesNotExist:
            raise Http404(_("Reception point not found.")) from None
    data = request.POST if request.method == "POST" else None
    country = str(request.user.organisation.country) if request.user.organisation else ""
    form = forms.PointForm(data, initial=forms.PointForm.initial_of(point) if point else None, country=country)
    if data is not None and form.is_valid():
        try:
            services.save_point(request.user, form.to_input(), point)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The reception point was saved."))
            return redirect("reception:points")
    return render(
        request,
        "reception/point_form.html",
        {"form": form, "point": point, "has_errors": bool(form.errors), "nav": NAV},
    )


# --- Dashboard -------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    if not permissions.can_view_statistics(request.user):
        raise access_permissions.denied()
    points = list(selectors.statistics_points(request.user))
    form = forms.StatisticsFilterForm(request.GET or None, points=points)
    values: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v}
    found = statistics.statistics_for(
        request.user,
        date_from=values.get("date_from"),
        date_to=values.get("date_to"),
        point_id=values.get("point"),
        period=values.get("period") or "month",
    )
    fmt = request.GET.get("format", "")
    if fmt in exports.FORMATS:
        return exports.download(
            request.user,
            fmt,
            "recepcion-estadisticas",
            [exports.Column("table", _("Table")), exports.Column("row", _("Row")), exports.Column("value", _("Value"))],
            found.export_rows(),
            purpose="reception statistics",
            object_type="reception.arrival",
            codes=exports.codes_requested(request),
        )
    charts = found.charts()
    return render(
        request,
        "reception/dashboard.html",
        {
            "form": form,
            "stats": found,
            "charts": charts,
            "sections": [(table, charts[table.key]) for table in found.tables],
            "nav": "reception_dashboard",
        },
    )
