"""A story's rows, as the services would have written them (`stories` names the service of each step).

What the services derive is derived with their own code: the blind indexes and the match record
(`name_index.identity_index`), document indexes (`crypto.document_index`), the case status after each step
(`lifecycle.advance`), closure categories (`CLOSURE_CATEGORY`), stored names (`matching.clean_name`, checked
on the vocabularies when they load). What they do by saving (versions, the timeline, a household member's
minority on the day it was recorded) is done here, and `demo/tests/test_parity.py` checks every row against
the same story played through the services.

Ids are computed, not fetched: case i owns a fixed block of ids per model (`ID_BLOCKS`), reserved up front by
`rows.reserve_ids`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from reintegra.access import crypto
from reintegra.cases import lifecycle, name_index
from reintegra.cases.choices import CLOSURE_CATEGORY, CaseEventKind, CaseStatus, ClosureReason, PlanItemStatus
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseSearchToken,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    IdentityDocument,
    MatchKey,
    NameToken,
    PlanItem,
    PlanItemProgress,
    ReintegrationPlan,
    Returnee,
)
from reintegra.cases.services import MemberInput, PlanItemInput
from reintegra.demo import stories
from reintegra.demo.rows import Sealer, Table

# Ids per case of each model that other rows point at (at most that many rows of it per case).
ID_BLOCKS: dict[type[models.Model], int] = {
    Returnee: 1,
    Case: 1,
    Household: 1,
    ReintegrationPlan: 1,
    Assessment: stories.MAX_ASSESSMENTS,
    CounsellingSession: stories.MAX_SESSIONS,
    PlanItem: stories.MAX_PLAN_ITEMS,
    FollowUpVisit: stories.MAX_VISITS,
}
_EV = {kind: kind.value for kind in CaseEventKind}  # plain strings for the driver
_NAME_COLUMNS = ("returnee_id", "organisation_id", "kind", "digest")
_KEY_COLUMNS = ("returnee_id", "organisation_id", "key")
_CASE_TOKEN_COLUMNS = ("case_id", "organisation_id", "returnee_id", "return_date", "digest")
_EVENT_COLUMNS = ("case_id", "organisation_id", "kind", "occurred_at", "actor_id", "data", "note")


class Tables:
    """Every table the generator writes, parents before children."""

    def __init__(self) -> None:
        self.returnees = Table(Returnee, ids=True)
        self.households = Table(Household, ids=True)
        self.cases = Table(Case, ids=True)
        self.case_tokens = Table(CaseSearchToken)
        # A number another person of the organisation already holds is left out, as the unique constraint demands.
        self.documents = Table(IdentityDocument, skip_conflicts=True)
        self.match_keys = Table(MatchKey)
        self.name_tokens = Table(NameToken)
        self.members = Table(HouseholdMember)
        self.assessments = Table(Assessment, ids=True)
        self.sessions = Table(CounsellingSession, ids=True)
        self.plans = Table(ReintegrationPlan, ids=True)
        self.items = Table(PlanItem, ids=True)
        self.visits = Table(FollowUpVisit, ids=True)
        self.progress = Table(PlanItemProgress)
        self.events = Table(CaseEvent)

    def __iter__(self) -> Iterator[Table]:
        return iter(vars(self).values())


class Writer:
    def __init__(self, bases: dict[type[models.Model], int]) -> None:
        self.bases = bases
        self.tables = Tables()
        self.sealed = Sealer()  # names, places and dates recur: each distinct one is encrypted once
        self.indexer = name_index.indexer()  # memoises digests: names repeat across cases

    def ids(self, model: type[models.Model], index: int) -> Iterator[int]:
        """The ids case `index` may use for `model`, in order."""
        first = self.bases[model] + index * ID_BLOCKS[model]
        return iter(range(first, first + ID_BLOCKS[model]))

    def write(self, story: stories.CaseStory) -> None:
        case = _CaseRows(self, story)
        for step in story.steps:
            _STEPS[type(step)](case, step)
        case.finish()


def _local_day(moment: datetime) -> date:
    """The day of `moment` where the services run (settings.TIME_ZONE): their `timezone.localdate()`."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def _is_minor(member: MemberInput, on: date) -> bool:
    """services._member_is_minor, on the day the household was recorded."""
    born = member.birth_date
    if born:
        return on.year - born.year - int((on.month, on.day) < (born.month, born.day)) < 18
    if member.estimated_age is not None:
        return member.estimated_age < 18
    return bool(member.is_minor)


