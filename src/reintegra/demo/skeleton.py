"""What is fixed before any case is generated: each case's return and opening dates, organisation, case
number and case manager, drawn from one `random.Random(seed)`. Case i is then generated from its own
stream, so the same seed, day and organisations give the same cases whatever the chunking."""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reintegra.access.models import Organisation, User
from reintegra.cases.models import Case, CaseNumberSequence
from reintegra.demo.people import Place
from reintegra.demo.vocabulary import Country, vocabulary
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea


@dataclass
class OrgContext:
    org: Organisation
    country: Country
    cycle: list[tuple[int, int | None]]  # (case manager id, team id), weighted round-robin
    places: list[Place]
    places_w: list[float]
    sequences: dict[int, int]  # year → last case number used
    programme_id: int | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class Slot:
    """What the skeleton fixes for case i before any case is generated."""

    index: int
    ctx: OrgContext
    return_day: date
    opened: date
    case_number: str
    manager_id: int
    team_id: int | None


def places(country: str) -> tuple[list[Place], list[float]]:
    """The municipalities of return and their cumulative weights (the gazetteer is loaded when empty)."""
    rows = list(
        AdminArea.objects.filter(country=country, level=AdminLevel.SECOND)
        .values_list("id", "code", "parent_id", "parent__code", "name")
        .order_by("code")
    )
    if not rows:
        from reintegra.places.services import load_gazetteer

        load_gazetteer(countries=[country])
        return places(country)
    found = [Place(*row) for row in rows]
    weights = vocabulary().countries[country].return_weights
    return found, list(itertools.accumulate(weights.get(p.code, 1.0) for p in found))


def existing_sequences(org: Organisation) -> dict[int, int]:
    """Last case number used per year: the sequence table, or a case number above it."""
    found = dict(CaseNumberSequence.objects.filter(organisation=org).values_list("year", "last_value"))
    prefix = f"{org.code.upper()}-"
    numbers = Case.objects.filter(organisation=org, case_number__startswith=prefix).values_list(
        "case_number", flat=True
    )
    for number in numbers:
        year, _, seq = number[len(prefix) :].partition("-")
        if year.isdigit() and seq.isdigit() and int(seq) > found.get(int(year), 0):
            found[int(year)] = int(seq)
    return found


def cycle(assignees: Sequence[tuple[User, int]]) -> list[tuple[int, int | None]]:
    """Weighted round-robin: each case manager appears `weight` times per round, interleaved."""
    slots: list[tuple[int, int | None]] = []
    users = [user for user, _weight in assignees]
    remaining = [max(1, int(weight)) for _user, weight in assignees]
    while any(weight > 0 for weight in remaining):
        for i, user in enumerate(users):
            if remaining[i] > 0:
                slots.append((user.pk, user.team_id))
                remaining[i] -= 1
    return slots


def _lag(rng: random.Random) -> int:
    """Days between the return and the opening of the case."""
    u = rng.random()
    if u < 0.55:
        return 0
    if u < 0.70:
        return 1
    return rng.randint(2, 7) if u < 0.90 else rng.randint(8, 30)


def skeleton(
    cases: int, seed: int, as_of: date, span_days: int, contexts: list[OrgContext], weights: Sequence[float]
) -> list[Slot]:
    """Return and opening dates, organisation, case number and case manager of every case.

    Return dates are in chronological order; case numbers follow the opening date within each organisation
    and year, as if each case had been opened through the services on that day.
    """
    rng = random.Random(seed)
    cum = list(itertools.accumulate(weights))
    offsets = sorted((rng.randrange(span_days) for _ in range(cases)), reverse=True)
    owners = [
        contexts[min(bisect(cum, rng.random() * cum[-1]) if len(contexts) > 1 else 0, len(contexts) - 1)]
        for _ in range(cases)
    ]
    lags = [_lag(rng) for _ in range(cases)]
    returns = [as_of - timedelta(days=offset) for offset in offsets]
    opened = [min(as_of, day + timedelta(days=lag)) for day, lag in zip(returns, lags, strict=True)]
    numbers = [""] * cases
    for i in sorted(range(cases), key=lambda i: (opened[i], i)):
        ctx, year = owners[i], opened[i].year
        ctx.sequences[year] = ctx.sequences.get(year, 0) + 1
        numbers[i] = f"{ctx.org.code.upper()}-{year}-{ctx.sequences[year]:05d}"
    slots = []
    for i, ctx in enumerate(owners):
        manager_id, team_id = ctx.cycle[ctx.position % len(ctx.cycle)]
        ctx.position += 1
        slots.append(Slot(i, ctx, returns[i], opened[i], numbers[i], manager_id, team_id))
    return slots


def reserve_case_numbers(contexts: Sequence[OrgContext]) -> None:
    """Move every organisation's sequence past the numbers the skeleton handed out, before writing any."""
    for ctx in contexts:
        for year, last in ctx.sequences.items():
            seq, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
                organisation=ctx.org, year=year
            )
            if seq.last_value < last:
                seq.last_value = last
                seq.save(update_fields=["last_value"])
