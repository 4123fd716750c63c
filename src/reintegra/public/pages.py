"""What every page of the public portal shares: the language chosen by `?lang=` (or the browser's), and the
caching headers (`Cache-Control: public`, an ETag of the body, Last-Modified when the data says it) with
answers 304 to a conditional request. Public pages never read the signed-in user or the session."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

MAX_AGE = 300  # seconds a proxy may serve a page without asking again
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang", "")
    return chosen if chosen in LANGUAGES else (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def with_language(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        lang = language(request)
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
        response.headers.setdefault("Content-Language", lang)
        return response

    return wrapper


def cacheable(
    response: HttpResponseBase, request: HttpRequest, last_modified: datetime | None = None
) -> HttpResponseBase:
    """Public caching headers on a page or document any visitor gets alike; 304 when the client has it."""
    if response.status_code != 200:
        return response
    body = response.content if isinstance(response, HttpResponse) else b""
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    if "lang" not in request.GET:
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    conditional = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response if isinstance(response, HttpResponse) else None,
    )
    return conditional or response


def not_cached(response: HttpResponseBase) -> HttpResponseBase:
    """A form page (it carries a CSRF token and a one-time challenge): never stored by a proxy."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def lang_query(request: HttpRequest) -> str:
    lang = request.GET.get("lang", "")
    return f"?lang={lang}" if lang in LANGUAGES else ""
