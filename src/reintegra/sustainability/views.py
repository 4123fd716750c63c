"""Web pages of sustainability measurement (/sostenibilidad/). Thin: forms parse, selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import numpy as np
import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, exports, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.access.versioning import StaleVersion
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.sustainability import forms, schedule, scoring, selectors, services, xlsform
from reintegra.sustainability.choices import Dimension, RoundSource
from reintegra.sustainability.definition import COMPOSITE, SCORES, label
from reintegra.sustainability.models import FeasibilityApproach, Instrument, InstrumentVersion, RoundScore, SurveyRound
from reintegra.web import charts, versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of

# Groups smaller than this are not shown in distributions (re-identification risk), as in access.selectors.
K_MIN = 5
INSTRUMENT_READERS = frozenset(
    {Capability.MANAGE_PROGRAMME, Capability.VIEW_AGGREGATES, Capability.IMPORT_SUBMISSIONS, Capability.EDIT_CASES}
)


def _needs(*capabilities: Capability) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Role check before any lookup (a forbidden action never reveals whether an object exists)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.has_capability(c) for c in capabilities):
                raise PermissionDenied(_("You do not have permission to do this."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _case(request: AuthenticatedHttpRequest, pk: Any) -> Case:
    try:
        return case_selectors.get_case(request.user, pk)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


def _language() -> str:
    return get_language() or "es"


def _band_names(definition: dict[str, Any]) -> dict[str, str]:
    return {b["code"]: label(b.get("labels"), _language()) for b in definition.get("bands", [])}


def _score_titles() -> dict[str, Any]:
    """The survey's four scores: one per dimension (the vocabulary's labels) and the composite across them."""
    return {**dict(Dimension.choices), COMPOSITE: _("Composite")}


def _score_rows(score: RoundScore | None) -> list[dict[str, Any]]:
    if score is None:
        return []
    names = _band_names(score.version.definition)
    titles = _score_titles()
    weakest = selectors.weakest_dimension(score.values())
    return [
        {
            "key": key,
            "label": titles[key],
            "value": getattr(score, key),
            "band": score.bands.get(key),
            "band_label": names.get(score.bands.get(key) or "", ""),
            "weakest": key == weakest,
        }
        for key in SCORES
    ]


def _month_label(month: int | None) -> str:
    if month is None:
        return _("Additional round")
    return _("Baseline") if month == 0 else _("%(month)s months") % {"month": month}


# --- Case tab ---------------------------------------------------------------------------------------


@login_required
@require_GET
def case_rounds(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    rounds = list(selectors.rounds_for_case(case))
    audit.record_access(request.user, "view", case, purpose="case page: sustainability")
    rows: list[dict[str, Any]] = []
    for r in rounds:
        score = r.current_score
        rows.append({"round": r, "label": _month_label(r.round_month), "scores": _score_rows(score), "score": score})
    labels = [f"{row['label']} · {row['round'].taken_on.isoformat()}" for row in rows]
    titles = _score_titles()
    colours = {"economic": "#b45309", "social": "#1d4ed8", "psychosocial": "#7c3aed", "composite": "#111827"}
    chart = charts.config(
        "line",
        [
            charts.dataset(
                titles[key],
                [getattr(row["score"], key) if row["score"] else None for row in rows],
                colour=colours[key],
                borderColor=colours[key],
                spanGaps=True,
                borderWidth=3 if key == "composite" else 2,
            )
            for key in SCORES
        ],
        labels=labels,
        options={"scales": {"y": {"min": 0, "max": 1}}},
        percent_axis="y",
    )
    months, window = selectors.schedule_of(case)
    planned = schedule.schedule(case.return_date, months, [r.round_month for r in rounds], window)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "rows": rows,
            "latest": rows[-1] if rows else None,
            "chart": chart if len(rows) >= 1 else None,
            "planned": [{"round": p, "label": _month_label(p.month)} for p in planned],
            "instruments": selectors.instruments_for_case(case),
            "today": timezone.localdate(),
        }
    )
    return render(request, "sustainability/case_rounds.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@_needs(Capability.EDIT_CASES)
def round_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    available = selectors.instruments_for_case(case)
    code = (
        request.GET.get("instrumento")
        or request.POST.get("instrument")
        or (available[0].instrument.code if available else "")
    )
    version = next((v for v in available if v.instrument.code == code), None)
    if version is None:
        messages.error(request, _("No published instrument is available for this case's programme."))
        return redirect("sustainability:case-rounds", pk=case.pk)
    months, _window = selectors.schedule_of(case)
    done = selectors.done_months(case)
    data = request.POST if request.method == "POST" else None
    form = forms.RoundForm(data, version=version, months=months, done=done)
    if data is not None and form.is_valid():
        try:
            round_ = services.record_round(
                request.user,
                case,
                services.RoundInput(
                    instrument=code,
                    version=version.number,
                    taken_on=form.cleaned_data["taken_on"],
                    round_month=form.cleaned_data["round_month"],
                    answers=form.answers(),
                ),
                source=RoundSource.WEB,
            )
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=form.service_names())
        else:
            score = round_.current_score
            composite = score.composite if score else None
            if composite is None:
                messages.warning(request, _("Round recorded. Too few questions were answered for a composite score."))
            else:
                messages.success(
                    request, _("Round recorded. Composite score: %(score)s.") % {"score": f"{composite:.2f}"}
                )
            return redirect("sustainability:case-rounds", pk=case.pk)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "form": form,
            "version": version,
            "instrument_name": label(version.definition.get("labels"), _language()),
            "has_errors": bool(form.errors),
            "sections": form.sections(),
        }
    )
    return render(request, "sustainability/round_form.html", ctx)


def _answer_rows(request: AuthenticatedHttpRequest, round_: SurveyRound) -> tuple[list[dict[str, Any]], bool]:
    definition = round_.version.parsed()
    can_psy = scoping.can_see(request.user, SensitiveCategory.PSYCHOSOCIAL)
    rows = []
    hidden = False
    for q in definition.questions:
        value = round_.answers.get(q.code)
        if q.dimension == Dimension.PSYCHOSOCIAL and not can_psy:
            hidden = True
            continue
        if value is None:
            shown = "—"
        elif q.type in ("single", "multiple"):
            codes = value if isinstance(value, list) else [value]
            shown = ", ".join(label(o.labels, _language()) if (o := q.option(c)) else c for c in codes)
        else:
            shown = str(value)
        score = scoring.question_score(q, value)
        rows.append(
            {"question": label(q.labels, _language()), "dimension": q.dimension, "answer": shown, "score": score}
        )
    return rows, hidden


@login_required
@require_GET
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        round_ = selectors.get_round(request.user, pk)
    except SurveyRound.DoesNotExist:
        raise Http404(_("Round not found.")) from None
    case = _case(request, round_.case_id)
    audit.record_access(request.user, "view", round_, purpose="sustainability round")
    answers, hidden = _answer_rows(request, round_)
    history = list(round_.scores.select_related("version", "computed_by").order_by("-computed_at", "-id"))
    versions = selectors.published_versions(round_.version.instrument)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "round": round_,
            "round_label": _month_label(round_.round_month),
            "scores": _score_rows(round_.current_score),
            "answers": answers,
            "answers_hidden": hidden,
            "history": [{"score": s, "rows": _score_rows(s)} for s in history],
            "rescore_form": forms.RescoreForm(versions=versions),
            "can_rescore": versions.exclude(pk__in=[s.version_id for s in history]).exists(),
        }
    )
    return render(request, "sustainability/round_detail.html", ctx)


@login_required
@require_POST
@_needs(Capability.EDIT_CASES)
def round_rescore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        round_ = selectors.get_round(request.user, pk)
    except SurveyRound.DoesNotExist:
        raise Http404(_("Round not found.")) from None
    form = forms.RescoreForm(request.POST, versions=selectors.published_versions(round_.version.instrument))
    if form.is_valid():
        try:
            services.rescore_round(request.user, round_, form.cleaned_data["version"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Round scored again. The earlier score is kept in the history."))
    else:
        messages.error(request, _("Choose a published version of the same instrument."))
    return redirect("sustainability:round", pk=round_.pk)


# --- Due rounds ----------------------------------------------------------------------------------------


@login_required
@require_GET
@_needs(*INSTRUMENT_READERS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/sostenibilidad/ itself: a case manager's rounds due, otherwise the instruments."""
    if request.user.has_capability(Capability.EDIT_CASES):
        return redirect("sustainability:due")
    return redirect("sustainability:instruments")


