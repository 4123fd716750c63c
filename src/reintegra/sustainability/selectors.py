"""Every read of this app, already scoped to what the user may see.

Instruments and grids are programme configuration (no personal data): a user sees the global ones and
those of their organisation's programmes. Rounds are case data: they follow case visibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import FilteredRelation, Prefetch, Q, QuerySet

from reintegra.access import permissions
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.cases.selectors import cases_for
from reintegra.sustainability import definition as definition_module
from reintegra.sustainability import schedule
from reintegra.sustainability.choices import VersionStatus
from reintegra.sustainability.models import FeasibilityApproach, Instrument, InstrumentVersion, RoundScore, SurveyRound
from reintegra.vocabulary.codes import DIMENSIONS

if TYPE_CHECKING:
    from reintegra.access.models import User


def instruments_for(user: User) -> QuerySet[Instrument]:
    if not active_with_organisation(user):
        return Instrument.objects.none()
    return (
        Instrument.objects.filter(Q(programme__isnull=True) | Q(programme__organisation_id=user.organisation_id))
        .select_related("programme")
        .prefetch_related(Prefetch("versions", queryset=InstrumentVersion.objects.order_by("-number")))
    )


def get_instrument(user: User, code: str, programme: Programme | None = None) -> Instrument:
    """The instrument `code` for the user: their programme's own first, else the global one.

    Raises Instrument.DoesNotExist (callers answer 404)."""
    candidates = list(instruments_for(user).filter(code=code))
    if programme is not None:
        own = [i for i in candidates if i.programme_id == programme.pk]
        if own:
            return own[0]
    if programme is None and getattr(user, "organisation_id", None):
        default = Programme.default_for(user.organisation_id)
        own = [i for i in candidates if default is not None and i.programme_id == default.pk]
        if own:
            return own[0]
    global_ = [i for i in candidates if i.programme_id is None]
    if global_:
        return global_[0]
    if candidates:
        return candidates[0]
    raise Instrument.DoesNotExist


def get_instrument_by_id(user: User, pk: Any) -> Instrument:
    """An instrument the user sees, by id; `Instrument.DoesNotExist` otherwise."""
    found = instruments_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Instrument.DoesNotExist
    return found


def instruments_with_versions(user: User) -> list[tuple[Instrument, list[InstrumentVersion]]]:
    """The instruments page: each instrument the user sees with its versions, newest first."""
    return [(instrument, versions_of(instrument)) for instrument in instruments_for(user)]


def versions_of(instrument: Instrument) -> list[InstrumentVersion]:
    """Every version of an instrument, newest first (prefetched by `instruments_for`)."""
    return list(instrument.versions.all())


def get_version(user: User, pk: Any) -> InstrumentVersion:
    """A version of an instrument the user sees; `InstrumentVersion.DoesNotExist` otherwise."""
    found = (
        InstrumentVersion.objects.filter(instrument__in=instruments_for(user), pk=pk)
        .select_related("instrument__programme")
        .first()
        if str(pk).isdigit()
        else None
    )
    if found is None:
        raise InstrumentVersion.DoesNotExist
    return found


def version_numbered(instrument: Instrument, number: int | None, *, published_only: bool) -> InstrumentVersion | None:
    """Version `number` of an instrument (None: the latest), among its published versions if asked."""
    versions = instrument.versions.all()
    if published_only:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


def instrument_for_case(case: Case, code: str) -> Instrument | None:
    """The instrument the case's programme uses for `code` (its own, else the global one)."""
    found = Instrument.objects.filter(code=code).filter(Q(programme__isnull=True) | Q(programme_id=case.programme_id))
    return sorted(found, key=lambda i: i.programme_id is None)[0] if found else None


def published_versions(instrument: Instrument) -> QuerySet[InstrumentVersion]:
    return instrument.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")


def latest_published(instrument: Instrument) -> InstrumentVersion | None:
    return published_versions(instrument).first()


def instruments_for_case(case: Case) -> list[InstrumentVersion]:
    """The latest published version of each instrument usable for the case (its programme's override globals)."""
    by_code: dict[str, Instrument] = {}
    for instrument in Instrument.objects.filter(Q(programme__isnull=True) | Q(programme_id=case.programme_id)):
        if instrument.code not in by_code or instrument.programme_id is not None:
            by_code[instrument.code] = instrument
    versions = [latest_published(i) for i in sorted(by_code.values(), key=lambda i: i.code)]
    return [v for v in versions if v is not None and v.parsed().subject == definition_module.SUBJECT_CASE]


