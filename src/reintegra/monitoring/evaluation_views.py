"""Pages of evaluations and learning: a programme's evaluations and lessons, an evaluation with its ratings and
management responses, their forms, and the lessons search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.monitoring import choices as c
from reintegra.monitoring import evaluation_selectors as selectors
from reintegra.monitoring import evaluation_services as services
from reintegra.monitoring import learning_panels, pages, permissions
from reintegra.monitoring.evaluation_forms import EvaluationForm, LessonFilterForm, LessonForm, RecommendationForm
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation
from reintegra.monitoring.selectors import programmes_for
from reintegra.web import pagination
from reintegra.web.forms import apply_service_errors

PAGE_SIZE = 20
NAV = "monitoring"


def _programme(request: AuthenticatedHttpRequest, pk: int, *, for_write: bool = False) -> Programme:
    try:
        return permissions.access_programme_by_id(request.user, pk, for_write=for_write)
    except Programme.DoesNotExist:
        raise Http404 from None


def _evaluation(request: AuthenticatedHttpRequest, pk: int, *, for_write: bool = False) -> Evaluation:
    try:
        return selectors.access_evaluation_by_id(request.user, pk, for_write=for_write)
    except Evaluation.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def learning_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_view(request.user)
    context = {"nav": NAV, "section": "evaluations", "overview": selectors.learning_overview(request.user)}
    return render(request, "monitoring/learning/home.html", context)


@login_required
@require_GET
def programme_learning(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = _programme(request, programme)
    today = timezone.localdate()
    evaluations = list(selectors.programme_evaluations(found))
    context = {
        "nav": NAV,
        "section": "evaluations",
        "programme": found,
        "evaluations": evaluations,
        "lessons": list(selectors.programme_lessons(found)[:10]),
        "can_manage": permissions.can_manage(request.user, found),
        "today": today,
        **learning_panels.similar_lessons_context(request.user, found),
    }
    return render(request, "monitoring/learning/programme.html", context)


@login_required
@require_GET
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    today = timezone.localdate()
    labels = dict(c.Rating.choices)
    ratings = [
        {"criterion": label, "value": evaluation.ratings.get(value), "label": labels.get(evaluation.ratings.get(value))}
        for value, label in c.DacCriterion.choices
    ]
    recommendations = [
        {"recommendation": r, "overdue": selectors.is_overdue(r, today)}
        for r in selectors.recommendations_of(evaluation)
    ]
    context = {
        "nav": NAV,
        "section": "evaluations",
        "evaluation": evaluation,
        "programme": evaluation.programme,
        "ratings": ratings,
        "recommendations": recommendations,
        "overdue_count": sum(1 for r in recommendations if r["overdue"]),
        "lessons": list(selectors.evaluation_lessons(evaluation)),
        "can_manage": permissions.can_manage(request.user, evaluation.programme),
    }
    return render(request, "monitoring/learning/evaluation_detail.html", context)


@login_required
@require_GET
def evaluation_report(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    evaluation = _evaluation(request, pk)
    if not evaluation.report:
        raise Http404
    try:
        handle = evaluation.report.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = (evaluation.report.name or "report").rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


def _form_page(request: AuthenticatedHttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    has_errors = form.is_bound and (bool(form.errors) or context.get("conflict") is not None)
    if "programme" not in context:
        context["programme"] = context["evaluation"].programme
    section = "lessons" if "lesson" in context else "evaluations"
    return render(
        request, template, {"nav": NAV, "section": section, "form": form, "has_errors": has_errors, **context}
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = _programme(request, programme, for_write=True)
    form = EvaluationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.create_evaluation(request.user, found.pk, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The evaluation was saved."))
            return redirect("monitoring:evaluation-detail", evaluation.pk)
    return _form_page(request, "monitoring/learning/evaluation_form.html", form, programme=found, evaluation=None)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, for_write=True)
    form = EvaluationForm(
        request.POST or None,
        request.FILES or None,
        initial=EvaluationForm.initial_from(services.EvaluationInput.of(evaluation)),
    )
    edit = pages.save_edit(
        request,
        form,
        evaluation.revision,
        lambda data, version: services.update_evaluation(request.user, evaluation, data, expected_version=version),
        lambda current: EvaluationForm.initial_from(services.EvaluationInput.of(current)),
    )
    if edit.saved:
        messages.success(request, _("The evaluation was saved."))
        return redirect("monitoring:evaluation-detail", evaluation.pk)
    return _form_page(
        request,
        "monitoring/learning/evaluation_form.html",
        form,
        programme=evaluation.programme,
        evaluation=evaluation,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )


def _people(programme: Programme, keep: Any = None) -> list[tuple[int, str]]:
    people = [(u.pk, u.get_full_name() or u.username) for u in selectors.people_of(programme)]
    if keep is not None and keep.pk not in {pk for pk, _name in people}:
        people.append((keep.pk, keep.get_full_name() or keep.username))  # an owner who has since left
    return people


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, for_write=True)
    form = RecommendationForm(request.POST or None, people=_people(evaluation.programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_recommendation(request.user, evaluation, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The recommendation was added."))
            return redirect("monitoring:evaluation-detail", evaluation.pk)
    return _form_page(
        request, "monitoring/learning/recommendation_form.html", form, evaluation=evaluation, recommendation=None
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        recommendation = selectors.access_recommendation_by_id(request.user, pk, for_write=True)
    except Recommendation.DoesNotExist:
        raise Http404 from None
    evaluation = recommendation.evaluation
    form = RecommendationForm(
        request.POST or None,
        people=_people(evaluation.programme, recommendation.owner),
        initial=RecommendationForm.initial_from(services.RecommendationInput.of(recommendation)),
    )
    edit = pages.save_edit(
        request,
        form,
        recommendation.revision,
        lambda data, version: services.update_recommendation(
            request.user, recommendation, data, expected_version=version
        ),
        lambda current: RecommendationForm.initial_from(services.RecommendationInput.of(current)),
    )
    if edit.saved:
        messages.success(request, _("The management response was saved."))
        return redirect("monitoring:evaluation-detail", evaluation.pk)
    return _form_page(
        request,
        "monitoring/learning/recommendation_form.html",
        form,
        evaluation=evaluation,
        recommendation=recommendation,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )


def _lesson_page(request: AuthenticatedHttpRequest, programme: Programme | None) -> HttpResponse:
    """The lesson search: over every programme the user reads, or (a programme's "Lessons" tab) one of them."""
    readable = list(programmes_for(request.user))
    data = request.GET.copy() if request.GET or programme is not None else None
    if data is not None and programme is not None:
        data["programme"] = str(programme.pk)
    form = LessonFilterForm(data, programmes=[(p.pk, p.name) for p in readable])
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    page = pagination.page_of(request, selectors.search_lessons(request.user, filters), PAGE_SIZE)
    context = {
        "nav": NAV,
        "section": "lessons",
        "programme": programme,
        "form": form,
        "page": page,
        "lessons": list(page.object_list),
        "filtered": bool(request.GET) and filters.active,
        "invalid_filters": form.invalid_fields() if request.GET else [],
        "themes": selectors.lesson_themes(request.user),
        # A lesson another organisation shared cites its evaluation, which only that organisation may open.
        "readable_ids": {p.pk for p in readable},
        "manageable": [p for p in ([programme] if programme else readable) if permissions.can_manage(request.user, p)],
    }
    return render(request, "monitoring/learning/lesson_list.html", context)


@login_required
@require_GET
def lesson_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_view(request.user)
    return _lesson_page(request, None)


@login_required
@require_GET
def programme_lessons(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    return _lesson_page(request, _programme(request, programme))


def _evaluation_choices(programme: Programme) -> list[tuple[int, str]]:
    return [(e.pk, e.title) for e in selectors.programme_evaluations(programme)]


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = _programme(request, programme, for_write=True)
    initial = {"country": (found.countries or [""])[0], "evaluation": request.GET.get("evaluation")}
    form = LessonForm(request.POST or None, evaluations=_evaluation_choices(found), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_lesson(request.user, found.pk, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The lesson was saved."))
            return redirect("monitoring:evaluations", found.pk)
    return _form_page(request, "monitoring/learning/lesson_form.html", form, programme=found, lesson=None)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        lesson = selectors.access_lesson_by_id(request.user, pk, for_write=True)
    except Lesson.DoesNotExist:
        raise Http404 from None
    form = LessonForm(
        request.POST or None,
        evaluations=_evaluation_choices(lesson.programme),
        initial=LessonForm.initial_from(services.LessonInput.of(lesson)),
    )
    edit = pages.save_edit(
        request,
        form,
        lesson.revision,
        lambda data, version: services.update_lesson(request.user, lesson, data, expected_version=version),
        lambda current: LessonForm.initial_from(services.LessonInput.of(current)),
    )
    if edit.saved:
        messages.success(request, _("The lesson was saved."))
        return redirect("monitoring:evaluations", lesson.programme_id)
    return _form_page(
        request,
        "monitoring/learning/lesson_form.html",
        form,
        programme=lesson.programme,
        lesson=lesson,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )
