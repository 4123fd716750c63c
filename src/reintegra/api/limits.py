"""Request body limits, for the API and the site alike.

A body larger than its limit answers 413 before anything reads it (JSON under /api/, the 413 page
elsewhere). Multipart bodies (file uploads) may be up to `REINTEGRA_MAX_UPLOAD_BYTES` (default 12 MB,
above the 10 MB each import reads); any other body up to `REINTEGRA_MAX_BODY_BYTES` (default 2 MB). Django's own limits
(DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES) still apply and answer 413/400 through
`reintegra.api.error_pages` and `reintegra.api.exceptions`. What an import does with the rows of a file
that passed is the import's own business (row, column and cell caps).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reintegra.api.error_pages import too_large

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 12 * 1024 * 1024


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted for this request, in bytes."""
    if request.content_type == "multipart/form-data":
        return int(getattr(settings, "REINTEGRA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))
    return int(getattr(settings, "REINTEGRA_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def declared_length(request: HttpRequest) -> int:
    """The Content-Length the client declared (0 when absent or not a number, as Django reads it)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Placed after LocaleMiddleware (the answer is translated) and before anything that reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        if declared_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)