@functools.cache
def _advance(status: str, has_assessment: bool, plan_agreed: bool, has_follow_up: bool) -> str:
    """lifecycle.advance (memoised: a handful of combinations, millions of steps)."""
    return lifecycle.advance(status, lifecycle.CaseFacts(status, has_assessment, plan_agreed, has_follow_up)).value


class _CaseRows:
    """The rows of one case, built step by step the way each service call builds them."""

    def __init__(self, writer: Writer, story: stories.CaseStory) -> None:
        slot = story.slot
        self.w = writer
        self.slot = slot
        self.return_date = story.registration.return_information.return_date
        self.returnee_id = writer.bases[Returnee] + slot.index
        self.case_id = writer.bases[Case] + slot.index
        # Every row below the case carries its organisation (access.org_key): the services' pre_save fills it.
        self.org_id = slot.ctx.org.pk
        self.assessment_ids = writer.ids(Assessment, slot.index)
        self.session_ids = writer.ids(CounsellingSession, slot.index)
        self.visit_ids = writer.ids(FollowUpVisit, slot.index)
        self.case: dict[str, Any] = dict(writer.tables.cases.defaults)  # every column, once the case is opened
        # What services.facts() would read back from the database.
        self.status = CaseStatus.REGISTERED.value
        self.has_assessment = self.plan_agreed = self.has_follow_up = False
        self.plan: dict[str, Any] | None = None
        self.items: list[dict[str, Any]] = []
        self.events: list[tuple[Any, ...]] = []

    def event(self, at: datetime, kind: CaseEventKind, **data: Any) -> None:
        self.events.append((self.case_id, self.org_id, _EV[kind], at, self.slot.manager_id, data, ""))

    def saved(self, at: datetime) -> None:
        """The case row was saved again (a new version)."""
        self.case["revision"] += 1
        self.case["updated_at"] = at

    def advance(self, at: datetime) -> None:
        """services._advance_status: the status the case's records justify, forward only."""
        status = self.status
        new = _advance(status, self.has_assessment, self.plan_agreed, self.has_follow_up)
        if new != status:
            self.status = self.case["status"] = new
            self.saved(at)
            self.event(at, CaseEventKind.STATUS_CHANGED, old=status, new=new)

    def finish(self) -> None:
        w = self.w.tables
        w.cases.put(self.case)
        if self.plan is not None:
            w.plans.put(self.plan)
        for item in self.items:
            w.items.put(item)
        w.events.extend(_EVENT_COLUMNS, self.events)


# --- register_returnee, open_case ---------------------------------------------------------------------


def _registration(case: _CaseRows, step: stories.Registration) -> None:
    writer, slot, data = case.w, case.slot, step.returnee
    org_id = slot.ctx.org.pk
    estimated_birth_year = None
    if not data.birth_date and data.estimated_age is not None:
        estimated_birth_year = _local_day(step.at).year - data.estimated_age
    identity = name_index.identity_index(
        writer.indexer,
        org_id,
        data.given_names,
        data.first_family_name,
        data.second_family_name,
        data.birth_date,
        estimated_birth_year,
    )
    sealed = writer.sealed
    writer.tables.returnees.put(
        {
            "id": case.returnee_id,
            "organisation_id": org_id,
            "given_names": sealed(data.given_names),
            "first_family_name": sealed(data.first_family_name),
            "second_family_name": sealed(data.second_family_name),
            "sex": data.sex,
            "gender_identity": data.gender_identity,
            "birth_date": data.birth_date and sealed(data.birth_date.isoformat()),
            "estimated_birth_year": estimated_birth_year,
            "birth_year": identity.birth_year,
            "nationality": data.nationality,
            "phone": data.phone and crypto.encrypt(data.phone),  # one per person: not worth a cache entry
            "languages": data.languages,
            "return_country": data.return_country,
            "admin1_id": data.admin1_id,
            "municipality_id": data.municipality_id,
            "locality": sealed(data.locality),
            "address": sealed(data.address),
            "attention_flags": tuple(dict.fromkeys(data.attention_flags)),
            "registered_by_id": slot.manager_id,
            "created_at": step.at,
            "updated_at": step.at,
            "birth_date_index": identity.birth_date_index,
            "match_record": crypto.encrypt(identity.match_record),
        }
    )
    writer.tables.name_tokens.extend(_NAME_COLUMNS, ((case.returnee_id, org_id, *token) for token in identity.tokens))
    writer.tables.match_keys.extend(_KEY_COLUMNS, ((case.returnee_id, org_id, key) for key in identity.match_keys))
    _documents(case, step)
    _open_case(case, step)
    # name_index.case_saved's rows: the person's digests with the case's organisation and return date.
    day, org = case.case["return_date"], case.case["organisation_id"]
    writer.tables.case_tokens.extend(
        _CASE_TOKEN_COLUMNS, ((case.case_id, org, case.returnee_id, day, digest) for _kind, digest in identity.tokens)
    )


