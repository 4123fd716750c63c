"""Tell one case: draw the person, then the steps a case manager took with them (`stories`), with the texts
a case manager would write (texts.yaml, plans.yaml).

Every draw comes from the case's own stream in a fixed order: the same seed, day and organisations give the
same stories whatever the chunking or the number of worker processes.
"""

from __future__ import annotations

import itertools
import operator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from reintegra.cases.choices import AssessmentKind, ClosureReason, PlanItemStatus
from reintegra.cases.services import PlanItemInput, ReturneeInput, ReturnInput
from reintegra.demo import timeline
from reintegra.demo.documents import draw_documents
from reintegra.demo.draws import Draws
from reintegra.demo.people import Person, draw_contact, draw_flags, draw_household, draw_person, draw_return
from reintegra.demo.skeleton import Slot
from reintegra.demo.stories import (
    MAX_ASSESSMENTS,
    MAX_PLAN_ITEMS,
    MAX_SESSIONS,
    Assessed,
    CaseStory,
    Closed,
    HouseholdRecorded,
    PlanAgreed,
    PlanDrafted,
    Registration,
    SessionHeld,
    Step,
    Visited,
)
from reintegra.demo.timeline import ASSESSED, PLAN_AGREED, Timeline
from reintegra.demo.vocabulary import vocabulary

_MODES = ("in_person", "phone", "remote")
_SESSION_MODES_CUM = list(itertools.accumulate((65, 25, 10)))
_VISIT_MODES_CUM = list(itertools.accumulate((60, 30, 10)))
_DURATIONS = (30, 45, 45, 60, 60, 90)
_LEVELS = ("high", "medium", "low", "none")
_ECONOMIC_CUM = list(itertools.accumulate((55, 30, 10, 5)))
_SOCIAL_CUM = list(itertools.accumulate((25, 40, 25, 10)))
_PSYCHOSOCIAL_CUM = list(itertools.accumulate((20, 35, 30, 15)))
_PSYCHOSOCIAL_VIOLENCE_CUM = list(itertools.accumulate((40, 35, 30, 15)))
_NEXT_ITEM_STATUS = {PlanItemStatus.PLANNED.value: "in_progress", PlanItemStatus.IN_PROGRESS.value: "completed"}
_AT = operator.attrgetter("at")
_MOVABLE = (PlanItemStatus.PLANNED.value, PlanItemStatus.IN_PROGRESS.value)


def tell(draws: Draws, seed: int, slot: Slot, as_of: date) -> CaseStory:
    """The story of case `slot.index`."""
    draws.start(seed, slot.index)
    ctx = slot.ctx
    person = draw_person(draws, ctx.country, draws.pick_w(ctx.places, ctx.places_w), slot.return_day)
    draw_return(draws, person)
    draw_household(draws, person, slot.return_day)
    flags, gender_identity = draw_flags(draws, person)
    phone, locality, address = draw_contact(draws, person)
    teller = _Teller(draws, person, slot, as_of)
    returnee = ReturneeInput(
        given_names=person.given,
        first_family_name=person.first_family,
        second_family_name=person.second_family,
        nationality=person.country.code,
        return_country=person.country.code,
        sex=person.sex,
        gender_identity=gender_identity,
        birth_date=person.birth_date,
        estimated_age=slot.opened.year - person.birth_year if person.estimated else None,
        phone=phone,
        languages=person.languages,
        admin1_id=person.place.parent_id,
        municipality_id=person.place.id,
        locality=locality,
        address=address,
        attention_flags=list(flags),
    )
    return teller.tell(returnee)


