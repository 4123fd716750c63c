"""Pages of the service directory under /derivaciones/directorio/: providers and their services, the
import, and the links between directory entries and organisations on the platform."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import exports, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.referrals import directory_io, forms, links, selectors, services
from reintegra.referrals import permissions as referral_permissions
from reintegra.referrals.models import ProviderLink, Service, ServiceProvider
from reintegra.referrals.pages import PAGE_SIZE
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of


def _directory_filters(form: forms.DirectoryFilterForm) -> selectors.DirectoryFilters:
    data = form.cleaned_data if form.is_valid() else {}
    area = data.get("area")
    return selectors.DirectoryFilters(
        q=data.get("q", ""),
        dimension=data.get("dimension", ""),
        sector=data.get("sector", ""),
        country=data.get("country", ""),
        area=area.pk if area else None,
        age=data.get("age"),
    )


@login_required
@require_GET
def directory(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    form = forms.DirectoryFilterForm(request.GET or None)
    filters = _directory_filters(form)
    export = request.GET.get("format")
    if export in exports.FORMATS:
        return exports.download(
            request.user,
            export,
            "service-directory",
            directory_io.export_columns(),
            directory_io.export_rows(selectors.directory_services(filters, with_contacts=True)),
            purpose="service directory",
            object_type="referrals.service",
            sheet_title="directorio",
            codes=exports.codes_requested(request),
        )
    page = page_of(request, selectors.directory_services(filters), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/directory.html",
        {
            "nav": "service_directory",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": referral_permissions.can_manage_directory(request.user),
            "pending_links": links.pending_count(request.user),
        },
    )


@login_required
@require_GET
def provider_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    provider = _get_provider(request, pk)
    return render(
        request,
        "referrals/provider_detail.html",
        {
            "nav": "service_directory",
            "provider": provider,
            "services": selectors.provider_services(provider),
            "contacts": selectors.provider_contacts(provider),
            "can_manage": links.can_edit_provider(request.user, provider),
            "pending_link": links.pending_request(provider),
        },
    )


def _get_provider(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> ServiceProvider:
    """The directory entry (404 when there is none); `for_write`: 403 unless the user's organisation owns it."""
    try:
        return referral_permissions.access_provider_by_id(request.user, pk, for_write=for_write)
    except ServiceProvider.DoesNotExist:
        raise Http404(_("Provider not found.")) from None


_PROVIDER_FIELDS = ("name", "organisation_type", "languages", "address", "phone", "email", "website", "is_active")


_CONTACT_FIELDS = ("name", "position", "phone", "email", "availability")


def _provider_initial(provider: ServiceProvider) -> dict[str, Any]:
    initial = {name: getattr(provider, name) for name in _PROVIDER_FIELDS}
    initial["country"] = str(provider.country)
    # The organisation asked for while a request waits, so that saving the form keeps the request.
    pending = links.pending_request(provider)
    initial["organisation"] = pending.organisation_id if pending else provider.organisation_id
    return initial


def _contact_rows(provider: ServiceProvider) -> list[dict[str, Any]]:
    return [{name: getattr(c, name) for name in _CONTACT_FIELDS} for c in selectors.provider_contacts(provider)]


