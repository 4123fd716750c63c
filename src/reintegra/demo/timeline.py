"""When each step of a case would happen, and how far the case got by the last day (`as_of`).

Cases reach every stage (registered, assessed, plan agreed, in follow-up) and close across the Handbook's
reasons: most when the support period ends, some early (the person remigrated, moved, no longer wants
support…), some stall with contact lost while the case stays open.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

from reintegra.cases.choices import ClosureReason
from reintegra.demo.draws import Draws
from reintegra.demo.stories import MAX_VISITS
from reintegra.demo.vocabulary import cumulative, vocabulary

# Stages a case can reach: each implies the records of the ones before it.
REGISTERED, ASSESSED, PLAN_AGREED, FOLLOW_UP, SUPPORT_DONE = range(5)
_SUPPORT_ENDED = ClosureReason.SUPPORT_ENDED.value
_EARLY = "early"
_ASSESSMENT_DELAYS = (0, 0, 0, 1, 2, 3, 5, 7, 10, 14)


@dataclass
class Timeline:
    opened: date
    assessed_on: date
    drafted_on: date
    agreed_on: date
    first_visit: date
    support_end: date
    schedule: list[date]  # planned follow-up visits
    as_of: date  # the last day anything may happen
    natural: int = REGISTERED  # the stage reached by `as_of` if nothing goes wrong
    stage: int = REGISTERED
    reason: str = ""  # closure reason, "" while open
    visits: list[date] = field(default_factory=list)
    closed_on: date | None = None

    @property
    def closed(self) -> bool:
        return bool(self.reason)

    @property
    def horizon(self) -> date:
        """The last day anything happens in the case."""
        return self.closed_on or self.as_of


def plan(draws: Draws, opened: date, return_day: date, as_of: date, country: str) -> Timeline:
    """The dates of every step, then the stage the case reached and whether (and why) it closed."""
    between = draws.between
    assessed_on = opened + timedelta(days=draws.pick(_ASSESSMENT_DELAYS))
    drafted_on = assessed_on + timedelta(days=between(2, 21))
    late = draws.rnd() < 0.2
    agreed_on = drafted_on + timedelta(days=between(20, 60) if late else between(0, 10))
    first_visit = agreed_on + timedelta(days=between(20, 60))
    support_end = agreed_on + timedelta(days=30 * between(12, 18))
    t = Timeline(opened, assessed_on, drafted_on, agreed_on, first_visit, support_end, [first_visit], as_of)
    while len(t.schedule) < MAX_VISITS:
        following = t.schedule[-1] + timedelta(days=between(80, 150))  # about quarterly
        if following > support_end:
            break
        t.schedule.append(following)
    support_done = t.schedule[-1] + timedelta(days=between(0, 20))
    t.natural = sum(1 for day in (assessed_on, agreed_on, first_visit, support_done) if day <= as_of)
    extended = _outcome(draws, t, return_day)
    if t.reason == _EARLY:
        _early_closure(draws, t, country)
    if extended:
        while t.schedule[-1] <= as_of and len(t.schedule) < MAX_VISITS:
            t.schedule.append(t.schedule[-1] + timedelta(days=between(80, 150)))
    _visits(draws, t)
    _closure_day(draws, t)
    return t


def _outcome(draws: Draws, t: Timeline, return_day: date) -> bool:
    """Stage and closure of a case whose support period ended, or that stopped early; True when follow-up
    goes on past the planned period."""
    t.stage = t.natural
    u = draws.rnd()
    early_exit = min(0.25, (t.as_of - return_day).days / 2000)
    if t.natural == SUPPORT_DONE:
        if u < 0.48:
            t.reason = _SUPPORT_ENDED
        elif u < 0.63:
            t.reason = _EARLY
        elif u < 0.85:
            t.stage = FOLLOW_UP
            return True
        else:
            t.stage = draws.between(REGISTERED, PLAN_AGREED)  # stalled: contact lost, case still open
    elif u < early_exit:
        t.reason = _EARLY
    elif u < early_exit + 0.2 and t.natural > REGISTERED:
        t.stage = draws.between(REGISTERED, t.natural - 1)
    return False


def _early_closure(draws: Draws, t: Timeline, country: str) -> None:
    t.stage = draws.between(REGISTERED, min(t.natural, FOLLOW_UP))
    t.reason = draws.pick_w(*_early_reasons())
    if t.reason == ClosureReason.FUNDING_ENDED.value and t.stage < PLAN_AGREED:
        t.reason = ClosureReason.NO_LONGER_WANTS.value
    if t.reason == ClosureReason.SECURITY.value and country in ("MX", "GT") and draws.rnd() < 0.5:
        t.reason = ClosureReason.LEFT_AREA.value


@functools.cache
def _early_reasons() -> tuple[list[str], list[float]]:
    return cumulative(vocabulary().texts.early_closures)


def _visits(draws: Draws, t: Timeline) -> None:
    if t.stage < FOLLOW_UP:
        return
    t.stage = FOLLOW_UP
    last = t.support_end if t.reason == _SUPPORT_ENDED else t.as_of
    t.visits = [day for day in t.schedule if day <= last]
    if t.closed and t.reason != _SUPPORT_ENDED:
        t.visits = t.visits[: draws.between(1, len(t.visits))]


def _closure_day(draws: Draws, t: Timeline) -> None:
    if not t.closed:
        return
    last_day = t.visits[-1] if t.visits else (t.opened, t.assessed_on, t.agreed_on)[min(t.stage, PLAN_AGREED)]
    gap = draws.between(0, 20) if t.reason == _SUPPORT_ENDED else draws.between(5, 60)
    t.closed_on = min(t.as_of, last_day + timedelta(days=gap))
