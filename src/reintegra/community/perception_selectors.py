"""Reads of the community perception survey: the instrument version a community's organisation uses, the
household survey sessions a response may belong to, and the results per community, suppressed.

Results are counts of anonymous respondents, so every number goes through `monitoring.indicators.suppress`
with the strictest k of the organisation's programmes (as the hotspots do): the respondents per group
(returnee / non-migrant resident) and sex, each choice question's answers per group (a count in 1..k-1 is
hidden, with another cell when one alone would be worked out from the total), and a group's mean scores only
when at least k of its responses have that score. Answers are decrypted here, in memory, and never leave as
rows: only these aggregates do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Programme
from reintegra.community.choices import AgeBand, Dimension, ParticipantGroup, ParticipantSex, SessionKind
from reintegra.community.models import Community, ParticipatorySession, PerceptionResponse
from reintegra.monitoring import permissions as monitoring_permissions
from reintegra.monitoring.indicators import suppress
from reintegra.sustainability import selectors as engine_selectors
from reintegra.sustainability.definition import SCORES, Definition, Question, label
from reintegra.sustainability.models import InstrumentVersion

INSTRUMENT_CODE = "community_perception"
# Profile question → (column of the response, the codes it may take).
PROFILE: dict[str, tuple[str, tuple[str, ...]]] = {
    "respondent_group": ("group", tuple(ParticipantGroup.values)),
    "respondent_sex": ("sex", tuple(ParticipantSex.values)),
    "respondent_age_band": ("age_band", tuple(AgeBand.values)),
}
GROUPS = tuple(ParticipantGroup.values)
ALL = "all"
COLUMNS = (ALL, *GROUPS)  # the order of the results' columns


def survey_version(community: Community, number: int | None = None) -> InstrumentVersion | None:
    """The published version (latest, or `number`) of the perception survey the community's organisation uses."""
    return engine_selectors.community_version(community.organisation_id, INSTRUMENT_CODE, number)


def survey_sessions(community: Community) -> QuerySet[ParticipatorySession]:
    """The household survey sessions of the community (a response may say it was collected in one)."""
    return ParticipatorySession.objects.filter(community=community, kind=SessionKind.HOUSEHOLD_SURVEY).order_by(
        "-held_on", "-id"
    )


def threshold(community: Community) -> int:
    return monitoring_permissions.threshold(Programme.objects.filter(organisation_id=community.organisation_id))


@dataclass(frozen=True)
class GroupResult:
    group: str  # a ParticipantGroup code, or ALL
    responses: int | None  # None: hidden (fewer than k)
    by_sex: dict[str, int | None]
    scores: dict[str, float | None]  # mean per score; None: hidden or fewer than k responses with it

    @property
    def label(self) -> str:
        return str(_("All respondents")) if self.group == ALL else str(ParticipantGroup(self.group).label)

    @property
    def sex_cells(self) -> list[int | None]:
        return [self.by_sex.get(sex) for sex in ParticipantSex.values]

    @property
    def score_cells(self) -> list[float | None]:
        return [self.scores.get(name) for name in SCORES]


@dataclass(frozen=True)
class OptionResult:
    code: str
    label: str
    counts: dict[str, int | None]  # by group code and ALL

    @property
    def cells(self) -> list[int | None]:
        return [self.counts.get(column) for column in COLUMNS]


@dataclass(frozen=True)
class QuestionResult:
    code: str
    label: str
    dimension: str
    options: list[OptionResult]


@dataclass(frozen=True)
class PerceptionResults:
    version: InstrumentVersion | None
    k: int
    total: int | None  # respondents to this version; None: fewer than k
    groups: list[GroupResult]
    questions: list[QuestionResult]
    other_versions: int  # responses to other versions of the survey, not counted here

    @property
    def shown(self) -> bool:
        return self.total is not None

    @staticmethod
    def score_titles() -> list[str]:
        titles = dict(Dimension.choices)
        return [str(titles.get(name, _("Composite"))) for name in SCORES]

    @staticmethod
    def column_titles() -> list[str]:
        return [str(_("All respondents")), *(str(ParticipantGroup(g).label) for g in GROUPS)]


def _group_result(group: str, rows: list[PerceptionResponse], k: int) -> GroupResult:
    sexes = suppress({sex: sum(1 for r in rows if r.sex == sex) for sex in ParticipantSex.values}, k)
    scores: dict[str, float | None] = {}
    for name in SCORES:
        values = [v for r in rows if (v := getattr(r, name)) is not None]
        scores[name] = fmean(values) if len(values) >= k else None
    responses = len(rows) if len(rows) >= k else None
    return GroupResult(group, responses, sexes, scores if responses is not None else dict.fromkeys(SCORES))


def _question_result(
    question: Question, rows: list[PerceptionResponse], k: int, language: str, hidden: set[str]
) -> QuestionResult:
    """One choice question's answers per group; a group hidden next to the other (`hidden`) shows nothing."""
    per_group: dict[str, Counter[str]] = {g: Counter() for g in (*GROUPS, ALL)}
    for row in rows:
        value = (row.answers or {}).get(question.code)
        chosen = value if isinstance(value, list) else [value] if value is not None else []
        for code in chosen:
            per_group[row.group][str(code)] += 1
            per_group[ALL][str(code)] += 1
    shown = {
        group: suppress({o.code: counter.get(o.code, 0) for o in question.options}, k)
        if group not in hidden
        else dict.fromkeys(o.code for o in question.options)
        for group, counter in per_group.items()
    }
    options = [
        OptionResult(o.code, label(o.labels, language), {g: shown[g][o.code] for g in per_group})
        for o in question.options
    ]
    return QuestionResult(question.code, label(question.labels, language), question.dimension, options)


def _choice_questions(definition: Definition) -> Iterable[Question]:
    return (q for q in definition.questions if q.type in ("single", "multiple") and q.code not in PROFILE)


def results_of(community: Community) -> PerceptionResults:
    """The community's perception results under the survey version its organisation uses now, suppressed.
    (Callers fetched the community through `permissions.access_community_by_id`: the reader may read it.)"""
    version = survey_version(community)
    k = threshold(community)
    responses = PerceptionResponse.objects.filter(community=community)
    if version is None:
        return PerceptionResults(None, k, None, [], [], responses.count())
    rows = list(responses.filter(version=version).order_by("id"))
    other = responses.exclude(version=version).count()
    total = len(rows) if len(rows) >= k else None
    if total is None:
        return PerceptionResults(version, k, None, [], [], other)
    by_group = suppress({g: sum(1 for r in rows if r.group == g) for g in GROUPS}, k)
    # A group hidden next to the other (fewer than k, or the smaller one when the other alone is) shows nothing.
    hidden = {g for g in GROUPS if by_group[g] is None}
    groups = [_group_result(ALL, rows, k)]
    for group in GROUPS:
        result = _group_result(group, [r for r in rows if r.group == group], k)
        if group in hidden:
            result = GroupResult(group, None, dict.fromkeys(ParticipantSex.values), dict.fromkeys(SCORES))
        groups.append(result)
    language = get_language() or "es"
    questions = [_question_result(q, rows, k, language, hidden) for q in _choice_questions(version.parsed())]
    return PerceptionResults(version, k, total, groups, questions, other)