def instrument_for_organisation(organisation_id: int, code: str) -> Instrument | None:
    """The instrument `code` an organisation uses for its communities: its default programme's own, else another of
    its programmes' own, else the global one (a community belongs to an organisation, not to a programme)."""
    found = list(
        Instrument.objects.filter(code=code).filter(
            Q(programme__isnull=True) | Q(programme__organisation_id=organisation_id)
        )
    )
    default = Programme.default_for(organisation_id)
    default_id = default.pk if default is not None else None
    found.sort(key=lambda i: (i.programme_id is None, i.programme_id != default_id, i.programme_id or 0))
    return found[0] if found else None


def community_version(organisation_id: int, code: str, number: int | None = None) -> InstrumentVersion | None:
    """The published version (the latest, or `number`) of a community instrument the organisation uses; None
    when there is none or the instrument is not about a community."""
    instrument = instrument_for_organisation(organisation_id, code)
    if instrument is None:
        return None
    versions = published_versions(instrument)
    version = versions.filter(number=number).first() if number else versions.first()
    if version is None or version.parsed().subject != definition_module.SUBJECT_COMMUNITY:
        return None
    return version


def _with_current(rounds: QuerySet[SurveyRound]) -> QuerySet[SurveyRound]:
    return rounds.select_related("version__instrument", "recorded_by").prefetch_related(
        Prefetch(
            "scores",
            queryset=RoundScore.objects.filter(is_current=True).select_related("version"),
            to_attr="current_scores",
        )
    )


def rounds_for_case(case: Case) -> QuerySet[SurveyRound]:
    """Rounds of a case the caller already fetched through `cases.selectors.get_case` (visibility checked)."""
    return _with_current(SurveyRound.objects.filter(case=case)).order_by("taken_on", "id")


def round_of_case(case: Case, pk: int) -> SurveyRound:
    """A round of a case just recorded, with its current score (as `rounds_for_case` shows it)."""
    return rounds_for_case(case).get(pk=pk)


def score_history(round_: SurveyRound) -> list[RoundScore]:
    """Every score of a round (re-scoring keeps the earlier ones), newest first."""
    return list(round_.scores.select_related("version", "computed_by").order_by("-computed_at", "-id"))


def can_rescore(round_: SurveyRound, history: list[RoundScore]) -> bool:
    """Whether a published version of the round's instrument has not scored it yet."""
    scored = [score.version_id for score in history]
    return published_versions(round_.version.instrument).exclude(pk__in=scored).exists()


def rounds_for(user: User) -> QuerySet[SurveyRound]:
    return SurveyRound.objects.filter(case__in=cases_for(user))


def export_rounds(user: User) -> QuerySet[SurveyRound]:
    """The rounds of the cases the user sees, each joined to its current score (`current__…`) for exports."""
    return rounds_for(user).annotate(current=FilteredRelation("scores", condition=Q(scores__is_current=True)))


def get_round(user: User, pk: Any) -> SurveyRound:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise SurveyRound.DoesNotExist from None
    return _with_current(rounds_for(user)).select_related("case").get(pk=pk)


def weakest_dimension(scores: dict[str, float | None]) -> str | None:
    present = {d: scores.get(d) for d in DIMENSIONS if scores.get(d) is not None}
    if not present:
        return None
    return min(present, key=lambda d: (present[d], DIMENSIONS.index(d)))


def latest_scores(case: Case) -> RoundScore | None:
    return (
        RoundScore.objects.filter(round__case=case, is_current=True)
        .select_related("version", "round")
        .order_by("-round__taken_on", "-round__id")
        .first()
    )


def grid_to_edit(programme: Programme) -> tuple[list[FeasibilityApproach], bool]:
    """The rows a programme manager edits, and whether they are the programme's own: every row of its own
    grid (inactive ones too), else the shipped default's active rows."""
    own = list(FeasibilityApproach.objects.filter(programme=programme))
    return (own, True) if own else (list(grid_for(None)), False)


