"""Every read of cases and returnees, already scoped to what the user may see (cases.scoping)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Count, ExpressionWrapper, F, Max, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra import prepared_statements
from reintegra.access import crypto, scoping
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.cases import extensions, matching, name_index
from reintegra.cases import scoping as case_scoping
from reintegra.cases.choices import AttentionFlag, CaseStatus, PlanItemStatus
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    IdentityDocument,
    MatchKey,
    PlanItem,
    PlanItemProgress,
    ReintegrationPlan,
    Returnee,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from reintegra.access.models import User

    class _VisitDue(TypedDict):
        next_due: date
        last_visit: date

    # A case in follow-up with its latest planned and latest actual visit (see `dashboard_for`).
    VisitDueCase = WithAnnotations[Case, _VisitDue]


ADULT_AGE = 18


def is_child_returnee_at(returnee: Returnee, day: date) -> bool:
    """Under 18 on `day`; when the age is unknown, flagged as a child or an unaccompanied minor."""
    age = returnee.age_on(day)
    if age is not None:
        return age < ADULT_AGE
    return bool({AttentionFlag.CHILD, AttentionFlag.UNACCOMPANIED_MINOR} & set(returnee.attention_flags or []))


def is_child_case(case: Case) -> bool:
    """A child case: the returnee was under 18 at return (or flagged child / unaccompanied when the age is
    unknown). It stays one after the child turns 18: the path started as a child's. Here, below every level,
    because the children's path and the referral network (child-focused SOPs) both ask it."""
    return is_child_returnee_at(case.returnee, case.return_date)


def cases_for(user: User) -> QuerySet[Case]:
    return Case.objects.filter(case_scoping.case_visibility(user))


def returnees_for(user: User) -> QuerySet[Returnee]:
    return Returnee.objects.filter(case_scoping.returnee_visibility(user))


def follow_ups_for(user: User) -> QuerySet[FollowUpVisit]:
    """The follow-up visits of the cases the user sees (exports)."""
    return FollowUpVisit.objects.filter(case__in=cases_for(user))


def document_numbers_of(returnee_ids: Iterable[int]) -> dict[int, list[str]]:
    """Identity documents of these returnees as "TYPE number" (one query; callers check that the reader may
    see identity documents, `scoping.can_see`)."""
    found: dict[int, list[str]] = {}
    rows = IdentityDocument.objects.filter(returnee_id__in=list(returnee_ids)).order_by("id")
    for returnee_id, kind, number in rows.values_list("returnee_id", "document_type", "number"):
        found.setdefault(returnee_id, []).append(f"{kind} {number}")
    return found


def get_case(user: User, pk: Any) -> Case:
    """The case if the user may see it; Case.DoesNotExist otherwise (callers answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Case.DoesNotExist from None
    cases = cases_for(user).select_related(
        "returnee",
        "returnee__municipality",
        "returnee__admin1",
        "case_manager",
        "team",
        "organisation",
        "household",
    )
    # Seven joins: planning them is most of the statement's cost, and a read by key has one plan for every case.
    with prepared_statements.prepared():
        return cases.get(pk=pk)


def cases_of_returnee(user: User, returnee: Returnee) -> QuerySet[Case]:
    """The cases of one person that the user sees, latest return first."""
    return cases_for(user).filter(returnee=returnee).order_by("-return_date", "-id")


def get_returnee(user: User, pk: Any) -> Returnee:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Returnee.DoesNotExist from None
    return returnees_for(user).select_related("municipality", "admin1").get(pk=pk)


@dataclass(frozen=True)
class CaseFilters:
    search: str = ""
    status: str = ""
    case_manager: int | None = None
    return_from: date | None = None
    return_to: date | None = None
    municipality: int | None = None
    return_type: str = ""
    mine_only: bool = False


# A search that finds at most this many cases is fixed as the list of their ids (one query): whatever the planner
# guesses of how many people a name matches, the count and the page then read exactly those rows.
SEARCH_FEW = 1000


class SearchedCases(QuerySet[Case]):
    """The cases a name search finds, whose ids in list order (`values_list("pk", flat=True)`, what the paginators
    count and cut pages on) are read from the case-level token table alone (`name_index.CaseWalk`): one index
    range per digest, merged in return-date order, never a case row. Anything else (rows, exports, a further
    filter, which makes a copy without the shortcut) reads the cases as a plain queryset with the same filters."""

    ids_in_order: name_index.CaseWalk | None = None

    def values_list(self, *fields: Any, flat: bool = False, named: bool = False) -> Any:
        if self.ids_in_order is not None and fields == ("pk",) and flat and not named:
            return self.ids_in_order  # immutable: the caller slices and counts it
        return super().values_list(*fields, flat=flat, named=named)


def search_cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    qs = cases_for(user)
    term = filters.search.strip()
    walk = None
    if term:
        if filters == CaseFilters(search=filters.search):
            walk = _token_walk(user, term)
        if walk is not None:
            # The same cases as the UNION below would find (a name alone: no case number, no document).
            qs = qs.filter(pk__in=RawSQL(*walk.ids_sql()))  # noqa: S611  (fixed SQL, values as parameters)
        else:
            qs = qs.filter(pk__in=_search_matches(user, term))
            few = list(qs.order_by().values_list("pk", flat=True)[: SEARCH_FEW + 1])
            if len(few) <= SEARCH_FEW:
                qs = Case.objects.filter(pk__in=few)  # already within the user's cases
    qs = (
        _filtered(qs, user, filters)
        .select_related("returnee", "returnee__municipality", "case_manager")
        .defer(*_NOT_LISTED)
        .order_by("-return_date", "-id")
    )
    if walk is None:
        return qs
    found = SearchedCases(model=Case, query=qs.query, using=qs.db)
    found.ids_in_order = walk
    return found


# Columns no list shows (the case list page, the API's list): not read, so not decrypted (a page of 25 opened
# about 220 ciphertexts, of which about 100 are shown) or parsed.
_NOT_LISTED = (
    "reception_place",
    "causes_note",
    "closure_note",
    "returnee__gender_identity",
    "returnee__phone",
    "returnee__languages",
    "returnee__locality",
    "returnee__address",
    "returnee__match_record",
    # nor the case's lists of codes (each a JSON document parsed per row)
    "transit_countries",
    "reception_assistance",
    "causes_of_migration",
)


def _filtered(qs: QuerySet[Case], user: User, filters: CaseFilters) -> QuerySet[Case]:
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.case_manager:
        qs = qs.filter(case_manager_id=filters.case_manager)
    if filters.mine_only:
        qs = qs.filter(case_manager_id=user.pk)
    if filters.return_from:
        qs = qs.filter(return_date__gte=filters.return_from)
    if filters.return_to:
        qs = qs.filter(return_date__lte=filters.return_to)
    if filters.municipality:
        qs = qs.filter(returnee__municipality_id=filters.municipality)
    if filters.return_type:
        qs = qs.filter(return_type=filters.return_type)
    return qs


def _token_walk(user: User, term: str) -> name_index.CaseWalk | None:
    """The walk of the cases a name search finds, newest return first, on CaseSearchToken alone; None when the
    search is not by name only (a case number or a document: digits), or the user sees cases by assignment (a
    case manager's few cases are read from the cases). The visibility is `case_scoping.case_visibility`'s for a
    user who sees the organisation's cases: the token rows carry the case's organisation, and the cases granted
    to the organisation (shares) are ranges of their own, conditioned on the case id."""
    if any(ch.isdigit() for ch in term):
        return None
    if not user.organisation_id or not active_with_organisation(user):
        return None
    if Capability.VIEW_ORGANISATION_CASES not in user.capabilities:
        return None
    granted = []
    for subquery in case_scoping.granted_case_ids(user.organisation_id):
        try:
            granted.append(subquery.order_by().query.get_compiler(using=subquery.db).as_sql())
        except EmptyResultSet:
            continue  # a grant of no case (an empty list of ids)
    found = _number_or_granting(term, granted)
    if any(is_number for _organisation, is_number in found):
        return None
    registers = sorted({user.organisation_id, *(organisation for organisation, _number in found)})
    return name_index.walk_cases(registers, term, user.organisation_id, granted)


def _number_or_granting(term: str, granted: list[tuple[str, Any]]) -> set[tuple[int, bool]]:
    """One statement: (organisation, True) when the term is a case number (then the UNION path answers), and
    (organisation, False) for each organisation that granted cases to the user's (their registers' digests are
    searched too: `searchable_organisations`). A UNION ALL, each member on its index (an OR of the two would scan
    every case), written once: the grants' SQL is compiled for the walk anyway."""
    connection = connections[router.db_for_read(Case)]  # where a queryset of cases would read
    quote = connection.ops.quote_name
    table = quote(Case._meta.db_table)
    organisation, pk, number = (f"{table}.{quote(column)}" for column in ("organisation_id", "id", "case_number"))
    members = [f"SELECT DISTINCT {organisation}, %s FROM {table} WHERE {number} = %s"]  # noqa: S608
    params: list[Any] = [True, term.upper()]
    for sql, granted_params in granted:
        members.append(f"SELECT DISTINCT {organisation}, %s FROM {table} WHERE {pk} IN ({sql})")  # noqa: S608
        params += [False, *granted_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(members), params)
        return {(organisation_id, bool(is_number)) for organisation_id, is_number in cursor.fetchall()}


def searchable_organisations(user: User) -> list[int]:
    """Registers whose name index a user's search reads: their organisation's, and those of the
    organisations that granted it cases (shares: `cases.scoping`; the case visibility filter still applies
    to each row)."""
    if not user.organisation_id:
        return []
    granting: set[int] = set()
    for granted in case_scoping.granted_case_ids(user.organisation_id):
        granting.update(
            Case.objects.filter(pk__in=granted).order_by().values_list("organisation_id", flat=True).distinct()
        )
    return sorted({user.organisation_id, *granting})


def _search_matches(user: User, term: str) -> QuerySet[Case, Any]:
    """The ids of the cases a search term finds (before visibility), a UNION of index lookups without an OR, so
    that the database starts from the few matching index entries instead of filtering every visible case: the
    case number exactly (numbers are stored in capitals, unique index), the cases of the people named by every
    typed word (the case-level blind-index tokens, `name_index.walk_tokens`), the holders of a document with this
    number."""
    branches: list[QuerySet[Any, Any]] = [Case.objects.filter(case_number=term.upper()).order_by().values("pk")]
    named = name_index.walk_tokens(searchable_organisations(user), term)
    if named is not None:
        branches.append(named.order_by().values("case_id"))
    if scoping.can_search_documents(user) and any(ch.isdigit() for ch in term):
        holders = IdentityDocument.objects.filter(number_index=crypto.document_index(term)).values("returnee_id")
        branches.append(Case.objects.filter(returnee_id__in=holders).order_by().values("pk"))
    first, *others = branches
    return first.union(*others, all=True) if others else first


def timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-occurred_at", "-id")


def plan_for(case: Case, *, with_items: bool = True) -> ReintegrationPlan | None:
    """The case's plan, its items read with it (`with_items=False`: read when asked, e.g. the case page's tabs
    other than the plan's, which ask only whether an unagreed plan has any)."""
    plans = ReintegrationPlan.objects.prefetch_related("items") if with_items else ReintegrationPlan.objects
    try:
        return plans.get(case=case)
    except ReintegrationPlan.DoesNotExist:
        return None


def plan_items_of(case: Case) -> list[PlanItem]:
    """The items of the case's plan (none while there is no plan)."""
    return items_of(plan_for(case))


# What a plan item still open may become when its case closes: done, or given up.
PLAN_ITEM_AT_CLOSURE = (PlanItemStatus.COMPLETED, PlanItemStatus.CANCELLED)


def default_currency(case: Case) -> str:
    """The currency an amount of the case is in when none is given: its organisation's country's."""
    from reintegra.places import currencies

    return currencies.currency_of(case.organisation.country)


def open_matters(case: Case) -> list[extensions.OpenMatter]:
    """What is still open on the case, for its closure to settle (issue 18.2): the plan's items not yet
    completed or cancelled, then what the other levels register (referrals, the final survey round...)."""
    matters = open_plan_items(case)
    for registered in extensions.closure_matters():
        matters.extend(registered.open(case))
    return matters


def open_plan_items(case: Case) -> list[extensions.OpenMatter]:
    return [
        extensions.OpenMatter(
            key=f"plan-item-{item.pk}",
            kind="plan_item",
            label=_("Plan item “%(approach)s” (%(dimension)s) is %(status)s.")
            % {
                "approach": item.approach,
                "dimension": item.get_dimension_display(),
                "status": item.get_status_display().lower(),
            },
            choices=tuple((str(s.value), str(s.label)) for s in PLAN_ITEM_AT_CLOSURE),
            record=item,
        )
        for item in plan_items_of(case)
        if item.status not in PLAN_ITEM_AT_CLOSURE
    ]


# --- the records of a case the caller already fetched through `get_case` (visibility checked) --------


def items_of(plan: ReintegrationPlan | None) -> list[PlanItem]:
    return list(plan.items.all()) if plan is not None else []


def returnee_list(user: User) -> QuerySet[Returnee]:
    """The returnees the user sees, as the API lists them."""
    return returnees_for(user).select_related("municipality", "admin1").prefetch_related("documents")


def documents_of(returnee: Returnee, *, with_numbers: bool = True) -> list[IdentityDocument]:
    """A person's identity documents; without `with_numbers` the numbers are not even read (nor decrypted)."""
    documents = returnee.documents.all()
    return list(documents if with_numbers else documents.defer("number"))


def members_of(household: Household | None) -> list[HouseholdMember]:
    return list(household.members.all()) if household is not None else []


def assessments_of(case: Case, *, hidden: Iterable[str] = ()) -> QuerySet[Assessment]:
    """A case's assessments; the `hidden` (sensitive) fields are not read."""
    return case.assessments.select_related("assessed_by").defer(*hidden)


def get_assessment(case: Case, pk: int) -> Assessment:
    """One assessment of the case; `Assessment.DoesNotExist` otherwise."""
    assessment = assessments_of(case).get(pk=pk)
    assessment.case = case
    return assessment


def counselling_sessions_of(case: Case, *, with_notes: bool = True) -> QuerySet[CounsellingSession]:
    """A case's counselling sessions; without `with_notes` the notes are not read."""
    sessions = case.counselling_sessions.select_related("counsellor")
    return sessions if with_notes else sessions.defer("notes")


def follow_ups_of(case: Case, *, progress_order: tuple[str, ...] = ("id",)) -> QuerySet[FollowUpVisit]:
    """A case's follow-up visits with the progress of each plan item (in `progress_order`)."""
    progress = PlanItemProgress.objects.select_related("item").order_by(*progress_order)
    return case.follow_ups.select_related("conducted_by").prefetch_related(Prefetch("progress", queryset=progress))


def get_follow_up(case: Case, pk: int) -> FollowUpVisit:
    return follow_ups_of(case).get(pk=pk)


def plan_is_late(case: Case, agreed_on: date | None) -> bool:
    if agreed_on is None:
        return False
    return agreed_on > case.return_date + timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)


@dataclass
class Dashboard:
    counts: dict[str, int]
    total: int
    plans_due: list[Case]
    visits_due: list[VisitDueCase]
    recent: list[Case]


def dashboard_for(user: User, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    mine = cases_for(user).filter(case_manager_id=user.pk)
    counts = {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("id")).order_by()}
    deadline_window = today - timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS - 7)
    plans_due = list(
        mine.filter(status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSED], return_date__lte=deadline_window)
        .select_related("returnee")
        .order_by("return_date")[:10]
    )
    # A visit is due when the latest planned "next visit" is near and no visit happened since it was set.
    visits_due = list(
        mine.filter(status=CaseStatus.IN_FOLLOW_UP)
        .annotate(next_due=Max("follow_ups__next_visit_on"), last_visit=Max("follow_ups__visited_on"))
        .filter(next_due__lte=today + timedelta(days=7), next_due__gt=F("last_visit"))
        .select_related("returnee")
        .order_by("next_due")[:10]
    )
    recent = list(mine.select_related("returnee").order_by("-updated_at")[:8])
    return Dashboard(
        counts=counts, total=sum(counts.values()), plans_due=plans_due, visits_due=visits_due, recent=recent
    )


def holds_cases(user: User) -> bool:
    """Whether the user is the case manager of any case they see (the "my cases" panel's question)."""
    return cases_for(user).filter(case_manager_id=user.pk).exists()


@dataclass(frozen=True)
class OrganisationBoard:
    """The organisation's caseload as a manager reads it (issue 18.9): cases by status, the open ones without
    a case manager, the plans past their deadline, and the case managers' open cases. Counted at most once a
    minute per organisation (`counted_at`: the page says how old the figures may be)."""

    counts: dict[str, int]
    total: int
    unassigned: int
    plans_overdue: int
    workload: list[tuple[str, int, int]]  # (case manager's name, user id, open cases), most loaded first
    counted_at: datetime | None = None


# The organisation's counts read every case it holds (891 ms at 400,000 cases): every supervisor and programme
# manager of the organisation reads the same figures, counted once per this many seconds and process (Django's
# cache holds counts and user ids only: the names are read at each visit).
ORGANISATION_BOARD_SECONDS = 60


@dataclass(frozen=True)
class _OrganisationFigures:
    counts: dict[str, int]
    unassigned: int
    plans_overdue: int
    load: list[tuple[int, int]]  # (case manager's id, open cases)
    counted_at: datetime


def organisation_board(user: User, today: date | None = None) -> OrganisationBoard:
    """Over the cases of the user's organisation (Capability.VIEW_ORGANISATION_CASES; nothing otherwise)."""
    today = today or timezone.localdate()
    if not user.has_capability(Capability.VIEW_ORGANISATION_CASES) or not user.organisation_id:
        return OrganisationBoard({}, 0, 0, 0, [])
    deadline = today - timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)
    key = f"cases:organisation-board:{user.organisation_id}:{deadline.isoformat()}"
    figures = cache.get(key)
    if not isinstance(figures, _OrganisationFigures):
        figures = _organisation_figures(user, deadline)
        cache.set(key, figures, ORGANISATION_BOARD_SECONDS)
    managers = get_user_model().objects.filter(pk__in=[pk for pk, _n in figures.load])
    names = {manager.pk: manager.display_name() for manager in managers.only("first_name", "last_name", "username")}
    return OrganisationBoard(
        counts=figures.counts,
        total=sum(figures.counts.values()),
        unassigned=figures.unassigned,
        plans_overdue=figures.plans_overdue,
        workload=[(names.get(pk, ""), pk, n) for pk, n in figures.load],
        counted_at=figures.counted_at,
    )


def _organisation_figures(user: User, deadline: date) -> _OrganisationFigures:
    assert user.organisation_id is not None  # organisation_board returned an empty board without one
    own = cases_for(user).filter(organisation_id=user.organisation_id)
    counts = {row["status"]: row["n"] for row in own.values("status").annotate(n=Count("id")).order_by()}
    open_cases = own.exclude(status=CaseStatus.CLOSED)
    plans_overdue = open_cases.filter(
        status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSED], return_date__lt=deadline
    ).count()
    load = (
        open_cases.exclude(case_manager=None)
        .values("case_manager", "case_manager__username")
        .annotate(n=Count("id"))
        .order_by("-n", "case_manager__username")[:8]
    )
    return _OrganisationFigures(
        counts=counts,
        unassigned=open_cases.filter(case_manager=None).count(),
        plans_overdue=plans_overdue,
        load=[(row["case_manager"], row["n"]) for row in load],
        counted_at=timezone.now(),
    )


@dataclass(frozen=True)
class DuplicateCandidate:
    match: matching.MatchCandidate
    returnee: Returnee
    case_numbers: list[str]


def duplicate_candidates(
    user: User,
    person: matching.PersonRecord,
    document_numbers: list[str] | None = None,
    *,
    limit: int = 10,
    threshold: float = 0.5,
) -> list[DuplicateCandidate]:
    """Likely earlier registrations of this person in the user's organisation, best first.

    Registration must see the organisation's whole register (a person returned twice may have been
    registered by another team), so this looks beyond the user's own cases. It decides nothing about
    what the user may be shown: `cases.duplicates` presents the result (and records the check).
    """
    if not user.is_authenticated or not user.organisation_id:
        return []
    organisation_id = user.organisation_id
    doc_keys = [crypto.document_index(n) for n in (document_numbers or []) if n.strip()]
    query = dataclasses.replace(person, document_keys=frozenset(doc_keys) | person.document_keys)
    visible = Returnee.objects.filter(organisation_id=organisation_id, anonymised_at__isnull=True).order_by()
    rows = _rows_sharing_keys(organisation_id, person, visible)
    if doc_keys:
        # A shared document is decisive, so its holders are always scored, however many others share keys.
        holders = IdentityDocument.objects.filter(
            number_index__in=doc_keys, organisation_id=organisation_id
        ).values_list("returnee_id", flat=True)
        rows.update(_pool_rows(visible, set(holders) - rows.keys()))
    if not rows:
        return []
    candidates = _candidate_records(rows, query.document_keys)
    return _shown_candidates(matching.rank_candidates(query, candidates, threshold=threshold, limit=limit))


# Pool rows: (birth-date hash, estimated birth year, match record as stored) by returnee id.
_PoolRows = dict[int, tuple[int | None, int | None, str]]

# At most this many people sharing keys are scored, chosen among the `_POOL` ranked first by the key table.
_MAX_SCORED, _POOL = 300, 600


def _rows_sharing_keys(organisation_id: int, person: matching.PersonRecord, visible: QuerySet[Returnee]) -> _PoolRows:
    """The pool rows of the people who share blocking keys with ``person``, the closest first.

    In a register of a million people a common name (José Hernández García) shares a blocking key
    with thousands; scoring them all takes longer than a registration check may. So at most
    `_MAX_SCORED` are scored, those whose shared keys say most about the names: a shared name key
    (names without birth data) counts once and the surname pair key twice (both surnames agree: it
    is often all a person who now goes by the second given name shares); then the number of shared
    keys (year keys: close birth years); then the same birth date (compared as keyed hashes). They
    are taken from the `_POOL` ranked so on the key table alone, read as plain rows; only those
    scored are decrypted (one ciphertext each, `Returnee.match_record`).
    bench/bench_duplicates_pg.py measures time and recall at 1,000,000 people.
    """
    idx = name_index.indexer()
    keys = idx.blocking_keys(organisation_id, matching.query_keys(person))
    if not keys:
        return {}
    # Keys are scoped to the organisation (hashed with its id), so the key table alone gives this
    # organisation's people; anonymised people have no keys left.
    counts = (
        MatchKey.objects.filter(key__in=keys)
        .values("returnee_id")
        .annotate(names=_shared_name_keys(idx, organisation_id, person), shared=Count("*"))
        .order_by("-names", "-shared", "-returnee_id")
        .values_list("returnee_id", "names", "shared")
    )
    shared = {pk: (n_names, n) for pk, n_names, n in counts[:_POOL]}
    rows = _pool_rows(visible, shared)
    if len(rows) > _MAX_SCORED:
        born = idx.birth_date(organisation_id, person.birth_date)

        def closeness(pk: int) -> tuple[int, int, bool, int]:
            return *shared[pk], born is not None and rows[pk][0] == born, pk

        rows = {pk: rows[pk] for pk in sorted(rows, key=closeness, reverse=True)[:_MAX_SCORED]}
    return rows


def _shared_name_keys(idx: name_index.Indexer, organisation_id: int, person: matching.PersonRecord) -> Any:
    """How much a candidate's shared keys say about the names: the name keys once, the surname pair twice."""
    # The keys of the same names without birth data, and of the surnames alone (the pair key).
    first, second = person.first_family_name, person.second_family_name
    names_only = matching.PersonRecord(
        id=0, given_names=person.given_names, first_family_name=first, second_family_name=second
    )
    surnames_only = matching.PersonRecord(id=0, given_names="", first_family_name=first, second_family_name=second)
    name_keys = idx.blocking_keys(organisation_id, matching.query_keys(names_only))
    pair_keys = idx.blocking_keys(organisation_id, matching.query_keys(surnames_only))
    # (Never empty when the query has keys; the pair key is missing when only one surname is known, and
    # a count over an empty list would turn the whole sum into 0.)
    names: Any = Count("key", filter=Q(key__in=name_keys))
    if pair_keys:
        names += Count("key", filter=Q(key__in=pair_keys))
    return names


