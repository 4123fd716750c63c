"""Old English page paths (issue 18.14): the case pages moved to Spanish paths like every other page; a
bookmark or an e-mailed link to the old path is sent on with a permanent redirect that keeps the method."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

_OLD_SEGMENTS = {
    "cases": "casos",
    "new": "nuevo",
    "duplicates": "duplicados",
    "places": "lugares",
    "municipalities": "municipios",
    "assessments": "evaluaciones",
    "counselling": "consejeria",
    "follow-up": "seguimiento",
    "closure": "cierre",
    "timeline": "cronologia",
    "person": "persona",
    "return": "retorno",
    "household": "hogar",
    "edit": "editar",
    "assign": "asignar",
    "agree": "acordar",
    "close": "cerrar",
    "reopen": "reabrir",
}
_FEMININE_NEW = {"evaluaciones", "consejeria"}  # "nueva" after these
_OLD_ROOTS = ("/cases/", "/places/municipalities/")


def spanish_path(old: str) -> str:
    """The Spanish path of an old English one ("/cases/12/assessments/new/" → "/casos/12/evaluaciones/nueva/")."""
    parts = [_OLD_SEGMENTS.get(part, part) for part in old.split("/")]
    for i, part in enumerate(parts):
        if part == "nuevo" and i and parts[i - 1] in _FEMININE_NEW:
            parts[i] = "nueva"
    return "/".join(parts)


def redirect_from_old_path(request: HttpRequest) -> HttpResponse | None:
    """A 308 to the page's Spanish path when the request names an old path of a page that exists; else None."""
    if not request.path.startswith(_OLD_ROOTS):
        return None
    target = spanish_path(request.path)
    try:
        resolve(target)
    except Resolver404:
        return None
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
    response.status_code = 308  # unlike 301, keeps a POST a POST
    return response
