"""The employment section of the printable case file (`cases.extensions.register_case_file_section`): the
jobseeker profile and the placements with their retention checks, as the case's "Employment" tab shows them to
whoever reads the case (`permissions.require_profile_read`); left out when the case has no profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions as access_permissions
from reintegra.cases import scoping as case_scoping
from reintegra.employment import cv, permissions, selectors

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.cases.models import Case


def section(user: User, case: Case) -> dict[str, Any] | None:
    if not access_permissions.has_any(user, *permissions.CASE_READ) or not case_scoping.can_see_case(user, case):
        return None
    profile = selectors.profile_of(case)
    if profile is None:
        return None
    return {
        "profile": profile,
        "shown": cv.present_profile(profile),
        "placements": list(selectors.placements_of(profile)),
    }
