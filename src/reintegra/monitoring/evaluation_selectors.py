"""Every read of evaluations, recommendations and lessons learned, scoped by `monitoring.selectors.programmes_for`.

Who reads a lesson (decision, docs/monitoring-learning.md): a lesson learned is not personal data, so whoever
reads a programme's monitoring reads its lessons (the user's organisation's programmes, every programme for
coordinators), and every reader of monitoring reads the lessons other organisations share (`is_shared`, the
default: learning across programmes is the point). "Lessons from similar programmes" draws from the same set,
the programme itself left out.

Search (`search_lessons`): every word of the query must be in the lesson (title, text or themes), accents and
case aside. On PostgreSQL it is full-text search with the Spanish configuration over `Lesson.search_text`
(already lower case and unaccented, so "migracion" finds "migración" and stems match: "retornos" finds
"retorno"); elsewhere (SQLite) every word is a substring of `search_text`. Either way lessons with more of the
words in their title come first, then (PostgreSQL) the full-text rank, then the most recent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from unidecode import unidecode

from reintegra.access.models import Programme, User
from reintegra.access.permissions import has_any
from reintegra.monitoring import choices as c
from reintegra.monitoring import permissions
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation, ResultNode
from reintegra.monitoring.selectors import programmes_for

if TYPE_CHECKING:
    from django.db.models import QuerySet

# An action's owner is reminded this many days before its due date (and again once it is past).
DUE_SOON_DAYS = 14
OPEN_ACTION = (c.ActionStatus.NOT_STARTED, c.ActionStatus.IN_PROGRESS)
COMMITTED = (c.ResponseDecision.ACCEPTED, c.ResponseDecision.PARTIALLY)
MAX_QUERY_WORDS = 12


def normalise(text: str) -> str:
    """Lower case without accents, spaces collapsed: what searches compare ("Migración" → "migracion")."""
    return " ".join(unidecode(text).lower().split())


def search_text(title: str, body: str, themes: list[str]) -> str:
    """Title on the first line (hits there rank first), the body on the second, then the themes between bars
    ("|empleo|salud mental|") so that a theme filter matches a whole theme."""
    marked = "".join(f"|{normalise(t)}" for t in themes) + ("|" if themes else "")
    return f"{normalise(title)}\n{normalise(body)}\n{marked}"


# --- evaluations and recommendations ---------------------------------------------------------------


def evaluations_for(user: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(programme__in=programmes_for(user)).select_related("programme__organisation")


def access_evaluation_by_id(user: User, pk: Any, *, for_write: bool = False) -> Evaluation:
    """An evaluation the user reads (`Evaluation.DoesNotExist` → 404); `for_write`: one they may change (403)."""
    permissions.require_view(user)
    evaluation = evaluations_for(user).get(pk=pk)
    if for_write:
        permissions.require_manage(user, evaluation.programme)
    return evaluation


def programme_evaluations(programme: Programme) -> QuerySet[Evaluation]:
    """A programme's evaluations (the caller fetched the programme through the user's scope)."""
    return (
        Evaluation.objects.filter(programme=programme)
        .annotate(
            recommendation_count=Count("recommendations", distinct=True),
            open_actions=Count(
                "recommendations",
                filter=Q(recommendations__decision__in=COMMITTED, recommendations__status__in=OPEN_ACTION),
                distinct=True,
            ),
        )
        .order_by(F("ends_on").desc(nulls_last=True), "-id")
    )


def search_evaluations(user: User, programme: int | None = None) -> QuerySet[Evaluation]:
    found = evaluations_for(user)
    if programme is not None:
        found = found.filter(programme_id=programme)
    return found.order_by(F("ends_on").desc(nulls_last=True), "-id")


def recommendations_for(user: User) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(evaluation__programme__in=programmes_for(user)).select_related(
        "evaluation__programme__organisation", "owner"
    )


def access_recommendation_by_id(user: User, pk: Any, *, for_write: bool = False) -> Recommendation:
    permissions.require_view(user)
    recommendation = recommendations_for(user).get(pk=pk)
    if for_write:
        permissions.require_manage(user, recommendation.evaluation.programme)
    return recommendation


def recommendations_of(evaluation: Evaluation) -> QuerySet[Recommendation]:
    return evaluation.recommendations.select_related("owner").order_by("order", "id")


def is_overdue(recommendation: Recommendation, today: date) -> bool:
    """A committed action not done nor dropped, past its due date."""
    return (
        recommendation.decision in COMMITTED
        and recommendation.status in OPEN_ACTION
        and recommendation.due_on is not None
        and recommendation.due_on < today
    )


def people_of(programme: Programme) -> QuerySet[User]:
    """Who may own an action: the active users of the programme's organisation."""
    return User.objects.filter(organisation_id=programme.organisation_id, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def actions_due(today: date) -> QuerySet[Recommendation, tuple[int, int, str, int | None, date | None]]:
    """Committed actions still open whose due date is near or past, with an active owner (the reminders)."""
    return Recommendation.objects.filter(
        decision__in=COMMITTED,
        status__in=OPEN_ACTION,
        due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
        owner__is_active=True,
    ).values_list("id", "evaluation_id", "evaluation__title", "owner_id", "due_on")


# --- lessons learned --------------------------------------------------------------------------------


def lessons_for(user: User) -> QuerySet[Lesson]:
    """Lessons of the programmes the user follows, and every organisation's shared lessons."""
    if not has_any(user, *permissions.READ):
        return Lesson.objects.none()
    return Lesson.objects.filter(Q(programme__in=programmes_for(user)) | Q(is_shared=True)).select_related(
        "programme__organisation", "evaluation"
    )


def access_lesson_by_id(user: User, pk: Any, *, for_write: bool = False) -> Lesson:
    permissions.require_view(user)
    lesson = lessons_for(user).get(pk=pk)
    if for_write:
        permissions.require_manage(user, lesson.programme)
    return lesson


@dataclass(frozen=True)
class LessonFilters:
    search: str = ""
    programme: int | None = None
    level: str = ""
    dimension: str = ""
    country: str = ""
    theme: str = ""

    @property
    def active(self) -> bool:
        return any((self.search, self.programme, self.level, self.dimension, self.country, self.theme))


def query_words(search: str) -> list[str]:
    words = list(dict.fromkeys(normalise(search).split()))
    return words[:MAX_QUERY_WORDS]


def search_lessons(user: User, filters: LessonFilters | None = None) -> QuerySet[Lesson]:
    found = lessons_for(user)
    filters = filters or LessonFilters()
    if filters.programme is not None:
        found = found.filter(programme_id=filters.programme)
    for name in ("level", "dimension", "country"):
        if getattr(filters, name):
            found = found.filter(**{name: getattr(filters, name)})
    if filters.theme.strip():
        found = found.filter(search_text__contains=f"|{normalise(filters.theme)}|")
    words = query_words(filters.search)
    if not words:
        return found.order_by("-recorded_on", "-id")
    found = _title_hits(found, words)
    if connection.vendor == "postgresql":
        return _full_text(found, " ".join(words))
    for word in words:
        found = found.filter(search_text__contains=word)
    return found.order_by(F("title_hits").desc(), "-recorded_on", "-id")


def _title_hits(found: QuerySet[Lesson], words: list[str]) -> QuerySet[Lesson]:
    """How many of the words are in the title (the first line of `search_text`), on any database."""
    found = found.annotate(search_title=Substr("search_text", 1, StrIndex("search_text", Value("\n"))))
    hits: Any = Value(0)
    for word in words:
        hits = hits + Case(
            When(search_title__contains=word, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return found.annotate(title_hits=hits)


def _full_text(found: QuerySet[Lesson], text: str) -> QuerySet[Lesson]:
    # Imported here: the queries need no `django.contrib.postgres` in INSTALLED_APPS, only the PostgreSQL driver.
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector("search_text", config="spanish")
    query = SearchQuery(text, config="spanish", search_type="plain")  # every word (AND)
    return (
        found.annotate(search_vector=vector, rank=SearchRank(vector, query))
        .filter(search_vector=query)
        .order_by(F("title_hits").desc(), F("rank").desc(), "-recorded_on", "-id")
    )


def lesson_themes(user: User, limit: int = 60) -> list[str]:
    """The themes of the lessons the user reads, most used first (the page's tag filter)."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for themes in lessons_for(user).values_list("themes", flat=True)[:2000]:
        for theme in themes or []:
            key = normalise(str(theme))
            counts[key] = counts.get(key, 0) + 1
            shown.setdefault(key, str(theme))
    return [shown[k] for k in sorted(counts, key=lambda k: (-counts[k], k))[:limit]]


def programme_lessons(programme: Programme) -> QuerySet[Lesson]:
    return Lesson.objects.filter(programme=programme).select_related("evaluation").order_by("-recorded_on", "-id")


def evaluation_lessons(evaluation: Evaluation) -> QuerySet[Lesson]:
    return Lesson.objects.filter(evaluation=evaluation).order_by("-recorded_on", "-id")


@dataclass(frozen=True)
class Similarity:
    countries: list[str]
    levels: list[str]
    dimensions: list[str]


def similarity_of(programme: Programme) -> Similarity:
    """What a similar programme shares: its countries, and the levels and dimensions of its results."""
    tags = ResultNode.objects.filter(framework__programme=programme).values_list("level", "dimension")
    levels = sorted({level for level, _dimension in tags if level})
    dimensions = sorted({dimension for _level, dimension in tags if dimension})
    return Similarity([str(code) for code in programme.countries or []], levels, dimensions)


def similar_lessons(user: User, programme: Programme, limit: int = 6) -> list[Lesson]:
    """Lessons of the other programmes the user reads, most alike first: same country (counts twice), then
    each of the level and dimension the programme's results are tagged with."""
    like = similarity_of(programme)
    matches = Q(country__in=like.countries) | Q(level__in=like.levels) | Q(dimension__in=like.dimensions)
    score = (
        Case(When(country__in=like.countries, then=Value(2)), default=Value(0), output_field=IntegerField())
        + Case(When(level__in=like.levels, then=Value(1)), default=Value(0), output_field=IntegerField())
        + Case(When(dimension__in=like.dimensions, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    found = (
        lessons_for(user)
        .exclude(programme=programme)
        .filter(matches)
        .annotate(similarity=score)
        .order_by("-similarity", "-recorded_on", "-id")
    )
    return list(found[:limit])


@dataclass(frozen=True)
class ProgrammeLearning:
    programme: Programme
    evaluations: int
    lessons: int
    can_manage: bool


def learning_overview(user: User) -> list[ProgrammeLearning]:
    """The programmes the user reads, with how many evaluations and lessons each has."""
    rows = programmes_for(user).annotate(
        evaluation_count=Count("evaluations", distinct=True), lesson_count=Count("lessons", distinct=True)
    )
    return [ProgrammeLearning(p, p.evaluation_count, p.lesson_count, permissions.can_manage(user, p)) for p in rows]
