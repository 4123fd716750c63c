"""Who may read and change the employment records, and the fetch-and-authorise helpers of pages and the API.

- A jobseeker profile follows its case: read by whoever sees the case, changed (and its placements moved on)
  by whoever may change the case (EDIT_CASES, the holding organisation).
- Vacancies belong to a programme like the structural records: read with VIEW_STRUCTURAL in the programmes
  the user sees, created and changed with EDIT_STRUCTURAL in the programmes the user may edit; the employer
  is a private-sector stakeholder of that programme the user sees.
- Candidates (matches) name people: only users who see cases get them, and only for the cases they see.
- The skills-gap counts are aggregates: VIEW_AGGREGATES, k-suppressed where they count people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.cases import permissions as case_permissions
from reintegra.cases import scoping as case_scoping
from reintegra.employment import selectors
from reintegra.structural import selectors as structural_selectors

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.cases.models import Case
    from reintegra.employment.models import JobseekerProfile, Vacancy

CASE_READ = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)
VACANCY_READ = (Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL)


def require_profile_read(user: User, case: Case) -> None:
    permissions.require(user, *CASE_READ)
    if not case_scoping.can_see_case(user, case):
        raise permissions.denied()


def require_profile_write(user: User, case: Case) -> None:
    case_permissions.require_case_write(user, case)


def can_change_profile(user: User, case: Case) -> bool:
    return case_permissions.can_change_case(user, case)


def require_vacancy_read(user: User, vacancy: Vacancy) -> None:
    permissions.require(user, *VACANCY_READ)
    if vacancy.programme_id not in structural_selectors.visible_programme_ids(user):
        raise permissions.denied()


def can_edit_vacancy(user: User, vacancy: Vacancy) -> bool:
    return structural_selectors.can_edit_programme(user, vacancy.programme_id)


def require_vacancy_write(user: User, programme_id: int | None) -> None:
    permissions.require(user, Capability.EDIT_STRUCTURAL)
    if not structural_selectors.can_edit_programme(user, programme_id):
        raise permissions.denied()


def require_matches(user: User) -> None:
    """Candidates are people: only for users who see cases."""
    permissions.require(user, *CASE_READ)


def can_see_matches(user: User) -> bool:
    return permissions.has_any(user, *CASE_READ)


def require_aggregates(user: User) -> None:
    permissions.require(user, Capability.VIEW_AGGREGATES)


def access_case_by_id(user: User, case_id: Any, *, for_write: bool = False) -> Case:
    """The case (Case.DoesNotExist when hidden: 404); `for_write`: one the user may change (403)."""
    return case_permissions.access_case_by_id(user, case_id, for_write=for_write)


def access_profile_by_id(user: User, profile_id: Any, *, for_write: bool = False) -> JobseekerProfile:
    """The profile of a case the user sees (JobseekerProfile.DoesNotExist otherwise: 404)."""
    profile = selectors.get_profile(user, profile_id)
    if for_write:
        case_permissions.require_case_write(user, profile.case)
    return profile


def access_vacancy_by_id(user: User, vacancy_id: Any, *, for_write: bool = False) -> Vacancy:
    """A vacancy of a programme the user sees (Vacancy.DoesNotExist otherwise: 404); `for_write`: one they may
    change (403)."""
    permissions.require(user, *VACANCY_READ)
    vacancy = selectors.get_vacancy(user, vacancy_id)
    if for_write:
        require_vacancy_write(user, vacancy.programme_id)
    return vacancy
