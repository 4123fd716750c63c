from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reintegra.web import navigation


def navigation_sections(request: HttpRequest) -> dict[str, Any]:
    """The registered navigation entries the user may open, with their badges (computed when shown)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return {"nav_sections": SimpleLazyObject(lambda: navigation.items_for(user, session))}
