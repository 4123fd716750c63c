"""The public information portal under /info/ (no login): search a municipality, its page (public services,
programmes and who is eligible, reception points, identity documents, practical guides, published answers),
a guide, the leaflet (PDF), and the forms to ask a question, give feedback and follow it with a tracking code.

Nothing here reads the signed-in user, the session or a person's record: only what `selectors.public_*`
publish. Pages carry public caching headers (`pages.cacheable`), forms are never cached."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access.throttle import client_ip
from reintegra.places.models import AdminArea
from reintegra.public import forms, leaflet, selectors, services
from reintegra.public.models import Feedback, Guide
from reintegra.public.pages import cacheable, lang_query, not_cached, with_language
from reintegra.web.forms import apply_service_errors


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    return {
        "lang": getattr(request, "LANGUAGE_CODE", "es"),
        "lang_query": lang_query(request),
        "today": timezone.localdate(),
        **values,
    }


def _municipality(pk: int) -> AdminArea:
    try:
        return selectors.get_municipality(pk)
    except AdminArea.DoesNotExist:
        raise Http404 from None


@require_GET
@with_language
def home(request: HttpRequest) -> HttpResponseBase:
    form = forms.SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.search_municipalities(query) if query else []
    context = _context(
        request,
        form=form,
        query=query,
        results=results,
        programmes=selectors.public_programmes(),
        guides_last=selectors.guides_last_modified(),
    )
    return cacheable(render(request, "public/home.html", context), request)


@require_GET
@with_language
def municipality(request: HttpRequest, pk: int) -> HttpResponseBase:
    area = _municipality(pk)
    page = selectors.municipality_page(area, getattr(request, "LANGUAGE_CODE", "es"))
    response = render(request, "public/municipality.html", _context(request, page=page, area=area))
    return cacheable(response, request, page.last_modified)


@require_GET
@with_language
def guide(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        found = selectors.public_guide(pk)
    except Guide.DoesNotExist:
        raise Http404 from None
    paragraphs = [p.strip() for p in found.body.split("\n\n") if p.strip()]
    response = render(request, "public/guide.html", _context(request, guide=found, paragraphs=paragraphs))
    return cacheable(response, request, found.updated_at)


@require_GET
@with_language
def leaflet_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    area = _municipality(pk)
    page = selectors.municipality_page(area, getattr(request, "LANGUAGE_CODE", "es"))
    response = HttpResponse(leaflet.render(page), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reintegra-{area.pk}.pdf"'
    return cacheable(response, request, page.last_modified)


def _initial_municipality(request: HttpRequest) -> dict[str, Any]:
    value = request.GET.get("municipio", "")
    return {"municipality": value} if value.isdigit() else {}


@require_http_methods(["GET", "POST"])
@with_language
def ask(request: HttpRequest) -> HttpResponseBase:
    form = forms.InformationRequestForm(request.POST or None, initial=_initial_municipality(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.submit_information_request(form.submission(client_ip(request)), form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            url = reverse("public:sent", args=["pregunta", made.tracking_code])
            return redirect(url + lang_query(request))
    context = _context(request, form=form, has_errors=form.is_bound and bool(form.errors))
    return not_cached(render(request, "public/ask.html", context))


@require_http_methods(["GET", "POST"])
@with_language
def feedback(request: HttpRequest) -> HttpResponseBase:
    form = forms.PublicFeedbackForm(request.POST or None, initial=_initial_municipality(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.submit_feedback(form.submission(client_ip(request)), form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            url = reverse("public:sent", args=["opinion", made.tracking_code])
            return redirect(url + lang_query(request))
    context = _context(request, form=form, has_errors=form.is_bound and bool(form.errors))
    return not_cached(render(request, "public/feedback.html", context))


@require_GET
@with_language
def sent(request: HttpRequest, what: str, code: str) -> HttpResponseBase:
    if what not in ("pregunta", "opinion"):
        raise Http404
    context = _context(request, what=what, code=code)
    return not_cached(render(request, "public/sent.html", context))


@require_GET
@with_language
def follow(request: HttpRequest) -> HttpResponseBase:
    form = forms.TrackingForm(request.GET or None)
    status = None
    if form.is_valid():
        try:
            status = selectors.tracking_status(form.cleaned_data["code"])
        except Feedback.DoesNotExist:
            form.add_error("code", _("Nothing has this tracking code. Check it and try again."))
    context = _context(request, form=form, status=status)
    return not_cached(render(request, "public/follow.html", context))
