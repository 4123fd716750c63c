"""The duplicate check as users meet it: one rule for the registration form, the API and the check itself.

`selectors.duplicate_candidates` scores the organisation's whole register; this module decides what a
user is shown of that result, limits how often they may ask, records each check in the access trail,
and holds the registration rule (`require_confirmation`, called by `services.register_returnee`):

- a candidate the user may see (`scoping.returnee_visibility`) is shown with what recognising the person
  needs (names, birth date, the numbers of the cases the user may open);
- a possible match the user may not see is reported only as "a possible match exists in your
  organisation: ask your supervisor", without name, birth date, case number, id or score (how many, or
  how likely, is not said either);
- a user may run REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE checks a minute (default 30): the check answers
  names to guesses, so unlimited checks would let anyone with the right to register enumerate the
  register. The count is read from the access trail, so every process and server shares it;
- registering a person with a likely duplicate needs the user's confirmation that it is a different
  person, naming the candidates they were shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import audit
from reintegra.access.models import AccessEvent
from reintegra.cases import matching, scoping, selectors
from reintegra.cases.models import Returnee

if TYPE_CHECKING:
    from reintegra.access.models import User

# At or above this score a registration waits for an explicit "this is a different person".
STRONG = 0.8
DEFAULT_CHECKS_PER_MINUTE = 30
# What the access trail records of a check: no name, no number, no candidate.
PURPOSE = "duplicate check"
_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class DuplicateQuery:
    """What was typed: names, birth date or age, document numbers (never stored, logged or put in a URL)."""

    given_names: str = ""
    first_family_name: str = ""
    second_family_name: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None
    document_numbers: tuple[str, ...] = ()

    def person(self) -> matching.PersonRecord:
        birth_year = None
        if self.birth_date is None and self.estimated_age is not None:
            birth_year = timezone.localdate().year - self.estimated_age
        return matching.PersonRecord(
            id=0,
            given_names=matching.clean_name(self.given_names),
            first_family_name=matching.clean_name(self.first_family_name),
            second_family_name=matching.clean_name(self.second_family_name),
            birth_date=self.birth_date,
            birth_year=birth_year,
        )

    def is_searchable(self) -> bool:
        person = self.person()
        return bool(person.given_names and person.first_family_name) or any(n.strip() for n in self.document_numbers)


@dataclass(frozen=True)
class ShownCandidate:
    """A candidate the user may see, with what recognising the person needs."""

    returnee: Returnee
    score: float
    reasons: tuple[str, ...]
    cases: list[tuple[str, int]]  # (case number, case id) of the cases the user may open

    @property
    def strong(self) -> bool:
        return self.score >= STRONG


@dataclass(frozen=True)
class DuplicateResult:
    candidates: list[ShownCandidate] = field(default_factory=list)
    # A possible match exists that the user may not see: say so, and nothing else about it.
    out_of_scope_match: bool = False
    # ... and it is a likely one (a registration then needs the user's confirmation).
    out_of_scope_strong: bool = False

    @property
    def needs_confirmation(self) -> bool:
        return self.out_of_scope_strong or any(c.strong for c in self.candidates)

    @property
    def strong_ids(self) -> frozenset[int]:
        return frozenset(c.returnee.pk for c in self.candidates if c.strong)


def out_of_scope_message() -> str:
    return _("A possible match exists in your organisation that you may not see: ask your supervisor.")


class DuplicateCheckThrottled(Exception):
    """Too many checks in the last minute; `wait` seconds until the next one is allowed."""

    def __init__(self, wait: int) -> None:
        super().__init__(self.message())
        self.wait = wait

    @staticmethod
    def message() -> str:
        return _("Too many duplicate checks in the last minute. Wait a moment and try again.")


class PossibleDuplicate(Exception):
    """A registration refused until the user confirms the person is not one of these candidates."""

    def __init__(self, result: DuplicateResult) -> None:
        super().__init__(self.message())
        self.result = result

    @staticmethod
    def message() -> str:
        return _(
            "This person may already be registered. Check the possible duplicates, then confirm that it is a "
            "different person."
        )


@dataclass(frozen=True)
class DistinctPersonConfirmation:
    """The user says the person being registered is none of the candidates they were shown (`seen`, ids).

    A likely duplicate they were not shown (registered meanwhile) still stops the registration. `seen=None`
    is the caller vouching for every candidate: imports and test factories, where nobody is asked.
    """

    seen: frozenset[int] | None = frozenset()


def checks_per_minute() -> int:
    return int(getattr(settings, "REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE", DEFAULT_CHECKS_PER_MINUTE))


def _ensure_not_throttled(user: User) -> None:
    now = timezone.now()
    recent = list(
        AccessEvent.objects.filter(
            # Only duplicate checks are searches of the returnee register (the purpose is encrypted).
            user_id=user.pk,
            action=AccessEvent.Action.SEARCH,
            object_type="cases.returnee",
            at__gt=now - _WINDOW,
        )
        .order_by("-at")
        .values_list("at", flat=True)[: checks_per_minute()]
    )
    if len(recent) >= checks_per_minute():
        oldest = recent[-1]
        raise DuplicateCheckThrottled(max(1, int((oldest + _WINDOW - now).total_seconds()) + 1))


def find(user: User, query: DuplicateQuery) -> DuplicateResult:
    """Score the register and keep what the user may see. Neither throttled nor recorded: use `check`."""
    if not query.is_searchable():
        return DuplicateResult()
    found = selectors.duplicate_candidates(user, query.person(), [n for n in query.document_numbers if n.strip()])
    if not found:
        return DuplicateResult()
    ids = [c.returnee.pk for c in found]
    visible = scoping.visible_returnee_ids(user, ids)
    openable: dict[int, list[tuple[str, int]]] = {}
    for pk, number, returnee_id in (
        selectors.cases_for(user)
        .filter(returnee_id__in=ids)
        .order_by("-opened_on", "-pk")
        .values_list("pk", "case_number", "returnee_id")
    ):
        openable.setdefault(returnee_id, []).append((number, pk))
    shown = [
        ShownCandidate(c.returnee, c.match.score, c.match.reasons, openable.get(c.returnee.pk, []))
        for c in found
        if c.returnee.pk in visible
    ]
    hidden = [c.match.score for c in found if c.returnee.pk not in visible]
    return DuplicateResult(
        candidates=shown, out_of_scope_match=bool(hidden), out_of_scope_strong=any(s >= STRONG for s in hidden)
    )


def _record(user: User, channel: str) -> None:
    audit.record_access(user, "search", object_type="cases.returnee", purpose=PURPOSE, channel=channel)


def check(user: User, query: DuplicateQuery, *, channel: str = "web") -> DuplicateResult:
    """The duplicate check a user asks for: rate-limited, recorded in the access trail (without what was
    typed or found), out-of-scope matches only as a flag. Raises DuplicateCheckThrottled."""
    _ensure_not_throttled(user)
    _record(user, channel)
    return find(user, query)


def require_confirmation(
    user: User, query: DuplicateQuery, confirmation: DistinctPersonConfirmation | None, *, channel: str
) -> None:
    """The registration rule: a likely duplicate stops a registration unless the user confirmed, having
    seen every likely candidate they may see, that this is a different person. Raises PossibleDuplicate
    (a refusal shows candidates, so it counts as a check: throttled and recorded)."""
    seen = confirmation.seen if confirmation is not None else frozenset()
    if seen is None:
        return
    result = find(user, query)
    if not result.needs_confirmation:
        return
    if confirmation is not None and result.strong_ids <= seen:
        return
    _ensure_not_throttled(user)
    _record(user, channel)
    raise PossibleDuplicate(result)