@login_required
@require_GET
@_needs(Capability.EDIT_CASES)
def due(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show_all = request.GET.get("todos") == "1" and request.user.has_capability(Capability.VIEW_ORGANISATION_CASES)
    cases = case_selectors.cases_for(request.user)
    if not show_all:
        cases = cases.filter(case_manager=request.user)
    try:
        notice = max(0, min(int(request.GET.get("dias", "30")), 365))
    except ValueError:
        notice = 30
    due_rows = selectors.due_rounds(cases, today, notice)
    rows = [
        {"case": d.case, "month": d.month, "due_on": d.due_on, "overdue": d.overdue, "label": _month_label(d.month)}
        for d in due_rows
    ]
    page = page_of(request, rows, per_page=50)
    return render(
        request,
        "sustainability/due.html",
        {
            "nav": "rss_due",
            "page": page,
            "show_all": show_all,
            "can_show_all": request.user.has_capability(Capability.VIEW_ORGANISATION_CASES),
            "notice": notice,
            "today": today,
            "total": len(rows),
        },
    )


# --- Instruments -----------------------------------------------------------------------------------------


@login_required
@require_GET
@_needs(*INSTRUMENT_READERS)
def instruments(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = []
    for instrument in selectors.instruments_for(request.user):
        versions = list(instrument.versions.all())
        items.append({"instrument": instrument, "versions": versions, "latest": versions[0] if versions else None})
    managed = selectors.programmes_managed_by(request.user)
    return render(
        request,
        "sustainability/instruments.html",
        {
            "nav": "instruments",
            "items": items,
            "upload_form": forms.UploadForm(programmes=managed) if managed.exists() else None,
            "can_manage": managed.exists(),
            "can_report": request.user.has_capability(Capability.VIEW_AGGREGATES),
        },
    )


@login_required
@require_POST
@_needs(Capability.MANAGE_PROGRAMME)
def instrument_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    managed = selectors.programmes_managed_by(request.user)
    form = forms.UploadForm(request.POST, request.FILES, programmes=managed)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        programme = form.cleaned_data["programme"]
        try:
            if upload.name.lower().endswith(".xlsx"):
                version = services.import_xlsform(request.user, programme, upload, upload.name)
                if form.cleaned_data["publish"] and not services.draft_problems(version):
                    services.publish_version(request.user, version)
                messages.success(
                    request, _("XLSForm imported as draft version %(number)s.") % {"number": version.number}
                )
            else:
                raw = services.read_definition_file(upload, upload.name)
                result = services.load_instrument(
                    request.user, raw, programme=programme, publish=form.cleaned_data["publish"], source=upload.name
                )
                version = result.version
                messages.success(request, _("Instrument loaded: version %(number)s.") % {"number": version.number})
            return redirect("sustainability:instrument", pk=version.instrument_id)
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="file", limit=20)
    items = [
        {"instrument": i, "versions": list(i.versions.all()), "latest": None}
        for i in selectors.instruments_for(request.user)
    ]
    return render(
        request,
        "sustainability/instruments.html",
        {"nav": "instruments", "items": items, "upload_form": form, "can_manage": True, "has_errors": True},
        status=400,
    )


def _instrument(request: AuthenticatedHttpRequest, pk: Any) -> Instrument:
    instrument = selectors.instruments_for(request.user).filter(pk=pk).first()
    if instrument is None:
        raise Http404(_("Instrument not found."))
    return instrument


def _version(request: AuthenticatedHttpRequest, pk: Any) -> InstrumentVersion:
    version = (
        InstrumentVersion.objects.filter(instrument__in=selectors.instruments_for(request.user), pk=pk)
        .select_related("instrument__programme")
        .first()
    )
    if version is None:
        raise Http404(_("Instrument version not found."))
    return version


def _can_manage(request: AuthenticatedHttpRequest, instrument: Instrument) -> bool:
    return bool(
        request.user.has_capability(Capability.MANAGE_PROGRAMME)
        and instrument.programme is not None
        and instrument.programme.organisation_id == request.user.organisation_id
    )


@login_required
@require_GET
@_needs(*INSTRUMENT_READERS)
def instrument_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = _instrument(request, pk)
    versions = []
    for version in instrument.versions.all():
        parsed = services.parsed_or_none(version)
        versions.append(
            {
                "version": version,
                "parsed": parsed,
                "problems": services.draft_problems(version) if not version.is_published else [],
                "questions": [
                    {
                        "q": q,
                        "label": label(q.labels, _language()),
                        "options": [(o, label(o.labels, _language())) for o in q.options],
                    }
                    for q in (parsed.questions if parsed else [])
                ],
                "bands": [(b, label(b.labels, _language())) for b in (parsed.bands if parsed else [])],
            }
        )
    return render(
        request,
        "sustainability/instrument_detail.html",
        {
            "nav": "instruments",
            "instrument": instrument,
            "versions": versions,
            "can_manage": _can_manage(request, instrument),
            "can_import": request.user.has_capability(Capability.IMPORT_SUBMISSIONS),
            "submissions_form": forms.SubmissionsForm(),
        },
    )


@login_required
@require_GET
@_needs(*INSTRUMENT_READERS)
def version_xlsform(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    parsed = services.parsed_or_none(version)
    if parsed is None:
        raise Http404(_("This draft is not complete yet."))
    language = _language().split("-")[0]
    sheets = xlsform.xlsform_sheets(parsed, language if language in ("es", "en", "fr") else "es")
    return exports.download_workbook(
        request.user, f"{version.instrument.code}-v{version.number}", sheets, purpose="XLSForm", obj=version
    )


@login_required
@require_GET
@_needs(*INSTRUMENT_READERS)
def version_definition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    text = yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=120)
    audit.record_access(request.user, "export", version, purpose="instrument definition (YAML)")
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = exports.safe_filename(f"{version.instrument.code}-v{version.number}", "yaml", dated=False)
    response["Content-Disposition"] = exports.attachment(filename)
    return response


@login_required
@require_POST
@_needs(Capability.MANAGE_PROGRAMME)
def version_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        services.publish_version(request.user, version, expected_version=versioning.posted_version(request.POST))
    except StaleVersion as exc:
        messages.error(
            request,
            _("%(message)s Review the draft as it is now before publishing it.") % {"message": exc.message},
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("This version cannot be published yet: %(problems)s") % {"problems": "; ".join(exc.messages[:10])},
        )
    else:
        messages.success(request, _("Version %(number)s published.") % {"number": version.number})
    return redirect("sustainability:instrument", pk=version.instrument_id)


@login_required
@require_http_methods(["GET", "POST"])
@_needs(Capability.MANAGE_PROGRAMME)
def version_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not _can_manage(request, version.instrument) or version.is_published:
        raise PermissionDenied(_("Only a draft of your programme's own instrument can be edited."))
    initial = _definition_text(version)
    form = forms.DraftForm(request.POST or None, initial={"definition": initial})
    posted = request.method == "POST"
    record_version = versioning.posted_version(request.POST) if posted else version.revision
    conflict = None
    if posted and form.is_valid():
        try:
            raw = services.read_definition_file(form.cleaned_data["definition"].encode())
            services.update_draft(request.user, version, raw, expected_version=record_version)
        except StaleVersion as exc:
            label = str(form.fields["definition"].label)
            mine = form.cleaned_data["definition"]
            difference = versioning.text_difference(label, _definition_text(version), mine)
            conflict, record_version = versioning.conflict(exc, [], [difference]), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="definition")
        else:
            problems = services.draft_problems(version)
            if problems:
                messages.warning(
                    request,
                    _("Draft saved. Still to complete before publishing: %(n)s problems.") % {"n": len(problems)},
                )
            else:
                messages.success(request, _("Draft saved. It is complete and can be published."))
            return redirect("sustainability:instrument", pk=version.instrument_id)
    return render(
        request,
        "sustainability/version_edit.html",
        {
            "nav": "instruments",
            "version": version,
            "form": form,
            "problems": services.draft_problems(version),
            "record_version": record_version,
            "conflict": conflict,
            "has_errors": posted and (bool(form.errors) or conflict is not None),
        },
    )


