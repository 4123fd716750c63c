"""What is fixed before any case is generated: each case's return and opening dates, organisation, case
number and case manager, drawn from one `random.Random(seed)`. Case i is then generated from its own
stream, so the same seed, day and organisations give the same cases whatever the chunking."""

from __future__ import annotations

import itertools
import random
from array import array
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

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


class Skeleton(Sequence[Slot]):
    """The slots of every case, kept as arrays of small integers (about 20 bytes a case instead of a few hundred
    as `Slot` objects): a million cases fit in a few tens of megabytes, in the writer and in every worker it
    forks. A slot (or a slice of them) is built when asked for."""

    def __init__(self, contexts: list[OrgContext]) -> None:
        self.contexts = contexts
        self.returns = array("i")  # date ordinals
        self.opened = array("i")
        self.owners = array("B")  # index into contexts
        self.numbers = array("i")  # the case number's sequence within its organisation and opening year
        self.managers = array("i")  # index into the owner's cycle

    def __len__(self) -> int:
        return len(self.returns)

    @overload
    def __getitem__(self, i: int) -> Slot: ...

    @overload
    def __getitem__(self, i: slice) -> list[Slot]: ...

    def __getitem__(self, i: int | slice) -> Slot | list[Slot]:
        if isinstance(i, slice):
            return [self._slot(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._slot(i)

    def _slot(self, i: int) -> Slot:
        ctx = self.contexts[self.owners[i]]
        opened = date.fromordinal(self.opened[i])
        manager_id, team_id = ctx.cycle[self.managers[i]]
        number = f"{ctx.org.code.upper()}-{opened.year}-{self.numbers[i]:05d}"
        return Slot(i, ctx, date.fromordinal(self.returns[i]), opened, number, manager_id, team_id)


def skeleton(
    cases: int, seed: int, as_of: date, span_days: int, contexts: list[OrgContext], weights: Sequence[float]
) -> Skeleton:
    """Return and opening dates, organisation, case number and case manager of every case.

    Return dates are in chronological order; case numbers follow the opening date within each organisation
    and year, as if each case had been opened through the services on that day.
    """
    if len(contexts) > 255:
        raise ValueError("At most 255 organisations can be seeded at once.")
    rng = random.Random(seed)
    cum = list(itertools.accumulate(weights))
    found = Skeleton(contexts)
    last = as_of.toordinal()
    found.returns.extend(
        last - offset for offset in sorted((rng.randrange(span_days) for _ in range(cases)), reverse=True)
    )
    found.owners.extend(
        min(bisect(cum, rng.random() * cum[-1]) if len(contexts) > 1 else 0, len(contexts) - 1) for _ in range(cases)
    )
    found.opened.extend(min(last, day + _lag(rng)) for day in found.returns)
    found.numbers.extend(itertools.repeat(0, cases))
    opened = found.opened
    for i in sorted(range(cases), key=lambda i: opened[i] * cases + i):  # by opening day, then by index
        ctx, year = contexts[found.owners[i]], date.fromordinal(opened[i]).year
        ctx.sequences[year] = ctx.sequences.get(year, 0) + 1
        found.numbers[i] = ctx.sequences[year]
    for owner in found.owners:
        ctx = contexts[owner]
        found.managers.append(ctx.position % len(ctx.cycle))
        ctx.position += 1
    return found


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
