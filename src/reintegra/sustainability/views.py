"""Web pages of sustainability measurement (/sostenibilidad/): a case's survey rounds and the rounds due.

Thin: forms parse, selectors read, services write. The instruments are in `instrument_views`, the
programme's feasibility grid and score distribution in `programme_views`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, exports, permissions, scoping
from reintegra.access.export_job_views import download_or_queue
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.sustainability import exports as round_exports
from reintegra.sustainability import forms, schedule, scoring, selectors, services
from reintegra.sustainability.choices import Dimension, RoundSource
from reintegra.sustainability.definition import SCORES, label
from reintegra.sustainability.models import RoundScore, SurveyRound
from reintegra.sustainability.pages import INSTRUMENT_READERS, language, month_label, needs, score_titles
from reintegra.web import charts
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of


def _case(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Case:
    try:
        return case_permissions.access_case_by_id(request.user, pk, for_write=for_write)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


def _band_names(definition: dict[str, Any]) -> dict[str, str]:
    return {b["code"]: label(b.get("labels"), language()) for b in definition.get("bands", [])}


def _score_rows(score: RoundScore | None) -> list[dict[str, Any]]:
    if score is None:
        return []
    names = _band_names(score.version.definition)
    titles = score_titles()
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


# --- Case tab -------------------------------------------------------------------------------------


@login_required
@require_GET
def case_rounds(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    rounds = list(selectors.rounds_for_case(case))
    audit.record_access(request.user, "view", case, purpose="case page: sustainability")
    rows: list[dict[str, Any]] = []
    for r in rounds:
        score = r.current_score
        rows.append({"round": r, "label": month_label(r.round_month), "scores": _score_rows(score), "score": score})
    labels = [f"{row['label']} · {date_format(row['round'].taken_on, 'SHORT_DATE_FORMAT')}" for row in rows]
    titles = score_titles()
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
        # The survey's own 0–1 scale, as on the score cards and in the table (never percentages).
        options={"scales": {"y": {"min": 0, "max": 1, "ticks": {"stepSize": 0.2}}}},
    )
    months, window = selectors.schedule_of(case)
    planned = schedule.schedule(case.return_date, months, [r.round_month for r in rounds], window)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "rows": rows,
            "latest": rows[-1] if rows else None,
            "chart": chart if len(rows) >= 1 else None,
            "planned": [{"round": p, "label": month_label(p.month)} for p in planned],
            "instruments": selectors.instruments_for_case(case),
            "today": timezone.localdate(),
        }
    )
    return render(request, "sustainability/case_rounds.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@needs(Capability.EDIT_CASES)
def round_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
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
            round_ = services.record_round(request.user, case, form.to_input(), source=RoundSource.WEB)
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=form.service_names())
        else:
            score = round_.current_score
            composite = score.composite if score else None
            if composite is None:
                messages.warning(request, _("Round recorded. Too few questions were answered for a composite score."))
            else:
                messages.success(
                    request, _("Round recorded. Composite score: %(score)s.") % {"score": number_format(composite, 2)}
                )
            return redirect("sustainability:case-rounds", pk=case.pk)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "form": form,
            "version": version,
            "instrument_name": label(version.definition.get("labels"), language()),
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
            shown = ", ".join(label(o.labels, language()) if (o := q.option(c)) else c for c in codes)
        else:
            shown = str(value)
        score = scoring.question_score(q, value)
        rows.append(
            {"question": label(q.labels, language()), "dimension": q.dimension, "answer": shown, "score": score}
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
    history = selectors.score_history(round_)
    versions = selectors.published_versions(round_.version.instrument)
    ctx = case_page_context(request, case, "sustainability")
    ctx.update(
        {
            "round": round_,
            "round_label": month_label(round_.round_month),
            "scores": _score_rows(round_.current_score),
            "answers": answers,
            "answers_hidden": hidden,
            "history": [{"score": s, "rows": _score_rows(s)} for s in history],
            "rescore_form": forms.RescoreForm(versions=versions),
            "can_rescore": selectors.can_rescore(round_, history),
        }
    )
    return render(request, "sustainability/round_detail.html", ctx)


@login_required
@require_POST
@needs(Capability.EDIT_CASES)
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


# --- Due rounds -----------------------------------------------------------------------------------


@login_required
@require_GET
@needs(*INSTRUMENT_READERS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/sostenibilidad/ itself: a case manager's rounds due, otherwise the instruments."""
    if request.user.has_capability(Capability.EDIT_CASES):
        return redirect("sustainability:due")
    return redirect("sustainability:instruments")


@login_required
@require_GET
def export_rounds(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The rounds of the cases the user sees (`?format=csv|xlsx`, `?codes=1`)."""
    permissions.require(request.user, Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    table = round_exports.round_table(request.user)
    return download_or_queue(request, "survey-rounds", {}, table, fmt)


@login_required
@require_GET
@needs(Capability.EDIT_CASES)
def due(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show_all = request.GET.get("todos") == "1" and request.user.has_capability(Capability.VIEW_ORGANISATION_CASES)
    try:
        notice = max(0, min(int(request.GET.get("dias", "30")), 365))
    except ValueError:
        notice = 30
    due_rows = selectors.due_rounds_for(request.user, today, notice, whole_organisation=show_all)
    rows = [
        {"case": d.case, "month": d.month, "due_on": d.due_on, "overdue": d.overdue, "label": month_label(d.month)}
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
