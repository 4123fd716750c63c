"""Content negotiation of the endpoints that answer a file (a PDF): the file itself is a plain HttpResponse
that no renderer touches, so a client asking `Accept: application/pdf` must not get 406; an error is still
answered in JSON, as everywhere else in the API."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class FileDownloadNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            renderer = renderers[0]
            return renderer, renderer.media_type
