"""Who handles what on the staff side, and the fetch-and-authorise helpers of pages and the API.

- Feedback: holders of HANDLE_FEEDBACK of the programme's organisation; a sensitive item only the feedback
  focal point (HANDLE_SENSITIVE_FEEDBACK): for anyone else it does not exist (404), even a supervisor.
- Information requests, guides and a programme's public settings: PUBLISH_INFORMATION, own organisation.

Role first (403 before any lookup), then the object (hidden → DoesNotExist → 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reintegra.access import permissions
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.public import selectors
from reintegra.public.models import Feedback, Guide, InformationRequest

if TYPE_CHECKING:
    from reintegra.access.models import User

FEEDBACK = (Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK)
PUBLISH = Capability.PUBLISH_INFORMATION


def access_feedback_by_id(user: User, pk: int) -> Feedback:
    permissions.require(user, *FEEDBACK)
    return selectors.get_feedback(user, pk)


def access_request_by_id(user: User, pk: int) -> InformationRequest:
    permissions.require(user, PUBLISH)
    return selectors.requests_for(user).get(pk=pk)


def access_guide_by_id(user: User, pk: int) -> Guide:
    permissions.require(user, PUBLISH)
    return selectors.guides_for(user).get(pk=pk)


def access_programme_by_id(user: User, pk: int) -> Programme:
    permissions.require(user, PUBLISH)
    return selectors.programmes_for(user).get(pk=pk)
