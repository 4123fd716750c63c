"""Web pages of a programme's sustainability settings and results: the feasibility grid
(/sostenibilidad/cuadricula/) and the distribution of scores (/sostenibilidad/distribucion/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.sustainability import forms, reports, schedule, selectors, services
from reintegra.sustainability.definition import SCORES
from reintegra.sustainability.models import FeasibilityApproach
from reintegra.sustainability.pages import language, month_label, needs, score_titles
from reintegra.web import charts, versioning
from reintegra.web.forms import apply_service_errors

# Groups smaller than this are not shown in distributions (re-identification risk), as in access.selectors.
K_MIN = 5


def _managed_programme(request: AuthenticatedHttpRequest) -> Programme:
    wanted = request.GET.get("programa") or request.POST.get("programme")
    programme = selectors.managed_programme(request.user, wanted)
    if programme is None:
        raise Http404(_("No programme to configure."))
    return programme


@login_required
@require_GET
@needs(Capability.MANAGE_PROGRAMME)
def grid(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _managed_programme(request)
    rows, own = selectors.grid_to_edit(programme)
    return render(
        request,
        "sustainability/grid.html",
        {
            "nav": "instruments",
            "programme": programme,
            "programmes": selectors.programmes_managed_by(request.user),
            "rows": rows,
            "own": own,
            "import_form": forms.GridImportForm(),
        },
    )


def _grid_row(request: AuthenticatedHttpRequest, pk: int) -> FeasibilityApproach:
    """A feasibility grid row of a programme of the user's organisation (any other row: 404)."""
    try:
        return selectors.get_grid_row(request.user, pk)
    except FeasibilityApproach.DoesNotExist:
        raise Http404(_("Grid row not found.")) from None


@login_required
@require_http_methods(["GET", "POST"])
@needs(Capability.MANAGE_PROGRAMME)
def grid_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    approach = None
    if pk is not None:
        approach = _grid_row(request, pk)
        programme = approach.programme
        assert programme is not None
    else:
        programme = _managed_programme(request)
    stored_values = model_to_dict(approach) if approach is not None else {}
    form = forms.ApproachForm(request.POST or None, instance=approach)
    posted = request.method == "POST"
    record_version = versioning.posted_version(request.POST) if posted else versioning.version_of(approach)
    conflict = None
    if posted and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            services.save_approach(request.user, programme, values, approach, expected_version=record_version)
        except StaleVersion as exc:
            stored_values = model_to_dict(exc.current) if exc.current is not None else {}
            conflict = versioning.conflict(exc, [(form, stored_values)])
            record_version = exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Feasibility grid saved."))
            return redirect(f"{reverse('sustainability:grid')}?programa={programme.pk}")
    return render(
        request,
        "sustainability/grid_edit.html",
        {
            "nav": "instruments",
            "form": form,
            "programme": programme,
            "approach": approach,
            "record_version": record_version if approach is not None else None,
            "conflict": conflict,
            "has_errors": bool(form.errors) or conflict is not None,
        },
    )


@login_required
@require_POST
@needs(Capability.MANAGE_PROGRAMME)
def grid_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    approach = _grid_row(request, pk)
    programme_pk = approach.programme_id
    try:
        services.delete_approach(request.user, approach, expected_version=versioning.posted_version(request.POST))
    except StaleVersion as exc:
        messages.error(request, _("%(message)s The row was not removed.") % {"message": exc.message})
    else:
        messages.success(request, _("Row removed from the feasibility grid."))
    return redirect(f"{reverse('sustainability:grid')}?programa={programme_pk}")


@login_required
@require_POST
@needs(Capability.MANAGE_PROGRAMME)
def grid_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _managed_programme(request)
    form = forms.GridImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_grid(request.user, programme, upload, upload.name, language()[:2])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if report.errors:
                for error in report.errors[:30]:
                    messages.error(
                        request,
                        _("Row %(row)s, column %(column)s: %(reason)s") % error,
                    )
                messages.error(request, _("Nothing was imported: correct the rows listed and try again."))
            else:
                messages.success(
                    request,
                    _("Grid imported: %(created)s new rows, %(updated)s updated.")
                    % {"created": report.created, "updated": report.updated},
                )
    else:
        messages.error(request, _("Choose a file to import."))
    return redirect(f"{reverse('sustainability:grid')}?programa={programme.pk}")


# --- Programme-level distribution -----------------------------------------------------------------


@login_required
@require_GET
@needs(Capability.VIEW_AGGREGATES)
def distribution(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = selectors.programmes_reported_to(request.user)
    programme = selectors.reported_programme(request.user, request.GET.get("programa"))
    month_raw = request.GET.get("ronda", "")
    month = int(month_raw) if month_raw.isdigit() else None
    data = reports.distribution_data(programme, month) if programme else {}
    titles = score_titles()
    blocks = []
    for key in SCORES:
        d = data.get(key)
        if not d:
            continue
        suppressed = d["n"] < K_MIN
        edges = d["edges"]
        # The survey's 0–1 scale in the reader's number format ("0,2–0,4" in Spanish), as everywhere else.
        bins = [f"{number_format(edges[i], 1)}–{number_format(edges[i + 1], 1)}" for i in range(len(edges) - 1)]
        counts = [c if c == 0 or c >= K_MIN else None for c in d["counts"]]
        blocks.append(
            {
                "key": key,
                "label": titles[key],
                "d": d,
                "suppressed": suppressed,
                "rows": list(zip(bins, counts, strict=True)),
                "chart": None
                if suppressed
                else charts.config(
                    "bar",
                    [charts.dataset(titles[key], counts, colour="#1d4ed8")],
                    labels=bins,
                    options={"plugins": {"legend": {"display": False}}},
                ),
            }
        )
    months = (programme.rss_round_months if programme else None) or list(schedule.DEFAULT_MONTHS)
    return render(
        request,
        "sustainability/distribution.html",
        {
            "nav": "instruments",
            "programmes": programmes,
            "programme": programme,
            "month": month,
            "months": [(m, month_label(m)) for m in months],
            "blocks": blocks,
            "k_min": K_MIN,
        },
    )