class _Teller:
    def __init__(self, draws: Draws, person: Person, slot: Slot, as_of: date) -> None:
        self.draws = draws
        self.person = person
        self.country = person.country.code
        self.slot = slot
        self.steps: list[Step] = []
        self.assessments = 0
        self.t: Timeline = timeline.plan(draws, slot.opened, slot.return_day, as_of, person.country.code)
        self.opened_at = self.at(slot.opened, 480 + int(draws.rnd() * 540))

    def at(self, day: date, minute: int) -> datetime:
        """`minute` after local midnight of `day` in the country, as an aware UTC datetime."""
        start = _DAY_STARTS.get((self.country, day)) or _day_start(self.country, day)
        return start + timedelta(minutes=min(minute, 1439))

    def when(self, day: date) -> datetime:
        """A working-hours time on `day`, after the registration when that is the same day."""
        if day == self.slot.opened:
            return self.opened_at + timedelta(minutes=10 + int(self.draws.rnd() * 120))
        return self.at(day, 480 + int(self.draws.rnd() * 540))

    def tell(self, returnee: ReturneeInput) -> CaseStory:
        draws, person, t = self.draws, self.person, self.t
        household = None
        if person.household:
            notes = draws.pick(vocabulary().texts.household_notes) if draws.rnd() < 0.3 else ""
            household = HouseholdRecorded(self.opened_at + timedelta(minutes=5), person.household, notes)
        returnee.documents = draw_documents(draws, person, self.slot.return_day)
        self.steps.append(Registration(self.opened_at, returnee, self._return_information()))
        if household is not None:
            self.steps.append(household)
        self._sessions()
        if t.stage >= ASSESSED:
            kind = AssessmentKind.BEST_INTERESTS if person.minor else AssessmentKind.INITIAL
            self._assessment(kind, t.assessed_on, self.when(t.assessed_on))
        items: list[PlanItemInput] = []
        if t.stage >= PLAN_AGREED or (t.stage == ASSESSED and t.drafted_on <= t.horizon and draws.rnd() < 0.4):
            items = self._plan(agreed=t.stage >= PLAN_AGREED)
        if t.visits:
            self._visits(items)
        self.steps.sort(key=_AT)
        if t.closed:
            self._closure()
        return CaseStory(self.slot, self.steps)

    def _return_information(self) -> ReturnInput:
        p = self.person
        return ReturnInput(
            return_date=self.slot.return_day,
            return_type=p.return_type,
            host_country=p.host,
            transit_countries=list(p.transit),
            reception_place=p.reception,
            reception_assistance=list(p.assistance),
            causes_of_migration=list(p.causes),
            causes_note=p.causes_note,
        )

    # --- counselling and assessments -----------------------------------------------------------------

    def _sessions(self) -> None:
        draws, t = self.draws, self.t
        days = [self.slot.opened + timedelta(days=draws.between(0, 5))] if draws.rnd() < 0.25 else []
        if t.stage >= ASSESSED:
            end = t.agreed_on if t.stage >= PLAN_AGREED else t.assessed_on + timedelta(days=45)
            window = max(0, (end - t.assessed_on).days)
            days.extend(t.assessed_on + timedelta(days=draws.between(0, window)) for _ in range(draws.between(1, 2)))
        for day in sorted(days)[:MAX_SESSIONS]:
            if day <= t.horizon:
                self._session(day)

    def _session(self, day: date) -> None:
        draws, texts = self.draws, vocabulary().texts
        when = self.when(day)
        mode = draws.pick_w(_MODES, _SESSION_MODES_CUM)
        topics = ", ".join(draws.some(texts.counselling_topics, draws.between(1, 2)))
        notes = draws.pick(texts.counselling_notes) if draws.rnd() < 0.75 else ""
        values = {"held_on": day, "mode": mode, "topics": topics, "notes": notes}
        values["duration_minutes"] = draws.pick(_DURATIONS)
        self.steps.append(SessionHeld(when, values))

    def _assessment(self, kind: AssessmentKind, day: date, when: datetime) -> None:
        if self.assessments >= MAX_ASSESSMENTS:
            return
        self.assessments += 1
        draws, p = self.draws, self.person
        values: dict[str, Any] = {"kind": kind.value, "assessed_on": day, "family_situation": self._family()}
        values["economic_need"] = draws.pick_w(_LEVELS, _ECONOMIC_CUM)
        values["social_need"] = draws.pick_w(_LEVELS, _SOCIAL_CUM)
        psychosocial = _PSYCHOSOCIAL_VIOLENCE_CUM if p.violence else _PSYCHOSOCIAL_CUM
        values["psychosocial_need"] = draws.pick_w(_LEVELS, psychosocial)
        values.update(self._sensitive_notes(kind))
        values.update(self._assessment_texts(values))
        self.steps.append(Assessed(when, values))

    def _sensitive_notes(self, kind: AssessmentKind) -> dict[str, str]:
        draws, p, texts = self.draws, self.person, vocabulary().texts
        pick, rnd = draws.pick, draws.rnd
        protection = ""
        if kind == AssessmentKind.BEST_INTERESTS:
            protection = texts.protection_child
        elif rnd() < (0.5 if p.violence else 0.1):
            protection = pick(texts.protection)
        return {
            "protection_concerns": protection,
            "health_notes": pick(texts.health) if rnd() < (0.8 if p.chronic else 0.15) else "",
            "mental_health_notes": pick(texts.mental_health) if rnd() < 0.15 else "",
            "gbv_notes": pick(texts.gbv) if rnd() < (0.1 if p.female else 0.005) else "",
        }

    def _assessment_texts(self, levels: dict[str, Any]) -> dict[str, str]:
        draws, texts = self.draws, vocabulary().texts
        pick, rnd = draws.pick, draws.rnd
        return {
            "needs_vulnerabilities": " ".join(draws.some(texts.needs, 2)),
            "capacities_skills": "; ".join(draws.some(texts.skills, draws.between(1, 3))),
            "risk_factors": pick(texts.risks) if rnd() < 0.7 else "",
            "protective_factors": pick(texts.protective),
            "economic_needs": pick(texts.economic_needs),
            "social_needs": pick(texts.social_needs) if levels["social_need"] != "none" else "",
            "psychosocial_needs": pick(texts.psychosocial_needs) if levels["psychosocial_need"] != "none" else "",
        }

    def _family(self) -> str:
        p, lines = self.person, vocabulary().texts.family_situation
        if p.minor:
            return lines["minor_with_family"] if p.household else lines["minor_alone"]
        children = (lines["child"] if p.children == 1 else lines["children_plural"]).format(n=p.children)
        if p.spouse:
            return lines["partner_and_children"].format(children=children) if p.children else lines["partner"]
        if p.children:
            return (lines["head_of_household"] if p.female else lines["children"]).format(children=children)
        if p.household:
            return lines["relatives"]
        return lines["alone_female"] if p.female else lines["alone_male"]

    # --- the plan and its follow-up ------------------------------------------------------------------

    def _plan(self, *, agreed: bool) -> list[PlanItemInput]:
        """A plan with one to four items; agreed when the case got that far. Returns the items."""
        draws, t, texts = self.draws, self.t, vocabulary().texts
        drafted_at = self.at(t.drafted_on, 480 + int(draws.rnd() * 540))
        agreed_on = t.agreed_on if agreed else None
        items = self._items(due_from=agreed_on or t.drafted_on, agreed=agreed)
        agreement = None
        if agreed_on is not None:
            agreed_at = max(self.at(agreed_on, 480 + int(draws.rnd() * 540)), drafted_at + timedelta(minutes=30))
            # A plan agreed after the deadline says why (the rule of the plan form, moving into the services).
            late = (agreed_on - self.slot.return_day).days > settings.REINTEGRA_PLAN_DEADLINE_DAYS
            reason = draws.pick(texts.late_reasons) if late else ""
            agreement = PlanAgreed(agreed_at, agreed_on, reason)
        goals, motivations = draws.pick(texts.goals), draws.pick(texts.motivations)
        self.steps.append(PlanDrafted(drafted_at, goals, motivations, items))
        if agreement is not None:
            self.steps.append(agreement)
        return items

    def _items(self, *, due_from: date, agreed: bool) -> list[PlanItemInput]:
        draws, country, plans = self.draws, self.person.country, vocabulary().plans
        rnd = draws.rnd
        items: list[PlanItemInput] = []
        chosen: set[str] = set()
        for _ in range(MAX_PLAN_ITEMS):
            if items and rnd() < 0.35:
                break
            kind = draws.pick_w(plans.approaches, plans.approaches_w)
            if kind.approach in chosen:
                continue
            chosen.add(kind.approach)
            amount = None
            if kind.amount_share is not None:
                low, high = kind.amount_share
                amount = Decimal(int(country.support_ceiling * (low + rnd() * (high - low)) / 50) * 50)
            status = "in_progress" if agreed and rnd() < 0.2 else "planned"
            items.append(
                PlanItemInput(
                    dimension=kind.dimension,
                    approach=kind.approach,
                    assistance_form=kind.assistance_form,
                    description=draws.pick(kind.descriptions),
                    amount=amount,
                    currency=country.currency if amount is not None else "",
                    responsible=draws.pick(plans.responsible[country.code][kind.service]),
                    due_date=due_from + timedelta(days=draws.between(30, 180)),
                    status=status,
                )
            )
        return items

    def _visits(self, items: list[PlanItemInput]) -> None:
        draws, t, texts = self.draws, self.t, vocabulary().texts
        visits = t.visits
        overdue = not t.closed and len(visits) > 1 and draws.rnd() < 0.15
        if overdue:
            visits = visits[:-1]  # the last planned visit did not happen: it shows as overdue
        statuses = [item.status for item in items]  # as the visits move them
        for n, day in enumerate(visits):
            when = self.when(day)
            values: dict[str, Any] = {"visited_on": day, "mode": draws.pick_w(_MODES, _VISIT_MODES_CUM)}
            values["next_visit_on"] = self._next_visit(n, visits, overdue)
            values["notes"] = draws.pick(texts.visit_notes)
            values["significant_changes"] = draws.pick(texts.significant_changes) if draws.rnd() < 0.15 else ""
            visit = Visited(when, values)
            self.steps.append(visit)
            if statuses:
                self._progress(visit, statuses, last=n == len(visits) - 1)
            if n > 0 and draws.rnd() < 0.08:
                self._assessment(AssessmentKind.REASSESSMENT, day, when + timedelta(minutes=20))

    def _next_visit(self, n: int, visits: list[date], overdue: bool) -> date | None:
        if n + 1 < len(visits):
            return visits[n + 1]
        if overdue:
            return self.t.schedule[len(visits)]
        if self.t.closed:
            return None
        return visits[n] + timedelta(days=self.draws.between(30, 120))

    def _progress(self, visit: Visited, statuses: list[str], *, last: bool) -> None:
        """One item moves at each visit (progress is recorded when an item moves)."""
        position = self.draws.pick(range(len(statuses)))
        current = statuses[position]
        new = _NEXT_ITEM_STATUS.get(current, current)
        if current in _MOVABLE and self.draws.rnd() < 0.05:
            new = PlanItemStatus.CANCELLED.value
        if self.t.reason == ClosureReason.SUPPORT_ENDED.value and last and current != PlanItemStatus.CANCELLED:
            new = PlanItemStatus.COMPLETED.value
        if new != current:
            statuses[position] = new
            note = self.draws.pick(vocabulary().texts.progress_notes[new]) if self.draws.rnd() < 0.3 else ""
            visit.progress.append((position, new, note))

    def _closure(self) -> None:
        draws, t = self.draws, self.t
        assert t.closed_on is not None
        closed_at = max(self.at(t.closed_on, 480 + int(draws.rnd() * 540)), self.steps[-1].at + timedelta(minutes=30))
        note = vocabulary().texts.closure_notes[t.reason] if draws.rnd() < 0.8 else ""
        planned = t.reason == ClosureReason.SUPPORT_ENDED.value
        become = PlanItemStatus.COMPLETED.value if planned else PlanItemStatus.CANCELLED.value
        self.steps.append(Closed(closed_at, t.reason, note, t.closed_on, become))


_DAY_STARTS: dict[tuple[str, date], datetime] = {}


def _day_start(country: str, day: date) -> datetime:
    """Local midnight of `day` in the country, as an aware UTC datetime (memoised: a few thousand days)."""
    start = _DAY_STARTS.get((country, day))
    if start is None:
        local = datetime(day.year, day.month, day.day, 12, tzinfo=vocabulary().countries[country].zone)
        offset = local.utcoffset()
        assert offset is not None
        start = _DAY_STARTS[(country, day)] = datetime(day.year, day.month, day.day, tzinfo=UTC) - offset
    return start
