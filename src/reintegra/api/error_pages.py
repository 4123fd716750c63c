"""Django's error handlers (`handler400/403/404/500` in `reintegra.urls`) and the 413 answer.

Under `/api/` every error is JSON `{"detail": …, "code": …}` like the API's own errors (an unknown path is
`{"detail": "Not found.", "code": "not_found"}`, not the site's HTML page); elsewhere the site's
translated pages. Nothing here prints a setting, a traceback or the request.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views import defaults

from reintegra.access import permissions
from reintegra.web.legacy_paths import redirect_from_old_path

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(detail: str, code: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)


def _standalone_page(template_name: str, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    # Rendered without the request: the request may be what is broken (bad host, unreadable body).
    return HttpResponse(loader.get_template(template_name).render(context or {}), status=status)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: the body is larger than `limit` bytes (JSON under /api/, the 413 page elsewhere)."""
    if is_api(request):
        return api_error(
            _("The request is too large: it may be up to %(limit)s.") % {"limit": filesizeformat(limit)},
            "request_too_large",
            413,
            limit_bytes=limit,
        )
    return _standalone_page("413.html", 413, {"limit": limit})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if is_api(request):
        if isinstance(exception, TooManyFieldsSent):
            return api_error(_("The request has too many fields."), "too_many_fields", 400)
        if isinstance(exception, TooManyFilesSent):
            return api_error(_("The request has too many files."), "too_many_files", 400)
        return api_error(_("The request could not be understood."), "bad_request", 400)
    return _standalone_page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(str(permissions.DENIED_MESSAGE), "permission_denied", 403)
    return defaults.permission_denied(request, exception or Exception())


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(_("Not found."), "not_found", 404)
    moved = redirect_from_old_path(request)
    if moved is not None:
        return moved
    return defaults.page_not_found(request, exception or Exception())


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error(_("A server error occurred."), "server_error", 500)
    return _standalone_page("500.html", 500)


class RefusedInputMiddleware:
    """A service's refusal that reached no form (a page whose view does not expect that refusal: a text over
    its limit posted by a script past the input's maxlength, `access.text_limits`) answers the 400 page with
    the service's messages instead of a server error. The API answers it itself (`api.exceptions`)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ValidationError) or is_api(request):
            return None
        return _standalone_page("400.html", 400, {"problems": exception.messages})