def _documents(case: _CaseRows, step: stories.Registration) -> None:
    """services._sync_documents: each number once, encrypted at rest and blind-indexed."""
    seen = set()
    for document in step.returnee.documents:
        number = document.number.strip()
        index = crypto.document_index(number) if number else ""
        if not number or index in seen:
            continue
        seen.add(index)
        case.w.tables.documents.put(
            {
                "returnee_id": case.returnee_id,
                "organisation_id": case.slot.ctx.org.pk,
                "document_type": document.document_type,
                "number": crypto.encrypt(number),
                "number_index": index,
                "issuing_country": document.issuing_country,
            }
        )


def _open_case(case: _CaseRows, step: stories.Registration) -> None:
    slot, data = case.slot, step.return_information
    case.case.update(
        id=case.case_id,
        case_number=slot.case_number,
        returnee_id=case.returnee_id,
        organisation_id=slot.ctx.org.pk,
        programme_id=slot.ctx.programme_id,
        team_id=slot.team_id,
        case_manager_id=slot.manager_id,
        status=CaseStatus.REGISTERED.value,
        opened_on=_local_day(step.at),
        return_date=data.return_date,
        return_type=data.return_type,
        host_country=data.host_country,
        transit_countries=tuple(dict.fromkeys(c.upper() for c in data.transit_countries if c)),
        reception_place=data.reception_place.strip(),
        reception_assistance=tuple(dict.fromkeys(data.reception_assistance)),
        causes_of_migration=tuple(dict.fromkeys(data.causes_of_migration)),
        causes_note=data.causes_note.strip(),
        created_at=step.at,
        updated_at=step.at,
        revision=1,
    )
    case.event(step.at, CaseEventKind.REGISTERED, return_type=data.return_type)


# --- set_household ------------------------------------------------------------------------------------


def _household(case: _CaseRows, step: stories.HouseholdRecorded) -> None:
    tables, sealed = case.w.tables, case.w.sealed
    household_id = case.w.bases[Household] + case.slot.index
    tables.households.put(
        {
            "id": household_id,
            "organisation_id": case.slot.ctx.org.pk,
            "notes": step.notes,
            "created_at": step.at,
            "revision": 1,
        }
    )
    today = _local_day(step.at)
    for m in step.members:
        tables.members.put(
            {
                "household_id": household_id,
                "organisation_id": case.org_id,
                "given_names": sealed(m.given_names),
                "family_names": sealed(m.family_names),
                "relationship": m.relationship,
                "sex": m.sex,
                "birth_date": m.birth_date and sealed(m.birth_date.isoformat()),
                "estimated_age": m.estimated_age,
                "is_minor": _is_minor(m, today),
                "returned_too": m.returned_too,
            }
        )
    case.case["household_id"] = household_id
    case.saved(step.at)
    case.event(step.at, CaseEventKind.UPDATED, what="household", members=len(step.members))


# --- record_counselling_session, record_assessment ---------------------------------------------------


def _session(case: _CaseRows, step: stories.SessionHeld) -> None:
    session_id = next(case.session_ids)
    case.w.tables.sessions.put(
        {
            "id": session_id,
            "case_id": case.case_id,
            "organisation_id": case.org_id,
            "counsellor_id": case.slot.manager_id,
            "created_at": step.at,
            **step.values,
        }
    )
    case.event(step.at, CaseEventKind.COUNSELLING, session=session_id, mode=step.values["mode"])


def _assessment(case: _CaseRows, step: stories.Assessed) -> None:
    assessment_id = next(case.assessment_ids)
    case.w.tables.assessments.put(
        {
            "id": assessment_id,
            "case_id": case.case_id,
            "organisation_id": case.org_id,
            "assessed_by_id": case.slot.manager_id,
            "created_at": step.at,
            "revision": 1,
            **step.values,
        }
    )
    case.event(step.at, CaseEventKind.ASSESSMENT, assessment=assessment_id, assessment_kind=step.values["kind"])
    case.has_assessment = True
    case.advance(step.at)