def _definition_text(version: InstrumentVersion) -> str:
    return yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=120)


@login_required
@require_POST
@_needs(Capability.IMPORT_SUBMISSIONS)
def version_submissions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    form = forms.SubmissionsForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_submissions(request.user, version, upload, upload.name).as_dict()
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="file")
        else:
            audit.record_access(
                request.user, "import", version, purpose=f"RSS submissions: {report['imported']} imported"
            )
    return render(
        request,
        "sustainability/import_report.html",
        {"nav": "instruments", "version": version, "form": form, "report": report},
        status=200 if report is not None else 400,
    )


# --- Feasibility grid -------------------------------------------------------------------------------------


def _managed_programme(request: AuthenticatedHttpRequest) -> Programme:
    managed = selectors.programmes_managed_by(request.user)
    wanted = request.GET.get("programa") or request.POST.get("programme")
    programme = managed.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else managed.first()
    if programme is None:
        raise Http404(_("No programme to configure."))
    return programme


@login_required
@require_GET
@_needs(Capability.MANAGE_PROGRAMME)
def grid(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _managed_programme(request)
    own = FeasibilityApproach.objects.filter(programme=programme).exists()
    rows = list(selectors.grid_for(programme)) if own else list(selectors.grid_for(None))
    if own:
        rows = list(FeasibilityApproach.objects.filter(programme=programme))
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
    approach = (
        FeasibilityApproach.objects.filter(pk=pk, programme__organisation_id=request.user.organisation_id or 0)
        .select_related("programme")
        .first()
    )
    if approach is None:
        raise Http404(_("Grid row not found."))
    return approach


@login_required
@require_http_methods(["GET", "POST"])
@_needs(Capability.MANAGE_PROGRAMME)
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
@_needs(Capability.MANAGE_PROGRAMME)
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
@_needs(Capability.MANAGE_PROGRAMME)
def grid_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _managed_programme(request)
    form = forms.GridImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_grid(request.user, programme, upload, upload.name, _language()[:2])
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


# --- Programme-level distribution ---------------------------------------------------------------------------


def distribution_data(programme: Programme, month: int | None) -> dict[str, Any]:
    """Score distributions of the current scores of one programme's rounds (optionally one scheduled round)."""
    scores = RoundScore.objects.filter(is_current=True, round__case__programme=programme)
    if month is not None:
        scores = scores.filter(round__round_month=month)
    values = np.array(list(scores.values_list(*SCORES)), dtype=np.float64).reshape(-1, len(SCORES))
    return {key: scoring.distribution(values[:, i]) for i, key in enumerate(SCORES)}


@login_required
@require_GET
@_needs(Capability.VIEW_AGGREGATES)
def distribution(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = selectors.programmes_reported_to(request.user)
    wanted = request.GET.get("programa")
    programme = programmes.filter(pk=wanted).first() if wanted and wanted.isdigit() else programmes.first()
    month_raw = request.GET.get("ronda", "")
    month = int(month_raw) if month_raw.isdigit() else None
    data = distribution_data(programme, month) if programme else {}
    titles = _score_titles()
    blocks = []
    for key in SCORES:
        d = data.get(key)
        if not d:
            continue
        suppressed = d["n"] < K_MIN
        edges = d["edges"]
        bins = [f"{edges[i]:.1f}–{edges[i + 1]:.1f}" for i in range(len(edges) - 1)]
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
            "months": [(m, _month_label(m)) for m in months],
            "blocks": blocks,
            "k_min": K_MIN,
        },
    )
