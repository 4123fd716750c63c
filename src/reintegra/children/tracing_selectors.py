"""Every read of family tracing and reunification, already scoped.

Who may see a child's tracing (`can_see_tracing`): the case is in the user's scope (`cases.scoping`) AND
the user holds the protection capability (`access.scoping.can_see(user, PROTECTION)`): tracing is about
where a separated child's family is, the most dangerous thing to leak. A hidden case raises
Case.DoesNotExist (404: its existence is not revealed); a visible case without the capability raises
PermissionDenied (403). Reads of the tracing records are recorded in the access trail (`record_read`).

Matching (`matches_for`) scores the people registered in the user's organisation against the person sought
and keeps only those the user may see: a match outside the user's scope is dropped before anything is
counted, so the answer says nothing about people the user may not know of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from reintegra.access import audit
from reintegra.api.fields import parse_id
from reintegra.cases import matching
from reintegra.cases import scoping as case_scoping
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case, HouseholdMember, Returnee
from reintegra.children import permissions as child_permissions
from reintegra.children import tracing_core
from reintegra.children.tracing_choices import TracingStatus
from reintegra.children.tracing_models import (
    FamilyMemberFound,
    ReunificationAssessment,
    ReunificationFollowUp,
    TracingAction,
    TracingRequest,
)

if TYPE_CHECKING:
    from reintegra.access.models import User

# Matches below this score are not shown: a tracing search has fewer facts than a registration (often no
# birth date), so it is a little more lenient than the duplicate check (0.5).
MATCH_THRESHOLD = 0.4
MATCH_LIMIT = 10
# Household members have no blind index: at most this many, of the households the user sees (most recent
# first), are decrypted and scored per search.
HOUSEHOLD_MEMBERS_SCORED = 3000
PURPOSE = "family tracing"


def can_see_tracing(user: User, case: Case) -> bool:
    """The case is in the user's scope and the user holds the protection capability (the child's details)."""
    return case_scoping.can_see_case(user, case) and child_permissions.can_see_child_details(user, case)


# One access rule for everything about a child's case (`children.permissions`).
access_tracing_case = child_permissions.access_child_case_by_id
can_change_tracing = child_permissions.can_change_case


def record_read(user: User, case: Case, *, channel: str = "web", what: str = PURPOSE) -> None:
    audit.record_access(user, "view", case, purpose=what, channel=channel)


# --- reads of one case ------------------------------------------------------------------------------


def requests_of(case: Case) -> QuerySet[TracingRequest]:
    return TracingRequest.objects.filter(case=case).prefetch_related("actions", "found").order_by("opened_on", "pk")


def request_of_case(case: Case, request_pk: Any) -> TracingRequest:
    """A tracing request of this case (TracingRequest.DoesNotExist otherwise)."""
    pk = parse_id(request_pk)
    if pk is None:
        raise TracingRequest.DoesNotExist
    return TracingRequest.objects.get(case=case, pk=pk)


def actions_of(case: Case) -> QuerySet[TracingAction]:
    return TracingAction.objects.filter(request__case=case).select_related("request").order_by("-taken_on", "-pk")


def actions_of_request(request: TracingRequest) -> list[TracingAction]:
    return list(TracingAction.objects.filter(request=request).order_by("-taken_on", "-pk"))


def found_of_request(request: TracingRequest) -> list[FamilyMemberFound]:
    return list(FamilyMemberFound.objects.filter(request=request).order_by("found_on", "pk"))


def found_of(case: Case) -> QuerySet[FamilyMemberFound]:
    return FamilyMemberFound.objects.filter(request__case=case).order_by("found_on", "pk")


def assessment_of(case: Case) -> ReunificationAssessment | None:
    return ReunificationAssessment.objects.filter(case=case).select_related("family_member").first()


def follow_ups_of(case: Case) -> list[ReunificationFollowUp]:
    return list(ReunificationFollowUp.objects.filter(case=case).order_by("due_on", "pk"))


def follow_up_of_case(case: Case, follow_up_pk: Any) -> ReunificationFollowUp:
    pk = parse_id(follow_up_pk)
    if pk is None:
        raise ReunificationFollowUp.DoesNotExist
    return ReunificationFollowUp.objects.get(case=case, pk=pk)


def has_open_request(case: Case) -> bool:
    return TracingRequest.objects.filter(case=case, status=TracingStatus.OPEN).exists()


def pending_follow_ups(today: date, until: date) -> QuerySet[ReunificationFollowUp]:
    """Follow-ups not done and due by `until`, of open cases with a case manager (for reminders)."""
    return (
        ReunificationFollowUp.objects.filter(
            done_on__isnull=True, due_on__lte=until, case__case_manager__isnull=False, case__closed_on__isnull=True
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )


# --- the embeddable section ---------------------------------------------------------------------------


def section_for(user: User, case: Case) -> dict[str, Any]:
    """Context of `children/tracing/section.html` (embedded in the "Niñez" tab): empty of data when the user
    may not see the case's tracing; otherwise the tracing records, read once and recorded as read."""
    if not can_see_tracing(user, case):
        return {"tracing_visible": False, "case": case}
    record_read(user, case)
    requests = [
        {"request": r, "action_count": len(actions), "last_action": actions[-1] if actions else None}
        for r in requests_of(case)
        for actions in (list(r.actions.all()),)
    ]
    follow_ups = follow_ups_of(case)
    return {
        "tracing_visible": True,
        "case": case,
        "tracing_requests": requests,
        "reunification": assessment_of(case),
        "reunification_follow_ups": follow_ups,
        "follow_ups_done": sum(1 for f in follow_ups if f.done_on is not None),
        "can_change_tracing": can_change_tracing(user, case),
        "today": timezone.localdate(),
    }