def _provider_conflict(exc: StaleVersion, form: Any, formset: Any) -> versioning.Conflict:
    current = exc.current
    assert isinstance(current, ServiceProvider)
    contacts = versioning.list_difference(
        _("Contact persons"),
        versioning.row_lines(formset.empty_form, _contact_rows(current), _CONTACT_FIELDS),
        versioning.row_lines(formset.empty_form, forms.contacts_of(formset), _CONTACT_FIELDS),
    )
    return versioning.conflict(exc, [(form, _provider_initial(current))], [contacts])


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A provider of the directory and its contact persons (new, or `pk` edited)."""
    referral_permissions.require_directory_manager(request.user)
    provider = _get_provider(request, pk, for_write=True) if pk is not None else None
    initial: dict[str, Any] = {"is_active": True}
    contacts: list[dict[str, Any]] = []
    if provider is not None:
        initial = _provider_initial(provider)
        contacts = _contact_rows(provider)
    elif request.user.organisation is not None:
        initial["country"] = str(request.user.organisation.country)
    post = request.POST if request.method == "POST" else None
    form = forms.ProviderForm(post, initial=initial)
    # Posted rows are not compared with stored ones that may have changed since the page was rendered.
    formset = forms.ContactFormSet(post, initial=contacts if post is None else [], prefix="contacts")
    record_version = versioning.posted_version(post) if post is not None else versioning.version_of(provider)
    conflict = None
    if post is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_provider(
                request.user,
                form.to_input(forms.contacts_of(formset)),
                provider=provider,
                expected_version=record_version,
            )
        except StaleVersion as exc:
            conflict, record_version = _provider_conflict(exc, form, formset), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form, rows={"contacts": forms.contact_forms(formset)})
        else:
            messages.success(request, _("Provider saved: %(name)s.") % {"name": saved.name})
            pending = links.pending_request(saved)
            if pending is not None:
                messages.info(
                    request,
                    _(
                        "%(organisation)s must accept the link before referrals reach its portal; until then the "
                        "provider receives nothing through Reintegra."
                    )
                    % {"organisation": pending.organisation.name},
                )
            return redirect("referrals:provider", pk=saved.pk)
    return render(
        request,
        "referrals/provider_form.html",
        {
            "nav": "service_directory",
            "form": form,
            "formset": formset,
            "provider": provider,
            "record_version": record_version,
            "conflict": conflict,
            "has_errors": post is not None
            and (bool(form.errors) or bool(formset.total_error_count()) or conflict is not None),
        },
        status=400 if post is not None else 200,
    )


def _service_initial(service: Service) -> dict[str, Any]:
    current = services.ServiceInput.of(service)
    initial: dict[str, Any] = {f.name: getattr(current, f.name) for f in fields(current) if f.name != "provider"}
    initial["areas"] = [area.pk for area in current.areas]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, provider_pk: int | None = None
) -> HttpResponse:
    """A service of a provider: new (`provider_pk`) or edited (`pk`)."""
    referral_permissions.require_directory_manager(request.user)
    service = None
    if pk is not None:
        try:
            service = referral_permissions.access_service_by_id(request.user, pk, for_write=True)
        except Service.DoesNotExist:
            raise Http404(_("Service not found.")) from None
        provider = service.provider
    else:
        provider = _get_provider(request, provider_pk, for_write=True)
    if service is not None:
        initial = _service_initial(service)
    else:
        initial = {"country": str(provider.country), "is_active": True, "target_response_days": 14}
    post = request.POST if request.method == "POST" else None
    form = forms.ServiceForm(post, initial=initial, country=initial["country"])
    record_version = versioning.posted_version(post) if post is not None else versioning.version_of(service)
    conflict = None
    if post is not None and form.is_valid():
        try:
            saved = services.save_service(
                request.user,
                form.to_input(provider),
                service=service,
                expected_version=record_version,
            )
        except StaleVersion as exc:
            assert isinstance(exc.current, Service)
            conflict = versioning.conflict(exc, [(form, _service_initial(exc.current))])
            record_version = exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Service saved: %(name)s.") % {"name": saved.name})
            return redirect("referrals:provider", pk=provider.pk)
    return render(
        request,
        "referrals/service_form.html",
        {
            "nav": "service_directory",
            "form": form,
            "provider": provider,
            "service": service,
            "record_version": record_version,
            "conflict": conflict,
            "has_errors": post is not None and (bool(form.errors) or conflict is not None),
        },
        status=400 if post is not None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def directory_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.MANAGE_SERVICE_DIRECTORY)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = directory_io.read_upload(upload.name, upload)
            report = directory_io.import_directory(request.user, rows)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            if not report.errors:
                messages.success(
                    request,
                    _(
                        "Directory imported: %(providers)s new providers, %(created)s new and %(updated)s updated "
                        "services."
                    )
                    % {
                        "providers": report.providers_created,
                        "created": report.services_created,
                        "updated": report.services_updated,
                    },
                )
                return redirect("referrals:directory")
    return render(
        request,
        "referrals/directory_import.html",
        {"nav": "service_directory", "form": form, "report": report, "columns": directory_io.COLUMNS},
        status=400 if form.is_bound and (form.errors or (report and report.errors)) else 200,
    )


# --- links between directory entries and organisations on the platform ----------------------------


LINK_ANSWERS = ("accept", "refuse")


@login_required
@require_GET
def link_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests to link a directory entry to the user's organisation, and those made for its entries."""
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    qs = links.requests_for(request.user)
    return render(
        request,
        "referrals/link_requests.html",
        {
            "nav": "service_directory",
            "page": page_of(request, qs, PAGE_SIZE),
            "can_answer": links.can_answer_links(request.user),
            "organisation_id": request.user.organisation_id,
        },
    )


@login_required
@require_POST
def link_answer(request: AuthenticatedHttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in LINK_ANSWERS:
        raise Http404(_("Unknown step."))
    if not links.can_answer_links(request.user):
        raise permissions.denied()
    try:
        link = links.request_to_answer(request.user, pk)
    except ProviderLink.DoesNotExist:
        raise Http404(_("Request not found.")) from None
    try:
        links.answer_link(request.user, link, accept=answer == "accept")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if answer == "accept":
            message = _("%(provider)s is now linked to your organisation: referrals sent to it reach your portal.")
        else:
            message = _("Link to %(provider)s refused.")
        messages.success(request, message % {"provider": link.provider.name})
    return redirect("referrals:links")
