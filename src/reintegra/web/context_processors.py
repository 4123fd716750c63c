from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reintegra.web import navigation


class _Once:
    """A value computed on first use in a template (Django calls callables when it resolves a variable),
    then reused. Unlike SimpleLazyObject the template gets the real value: a plain int, which plural
    formulas such as Spanish's `n % 1000000` need."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._done = False
        self._value: Any = None

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def navigation_sections(request: HttpRequest) -> dict[str, Any]:
    """The registered navigation entries the user may open, and their unread reminders (both lazy)."""
    user = getattr(request, "user", None)

    def unread() -> int:
        from reintegra.reminders.selectors import unread_count

        return unread_count(user)

    return {
        "nav_sections": SimpleLazyObject(lambda: navigation.items_for(user)),
        "unread_reminders": _Once(unread),
    }