def _candidate_records(rows: _PoolRows, query_document_keys: frozenset[str]) -> list[matching.PersonRecord]:
    """The scored candidates' match records, decrypted, with the documents they share with the query."""
    # Only documents the query also has can change a score.
    held: dict[int, set[str]] = {}
    if query_document_keys:
        for returnee_id, index in IdentityDocument.objects.filter(
            returnee_id__in=list(rows), number_index__in=query_document_keys
        ).values_list("returnee_id", "number_index"):
            held.setdefault(returnee_id, set()).add(index)
    candidates = []
    for pk, (_born, estimated_year, sealed) in rows.items():
        if not sealed:
            continue  # written by code that bypassed the services: rebuild-search-index repairs it
        given, first, second, birth_date = name_index.read_match_record(crypto.decrypt(sealed))
        candidates.append(
            matching.PersonRecord(
                id=pk,
                given_names=given,
                first_family_name=first,
                second_family_name=second,
                birth_date=birth_date,
                birth_year=estimated_year,
                document_keys=frozenset(held.get(pk, ())),
            )
        )
    return candidates


def _shown_candidates(ranked: list[matching.MatchCandidate]) -> list[DuplicateCandidate]:
    if not ranked:
        return []
    # Only the few shown are loaded, with their case numbers; not their contact details.
    returnees = {
        r.pk: r
        for r in Returnee.objects.filter(pk__in=[m.id for m in ranked], anonymised_at__isnull=True)
        .only(*_CANDIDATE_FIELDS)
        .prefetch_related(Prefetch("cases", queryset=Case.objects.only("pk", "case_number", "returnee_id")))
    }
    return [
        DuplicateCandidate(
            match=m,
            returnee=returnees[m.id],
            case_numbers=[c.case_number for c in returnees[m.id].cases.all()],
        )
        for m in ranked
        if m.id in returnees  # anonymised in the meantime
    ]


def _pool_rows(visible: QuerySet[Returnee], ids: Iterable[int]) -> dict[int, tuple[int | None, int | None, str]]:
    """(birth-date hash, estimated birth year, match record as stored) of candidates: plain columns and a
    ciphertext left encrypted (read through an expression, not the field), decrypted only if scored."""
    ids = list(ids)
    if not ids:
        return {}
    sealed = ExpressionWrapper(F("match_record"), output_field=TextField())
    return {
        pk: (born, estimated, stored)
        for pk, born, estimated, stored in visible.filter(pk__in=ids)
        .annotate(sealed=sealed)
        .values_list("pk", "birth_date_index", "estimated_birth_year", "sealed")
    }


# What a duplicate candidate shows (cases.duplicates); contact details stay encrypted and unread.
_CANDIDATE_FIELDS = (
    "pk",
    "organisation_id",
    "given_names",
    "first_family_name",
    "second_family_name",
    "birth_date",
    "estimated_birth_year",
    "birth_year",
    "nationality",
    "registered_by_id",
)


def person_record(returnee: Returnee) -> matching.PersonRecord:
    return matching.PersonRecord(
        id=returnee.pk or 0,
        given_names=returnee.given_names,
        first_family_name=returnee.first_family_name,
        second_family_name=returnee.second_family_name,
        birth_date=returnee.birth_date,
        birth_year=returnee.estimated_birth_year,
        document_keys=frozenset(d.number_index for d in returnee.documents.all()) if returnee.pk else frozenset(),
    )


def visible_case_of_record(user: User, model_name: str, path: str, record_id: Any) -> int | None:
    """The id of the case a record of the cases app belongs to (`path`: from the record to the case id), if the
    user may see that case; None otherwise (the audit trail's links, `cases.audit_links`). A person's record
    leads to their most recent case the user sees."""
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        return None
    visible = cases_for(user)
    if model_name == "case":
        return visible.filter(pk=pk).values_list("pk", flat=True).first()
    if model_name == "returnee":
        return visible.filter(returnee_id=pk).order_by("-opened_on", "-pk").values_list("pk", flat=True).first()
    from django.apps import apps

    model = apps.get_model("cases", model_name)
    case_id = model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    if case_id is None:
        return None
    return visible.filter(pk=case_id).values_list("pk", flat=True).first()