# --- matching -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TracingMatch:
    """A registered person who may be the one sought, with what the user may see of them."""

    kind: str  # "returnee" | "household_member"
    returnee: Returnee | None
    member: HouseholdMember | None
    explanation: tracing_core.Explanation
    cases: list[tuple[str, int]]  # (case number, id) of the cases the user may open behind this person

    @property
    def name(self) -> str:
        if self.returnee is not None:
            r = self.returnee
            return " ".join(p for p in (r.given_names, r.first_family_name, r.second_family_name) if p)
        assert self.member is not None
        return f"{self.member.given_names} {self.member.family_names}".strip()

    @property
    def score(self) -> float:
        return self.explanation.score


def sought_person(request: TracingRequest) -> matching.PersonRecord:
    return matching.PersonRecord(
        id=0,
        given_names=matching.clean_name(request.given_names),
        first_family_name=matching.clean_name(request.family_names),
        birth_year=request.birth_year,
    )


def _member_record(member: HouseholdMember, today: date) -> matching.PersonRecord:
    birth_year = None
    if member.birth_date is None and member.estimated_age is not None:
        birth_year = today.year - member.estimated_age
    # Household members are negative ids so they never meet a returnee's id in one ranking.
    return matching.PersonRecord(
        id=-member.pk,
        given_names=member.given_names,
        first_family_name=member.family_names,
        birth_date=member.birth_date,
        birth_year=birth_year,
    )


def _returnee_matches(user: User, case: Case, sought: matching.PersonRecord) -> list[TracingMatch]:
    found = case_selectors.duplicate_candidates(user, sought, threshold=MATCH_THRESHOLD, limit=MATCH_LIMIT * 3)
    ids = [c.returnee.pk for c in found if c.returnee.pk != case.returnee_id]
    # Out of scope: dropped here, before anything is counted or shown.
    visible = case_scoping.visible_returnee_ids(user, ids)
    openable: dict[int, list[tuple[str, int]]] = {}
    for pk, number, returnee_id in (
        case_selectors.cases_for(user).filter(returnee_id__in=visible).values_list("pk", "case_number", "returnee_id")
    ):
        openable.setdefault(returnee_id, []).append((number, pk))
    return [
        TracingMatch(
            "returnee",
            c.returnee,
            None,
            tracing_core.explain(sought, case_selectors.person_record(c.returnee)),
            sorted(openable.get(c.returnee.pk, [])),
        )
        for c in found
        if c.returnee.pk in visible
    ]


def _member_matches(user: User, case: Case, sought: matching.PersonRecord, today: date) -> list[TracingMatch]:
    visible_cases = case_selectors.cases_for(user).exclude(household__isnull=True)
    households = visible_cases.exclude(pk=case.pk).values("household_id")
    members = list(
        HouseholdMember.objects.filter(household_id__in=households).order_by("-household_id", "pk")[
            :HOUSEHOLD_MEMBERS_SCORED
        ]
    )
    records = [_member_record(m, today) for m in members]
    ranked = tracing_core.rank(sought, records, threshold=MATCH_THRESHOLD, limit=MATCH_LIMIT)
    by_id = {m.pk: m for m in members}
    chosen = [by_id[-i] for i, _explanation in ranked]
    openable: dict[int, list[tuple[str, int]]] = {}
    for pk, number, household_id in visible_cases.filter(household_id__in={m.household_id for m in chosen}).values_list(
        "pk", "case_number", "household_id"
    ):
        openable.setdefault(household_id, []).append((number, pk))
    return [
        TracingMatch("household_member", None, by_id[-i], explanation, sorted(openable.get(by_id[-i].household_id, [])))
        for i, explanation in ranked
    ]


def matches_for(user: User, request: TracingRequest, *, today: date, channel: str = "web") -> list[TracingMatch]:
    """Registered people (returnees and household members) who may be the person sought, that the user may
    see, best first, each explained field by field. The search is recorded in the access trail (without
    what was sought or found). The caller has checked the user may see the request's case's tracing."""
    audit.record_access(user, "search", request, purpose=PURPOSE, channel=channel)
    sought = sought_person(request)
    if not (sought.given_names and sought.first_family_name):
        return []
    found = _returnee_matches(user, request.case, sought) + _member_matches(user, request.case, sought, today)
    found.sort(key=lambda m: -m.score)
    return found[:MATCH_LIMIT]
