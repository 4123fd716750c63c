"""The printable leaflet of a municipality (PDF, WeasyPrint) for consulates and shelters: the same published
content as its portal page (public services with their contact points, programmes, reception points, guides'
titles), nothing about any person."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from reintegra.public.selectors import MunicipalityPage


def html(page: MunicipalityPage) -> str:
    return render_to_string("public/leaflet.html", {"page": page, "area": page.area, "today": timezone.localdate()})


def render(page: MunicipalityPage) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html(page)).write_pdf()  # type: ignore[no-any-return]
