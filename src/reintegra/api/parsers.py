"""The API's JSON parser: DRF's, plus a nesting limit.

Python's json module recurses once per nesting level, so `[[[[…]]]]` a few thousand levels deep raised
RecursionError: a 500, even on the unauthenticated token endpoint. Here any body nested deeper than
`settings.REINTEGRA_MAX_JSON_DEPTH` (default 32) is a 400 `parse_error`; no Reintegra payload needs more
than a handful of levels.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

DEFAULT_MAX_DEPTH = 32


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), counting no further than limit + 1."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


class JSONParser(DRFJSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = getattr(settings, "REINTEGRA_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise self._too_deep(limit) from None
        if nesting_depth(data, limit) > limit:
            raise self._too_deep(limit)
        return data

    @staticmethod
    def _too_deep(limit: int) -> ParseError:
        return ParseError(
            _("The request body is nested too deeply (more than %(limit)d levels).") % {"limit": limit},
            code="parse_error",
        )
