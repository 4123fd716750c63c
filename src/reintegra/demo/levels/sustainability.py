"""Demo data: RSS rounds (baseline and follow-ups) for the demo organisation's cases.

Each person gets a latent level per dimension; answers are drawn around it and improve a little from one
round to the next, so trajectories, weakest dimensions, due lists and distributions look realistic.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.utils import timezone

from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.demo.levels.context import DemoContext
from reintegra.sustainability import schedule, selectors, services
from reintegra.sustainability.definition import Definition


def _answers(definition: Definition, level: dict[str, float], rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in definition.scored_questions:
        if rng.random() < 0.04:
            continue  # not asked / skipped
        target = min(1.0, max(0.0, rng.gauss(level[q.dimension], 0.18)))
        if q.type == "number":
            xs = [x for x, _s in q.points]
            scores = [s for _x, s in q.points]
            answers[q.code] = min(zip(xs, scores, strict=True), key=lambda p: abs(p[1] - target))[0]
            continue
        scored = [o for o in q.options if not o.missing]
        missing = [o for o in q.options if o.missing]
        if missing and rng.random() < 0.05:
            answers[q.code] = rng.choice(missing).code if q.type == "single" else [rng.choice(missing).code]
            continue
        chosen = min(scored, key=lambda o: abs((o.score or 0) - target) + rng.random() * 0.05)
        answers[q.code] = [chosen.code] if q.type == "multiple" else chosen.code
    return answers


def load(context: DemoContext) -> str:
    rng = random.Random(context.seed + 4)
    services.load_default_instrument()
    org = context.organisations["oim-gt"]
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(organisation=org, case_manager__isnull=False)
        .exclude(status=CaseStatus.REGISTERED)
        .select_related("programme", "case_manager")
        .order_by("id")[:80]
    )
    rounds = 0
    for case in cases:
        manager = case.case_manager
        if manager is None:  # the query asked for one; this keeps the type narrow
            continue
        version = next((v for v in selectors.instruments_for_case(case) if v.instrument.code == "rss"), None)
        if version is None:
            continue
        definition = version.parsed()
        months, window = selectors.schedule_of(case)
        level = {d: rng.uniform(0.2, 0.7) for d in ("economic", "social", "psychosocial")}
        # One dimension lags for most people: the plan panel then has something to suggest.
        level[rng.choice(list(level))] -= 0.15
        for planned in schedule.schedule(case.return_date, months, (), window):
            taken_on = (
                schedule.add_months(case.return_date, planned.month)
                if planned.month
                else date.fromordinal(case.return_date.toordinal() + rng.randint(5, window))
            )
            if taken_on > today or rng.random() < 0.1:
                break
            answers = _answers(definition, level, rng)
            services.record_round(
                manager,
                case,
                services.RoundInput("rss", taken_on, answers, version=version.number, round_month=planned.month),
            )
            rounds += 1
            level = {d: min(0.95, v + rng.uniform(0.0, 0.12)) for d, v in level.items()}
    return f"Sustainability: {rounds} Reintegration Sustainability Survey rounds in {len(cases)} cases."


def baseline_round(case: Case, rng: random.Random) -> bool:
    """A first RSS round for a case the rounds above left out (the community level's hotspot returnees), a
    few days after its return; False when the case has no manager, no RSS instrument or the day is still ahead."""
    manager = case.case_manager
    version = next((v for v in selectors.instruments_for_case(case) if v.instrument.code == "rss"), None)
    taken_on = date.fromordinal(case.return_date.toordinal() + rng.randint(5, 20))
    if manager is None or version is None or taken_on > timezone.localdate():
        return False
    level = {d: rng.uniform(0.2, 0.7) for d in ("economic", "social", "psychosocial")}
    level["economic"] -= 0.2  # work is what most recent returnees lack
    answers = _answers(version.parsed(), level, rng)
    services.record_round(manager, case, services.RoundInput("rss", taken_on, answers, version=version.number))
    return True
