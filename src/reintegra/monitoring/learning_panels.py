"""The "lessons from similar programmes" panel, for any page about a programme.

A page shows it with its context and the include:

    context.update(learning_panels.similar_lessons_context(request.user, programme))
    {% include "monitoring/includes/similar_lessons.html" %}

The programme's evaluations and lessons page shows it, and so do the results framework's pages (its creation,
the framework itself, the theory of change's form): the programme manager sees what other programmes learned
while planning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.monitoring import evaluation_selectors

if TYPE_CHECKING:
    from reintegra.access.models import Programme, User


def similar_lessons_context(user: User, programme: Programme, limit: int = 6) -> dict[str, Any]:
    like = evaluation_selectors.similarity_of(programme)
    return {
        "similar_lessons": evaluation_selectors.similar_lessons(user, programme, limit),
        "similar_to": programme,
        "similar_by": like,
    }