def get_grid_row(user: User, pk: Any) -> FeasibilityApproach:
    """A grid row of a programme of the user's organisation; `FeasibilityApproach.DoesNotExist` otherwise."""
    return FeasibilityApproach.objects.select_related("programme").get(
        pk=pk, programme__organisation_id=getattr(user, "organisation_id", None) or 0
    )


def grid_for(programme: Programme | None) -> QuerySet[FeasibilityApproach]:
    """A programme's grid; the shipped default when the programme has none."""
    if programme is not None:
        own = FeasibilityApproach.objects.filter(programme=programme, is_active=True)
        if own.exists():
            return own
    return FeasibilityApproach.objects.filter(programme__isnull=True, is_active=True)


def programmes_managed_by(user: User) -> QuerySet[Programme]:
    if not permissions.has_any(user, Capability.MANAGE_PROGRAMME) or user.organisation_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(organisation_id=user.organisation_id).order_by("name")


def manages_programmes(user: User) -> bool:
    return programmes_managed_by(user).exists()


def managed_programme(user: User, wanted: Any) -> Programme | None:
    """The programme asked for (`wanted`, an id) among those the user manages; the first one by default."""
    return _chosen(programmes_managed_by(user), wanted)


def reported_programme(user: User, wanted: Any) -> Programme | None:
    """The programme asked for among those reported to the user; the first one by default."""
    return _chosen(programmes_reported_to(user), wanted)


def _chosen(programmes: QuerySet[Programme], wanted: Any) -> Programme | None:
    if wanted and str(wanted).isdigit():
        return programmes.filter(pk=wanted).first()
    return programmes.first()


def programmes_reported_to(user: User) -> QuerySet[Programme]:
    if not permissions.has_any(user, Capability.VIEW_AGGREGATES):
        return Programme.objects.none()
    if user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return Programme.objects.order_by("name")
    if user.organisation_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(organisation_id=user.organisation_id).order_by("name")


@dataclass(frozen=True)
class DueRound:
    case: Case
    month: int
    due_on: date
    overdue: bool


def due_rounds(cases: QuerySet[Case], today: date, notice_days: int = 14) -> list[DueRound]:
    """The next scheduled round of each open case when it falls within `notice_days` (or is past).

    Two queries: the cases (with programme schedule) and the months already recorded."""
    rows = list(cases.exclude(status=CaseStatus.CLOSED).select_related("programme", "returnee", "case_manager"))
    done: dict[int, set[int]] = {}
    for case_id, month in SurveyRound.objects.filter(
        case_id__in=[c.pk for c in rows], round_month__isnull=False
    ).values_list("case_id", "round_month"):
        if month is not None:
            done.setdefault(case_id, set()).add(month)
    result = []
    for case in rows:
        months, window = schedule_of(case)
        upcoming = schedule.next_due(case.return_date, months, done.get(case.pk, set()), window)
        if upcoming is not None and schedule.is_due(upcoming, today, notice_days):
            result.append(DueRound(case, upcoming.month, upcoming.due_on, upcoming.due_on < today))
    return sorted(result, key=lambda d: (d.due_on, d.case.case_number))


def due_rounds_for(user: User, today: date, notice_days: int, *, whole_organisation: bool) -> list[DueRound]:
    """The due rounds of the user's own cases, or of every case they see (`whole_organisation`)."""
    cases = cases_for(user)
    if not whole_organisation:
        cases = cases.filter(case_manager=user)
    return due_rounds(cases, today, notice_days)


def schedule_of(case: Case) -> tuple[list[int], int]:
    programme = case.programme
    if programme is None:
        return list(schedule.DEFAULT_MONTHS), 30
    months = programme.rss_round_months or list(schedule.DEFAULT_MONTHS)
    return [int(m) for m in months], int(programme.rss_baseline_window_days)


def round_window_days(case: Case) -> int:
    """Days either side of a follow-up round's due date in which a survey counts for it (schedule.windows)."""
    programme = case.programme
    return int(programme.rss_round_window_days) if programme is not None else schedule.DEFAULT_ROUND_WINDOW_DAYS


def done_months(case: Case) -> set[int]:
    months = SurveyRound.objects.filter(case=case, round_month__isnull=False).values_list("round_month", flat=True)
    return {m for m in months if m is not None}
