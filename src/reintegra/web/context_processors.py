from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reintegra.web import navigation


def navigation_sections(request: HttpRequest) -> dict[str, Any]:
    """The registered navigation entries the user may open, and their unread reminders (both lazy)."""
    user = getattr(request, "user", None)

    def unread() -> int:
        from reintegra.reminders.selectors import unread_count

        return unread_count(user)

    return {
        "nav_sections": SimpleLazyObject(lambda: navigation.items_for(user)),
        "unread_reminders": SimpleLazyObject(unread),
    }