# --- save_plan, agree_plan, record_follow_up ---------------------------------------------------------


def _item(item_id: int, plan_id: int, org_id: int, data: PlanItemInput) -> dict[str, Any]:
    return {
        "id": item_id,
        "plan_id": plan_id,
        "organisation_id": org_id,
        "dimension": data.dimension,
        "approach": data.approach.strip(),
        "assistance_form": data.assistance_form,
        "description": data.description.strip(),
        "amount": data.amount,
        "currency": data.currency.strip().upper(),
        "responsible": data.responsible.strip(),
        "due_date": data.due_date,
        "status": data.status,
    }


def _plan_drafted(case: _CaseRows, step: stories.PlanDrafted) -> None:
    plan_id = case.w.bases[ReintegrationPlan] + case.slot.index
    case.plan = {
        "id": plan_id,
        "case_id": case.case_id,
        "organisation_id": case.org_id,
        "goals": step.goals.strip(),
        "motivations": step.motivations.strip(),
        "agreed_on": None,
        "agreed_late_reason": "",
        "created_at": step.at,
        "updated_at": step.at,
        "revision": 1,
    }
    ids = case.w.ids(PlanItem, case.slot.index)
    case.items = [_item(next(ids), plan_id, case.org_id, data) for data in step.items]
    case.event(step.at, CaseEventKind.PLAN_DRAFTED)


def _plan_agreed(case: _CaseRows, step: stories.PlanAgreed) -> None:
    assert case.plan is not None
    case.plan.update(agreed_on=step.agreed_on, agreed_late_reason=step.late_reason.strip(), updated_at=step.at)
    case.plan["revision"] += 1
    late = step.agreed_on > case.return_date + timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)
    case.event(step.at, CaseEventKind.PLAN_AGREED, agreed_on=step.agreed_on.isoformat(), late=late)
    case.plan_agreed = True
    case.advance(step.at)


def _visit(case: _CaseRows, step: stories.Visited) -> None:
    visit_id = next(case.visit_ids)
    tables = case.w.tables
    tables.visits.put(
        {
            "id": visit_id,
            "case_id": case.case_id,
            "organisation_id": case.org_id,
            "conducted_by_id": case.slot.manager_id,
            "created_at": step.at,
            **step.values,
        }
    )
    changed = False
    for position, status, note in step.progress:
        item = case.items[position]
        tables.progress.put(
            {
                "visit_id": visit_id,
                "organisation_id": case.org_id,
                "item_id": item["id"],
                "status": status,
                "note": note.strip(),
            }
        )
        changed = changed or item["status"] != status
        item["status"] = status
    if changed and case.plan is not None:
        # Item statuses are part of the plan: its version moves.
        case.plan["revision"] += 1
        case.plan["updated_at"] = step.at
    case.event(step.at, CaseEventKind.FOLLOW_UP, visit=visit_id, mode=step.values["mode"])
    case.has_follow_up = True
    case.advance(step.at)


# --- close_case ---------------------------------------------------------------------------------------


def _closed(case: _CaseRows, step: stories.Closed) -> None:
    old = case.status
    category = CLOSURE_CATEGORY[ClosureReason(step.reason)].value
    case.case.update(
        status=CaseStatus.CLOSED.value,
        closure_reason=step.reason,
        closure_category=category,
        closed_on=step.closed_on,
        closure_note=step.note.strip(),
    )
    case.status = CaseStatus.CLOSED.value
    case.saved(step.at)
    # The closure's questions (cases.selectors.open_matters): the items still open, and the final survey round
    # the stories never hold (the sustainability level seeds rounds on its own).
    settled = []
    for item in case.items:
        if item["status"] not in (PlanItemStatus.COMPLETED.value, PlanItemStatus.CANCELLED.value):
            item["status"] = step.open_items_become
            settled.append({"kind": "plan_item", "choice": step.open_items_become})
    settled.append({"kind": "final_round", "choice": "close_without"})
    case.event(step.at, CaseEventKind.CLOSED, old=old, reason=step.reason, category=category, settled=settled)


_STEPS: dict[type[Any], Callable[[_CaseRows, Any], None]] = {
    stories.Registration: _registration,
    stories.HouseholdRecorded: _household,
    stories.SessionHeld: _session,
    stories.Assessed: _assessment,
    stories.PlanDrafted: _plan_drafted,
    stories.PlanAgreed: _plan_agreed,
    stories.Visited: _visit,
    stories.Closed: _closed,
}
