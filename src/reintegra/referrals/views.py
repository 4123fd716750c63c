"""Pages of the referral network under /derivaciones/ (thin: forms parse, selectors read, services write).

The receiving side (a provider's portal) renders a referral through `catalogue.provider_payload` only.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, exports, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.api.fields import parse_id
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.places.models import AdminArea
from reintegra.referrals import catalogue, directory_io, forms, lifecycle, links, reports, selectors, services
from reintegra.referrals.choices import Dimension, ReferralStatus, ServiceSector, SlaState
from reintegra.referrals.models import ProviderLink, Referral, ReferralPathway, Service, ServiceProvider
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of

PAGE_SIZE = 25


def _require(user: Any, *capabilities: Capability) -> None:
    if not any(user.has_capability(c) for c in capabilities):
        raise PermissionDenied(_("You do not have permission to do this."))


def _sla_label(state: str) -> str:
    return str(SlaState(state).label) if state in SlaState.values else ""


def _rows(referrals: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for r in referrals:
        state = selectors.sla_of(r, now)
        rows.append({"referral": r, "sla": state, "sla_label": _sla_label(state)})
    return rows


# --- referrals -----------------------------------------------------------------------------------


@login_required
@require_GET
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Capability.EDIT_CASES, Capability.VIEW_ASSIGNED_CASES, Capability.RECEIVE_REFERRALS)
    form = forms.ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ReferralFilters(
        status=data.get("status", ""), priority=data.get("priority", ""), overdue=bool(data.get("overdue"))
    )
    qs = selectors.search_referrals(request.user, filters).select_related("case", "provider", "service")
    page = page_of(request, qs, PAGE_SIZE)
    portal = request.user.has_capability(Capability.RECEIVE_REFERRALS) and not request.user.has_capability(
        Capability.VIEW_ASSIGNED_CASES
    )
    return render(
        request,
        "referrals/referral_list.html",
        {"nav": "referrals", "form": form, "page": page, "rows": _rows(page.object_list), "portal": portal},
    )


def _get_referral(request: AuthenticatedHttpRequest, pk: Any) -> tuple[Referral, str]:
    try:
        return selectors.get_referral(request.user, pk)
    except Referral.DoesNotExist:
        raise Http404(_("Referral not found.")) from None


def _detail_context(request: AuthenticatedHttpRequest, referral: Referral, side: str) -> dict[str, Any]:
    on_platform = referral.on_platform
    actions = lifecycle.allowed_actions(referral.status, side, provider_on_platform=on_platform)
    if side == lifecycle.REFERRER and not (
        scoping.can_edit_cases(request.user) and referral.referring_organisation_id == request.user.organisation_id
    ):
        actions = []
    if side == lifecycle.PROVIDER and not request.user.has_capability(Capability.RECEIVE_REFERRALS):
        actions = []
    state = selectors.sla_of(referral)
    return {
        "nav": "referrals",
        "referral": referral,
        "side": side,
        "portal": side == lifecycle.PROVIDER,
        "payload": catalogue.provider_payload(referral) if side == lifecycle.PROVIDER else None,
        "shared_fields": [catalogue.FIELDS[c] for c in catalogue.FIELDS if c in set(referral.pathway.fields)],
        "sla": state,
        "sla_label": _sla_label(state),
        "actions": actions,
        "action_forms": {name: forms.ACTION_FORMS[name](prefix=name) for name in actions},
        "changes": [(c.at, ReferralStatus(c.to_status).label) for c in referral.changes.all()],
    }


@login_required
@require_GET
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral, side = _get_referral(request, pk)
    audit.record_access(
        request.user, "view", referral, purpose="referral: " + ("provider portal" if side == "provider" else "case")
    )
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral, side))


@login_required
@require_POST
def referral_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in forms.ACTION_FORMS:
        raise Http404(_("Unknown step."))
    _require(request.user, Capability.EDIT_CASES, Capability.RECEIVE_REFERRALS)
    referral, side = _get_referral(request, pk)
    form = forms.ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "send":
                services.send_referral(
                    request.user, referral, life_at_risk_justification=data.get("life_at_risk_justification", "")
                )
            elif action == "accept":
                services.accept_referral(
                    request.user, referral, outcome_due_on=data.get("outcome_due_on"), note=data.get("note", "")
                )
            elif action == "decline":
                services.decline_referral(
                    request.user, referral, reason=data["decline_reason"], note=data.get("note", "")
                )
            elif action == "outcome":
                services.record_outcome(request.user, referral, outcome=data["outcome"], note=data.get("note", ""))
            else:
                services.close_referral(
                    request.user, referral, satisfaction=data.get("satisfaction"), feedback=data.get("feedback", "")
                )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except PermissionDenied as exc:
            # A refused consent is the expected answer here: say why, send nothing.
            form.add_error(None, str(exc) or _("You do not have permission to do this."))
        else:
            messages.success(request, _("Referral updated: %(status)s.") % {"status": _status_label(referral.pk)})
            return redirect("referrals:detail", pk=referral.pk)
    referral.refresh_from_db()
    ctx = _detail_context(request, referral, side)
    ctx["action_forms"][action] = form
    ctx["failed_action"] = action
    return render(request, "referrals/referral_detail.html", ctx, status=400)


def _status_label(pk: int) -> str:
    status = Referral.objects.values_list("status", flat=True).get(pk=pk)
    return str(ReferralStatus(status).label)


# --- the case's referrals ------------------------------------------------------------------------


def _get_case(request: AuthenticatedHttpRequest, pk: Any) -> Case:
    try:
        return case_selectors.get_case(request.user, pk)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


@login_required
@require_GET
def case_referrals(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    audit.record_access(request.user, "view", case, purpose="case page: referrals")
    referrals = case.referrals.select_related("service", "provider", "plan_item").order_by("-created_at", "-id")
    ctx = case_page_context(request, case, "referrals")
    ctx.update(
        {
            "rows": _rows(referrals),
            "can_refer": scoping.can_edit_cases(request.user)
            and case.organisation_id == request.user.organisation_id
            and not case.is_closed,
        }
    )
    return render(request, "referrals/case_referrals.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Capability.EDIT_CASES)
    case = _get_case(request, pk)
    if case.organisation_id != request.user.organisation_id:
        raise PermissionDenied(_("Only the organisation that holds the case can refer it."))
    plan = case_selectors.plan_for(case)
    items = list(plan.items.all()) if plan else []
    item_id = request.POST.get("plan_item") or request.GET.get("plan_item")
    item = next((i for i in items if str(i.pk) == str(item_id)), None)
    dimension = request.GET.get("dimension") or (item.dimension if item else "")
    sector = request.GET.get("sector", "")
    recs = selectors.recommendations(request.user, case, dimension=dimension, sector=sector, include_abroad=True)
    with_sop = selectors.current_pathway_targets(request.user.organisation_id)
    choosable = [
        s
        for s in Service.objects.filter(is_active=True, provider__is_active=True).select_related("provider")
        if (s.provider_id, s.pk) in with_sop or (s.provider_id, None) in with_sop
    ]
    form = forms.ReferralForm(
        request.POST or None,
        initial={"plan_item": item.pk if item else None, "service": request.GET.get("service")},
        services=[(s.pk, f"{s.name} — {s.provider.name}") for s in choosable],
        plan_items=[(i.pk, f"{i.get_dimension_display()}: {i.approach}") for i in items],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = next((s for s in choosable if s.pk == data["service"]), None)
        plan_item = next((i for i in items if i.pk == data.get("plan_item")), None)
        try:
            if service is None:
                raise ValidationError({"service": _("Choose a service your organisation has an SOP with.")})
            referral = services.create_referral(
                request.user, case, service, reason=data["reason"], priority=data["priority"], plan_item=plan_item
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            if data.get("send_now"):
                try:
                    services.send_referral(
                        request.user, referral, life_at_risk_justification=data.get("life_at_risk_justification", "")
                    )
                except (PermissionDenied, ValidationError) as exc:
                    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    messages.error(
                        request, _("The referral was saved as a draft and NOT sent: %(why)s") % {"why": text}
                    )
                    return redirect("referrals:detail", pk=referral.pk)
                messages.success(request, _("Referral sent to %(provider)s.") % {"provider": service.provider.name})
            else:
                messages.success(request, _("Referral saved as a draft."))
            return redirect("referrals:detail", pk=referral.pk)
    ctx = case_page_context(request, case, "referrals")
    ctx.update(
        {
            "form": form,
            "recommendations": recs,
            "dimension": dimension,
            "sector": sector,
            "item": item,
            "can_manage_pathways": services.can_manage_pathways(request.user),
            "has_errors": form.is_bound and bool(form.errors),
            "dimension_choices": forms.ANY_DIMENSION,
            "sector_choices": forms.ANY_SECTOR,
        }
    )
    return render(request, "referrals/case_new_referral.html", ctx)


# --- directory -----------------------------------------------------------------------------------


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
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    form = forms.DirectoryFilterForm(request.GET or None)
    qs = selectors.services(_directory_filters(form)).prefetch_related("areas")
    export = request.GET.get("format")
    if export in exports.FORMATS:
        return exports.download(
            request.user,
            export,
            "service-directory",
            directory_io.COLUMNS,
            directory_io.export_rows(qs.prefetch_related("provider__contacts")),
            purpose="service directory",
            object_type="referrals.service",
            sheet_title="directorio",
        )
    page = page_of(request, qs, PAGE_SIZE)
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
            "can_manage": services.can_manage_directory(request.user),
            "pending_links": links.pending_for(request.user).count(),
        },
    )


@login_required
@require_GET
def provider_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    provider = _get_provider(pk)
    return render(
        request,
        "referrals/provider_detail.html",
        {
            "nav": "service_directory",
            "provider": provider,
            "services": provider.services.prefetch_related("areas").order_by("name"),
            "contacts": provider.contacts.all(),
            "can_manage": links.can_edit_provider(request.user, provider),
            "pending_link": links.pending_request(provider),
        },
    )


def _require_directory_manager(request: AuthenticatedHttpRequest) -> None:
    if not services.can_manage_directory(request.user):
        raise PermissionDenied(_("You do not have permission to do this."))


def _get_provider(pk: Any) -> ServiceProvider:
    try:
        return ServiceProvider.objects.select_related("organisation", "owner").get(pk=pk)
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
    return [{name: getattr(c, name) for name in _CONTACT_FIELDS} for c in provider.contacts.all()]


def _provider_conflict(exc: StaleVersion, form: Any, formset: Any) -> versioning.Conflict:
    current = exc.current
    assert isinstance(current, ServiceProvider)
    contacts = versioning.list_difference(
        _("Contact persons"),
        versioning.row_lines(formset.empty_form, _contact_rows(current), _CONTACT_FIELDS),
        versioning.row_lines(formset.empty_form, forms.contacts_of(formset), _CONTACT_FIELDS),
    )
    return versioning.conflict(exc, [(form, _provider_initial(current))], [contacts])


def _owned_provider(request: AuthenticatedHttpRequest, pk: Any) -> ServiceProvider:
    """The provider, for a change: only its owner's users (403 for others, before any form)."""
    provider = _get_provider(pk)
    links.require_owner(request.user, provider)
    return provider


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A provider of the directory and its contact persons (new, or `pk` edited)."""
    _require_directory_manager(request)
    provider = _owned_provider(request, pk) if pk is not None else None
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
        data = form.cleaned_data
        try:
            saved = services.save_provider(
                request.user,
                services.input_of(
                    services.ProviderInput,
                    data,
                    contacts=[services.input_of(services.ContactInput, c) for c in forms.contacts_of(formset)],
                ),
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
    _require_directory_manager(request)
    service = None
    if pk is not None:
        try:
            service = Service.objects.select_related("provider__owner").get(pk=pk)
        except Service.DoesNotExist:
            raise Http404(_("Service not found.")) from None
        provider = service.provider
        links.require_owner(request.user, provider)
    else:
        provider = _owned_provider(request, provider_pk)
    if service is not None:
        initial = _service_initial(service)
    else:
        initial = {"country": str(provider.country), "is_active": True, "target_response_days": 14}
    post = request.POST if request.method == "POST" else None
    form = forms.ServiceForm(post, initial=initial, country=initial["country"])
    record_version = versioning.posted_version(post) if post is not None else versioning.version_of(service)
    conflict = None
    if post is not None and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_service(
                request.user,
                services.input_of(services.ServiceInput, data, provider=provider, areas=list(data["areas"])),
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
    _require(request.user, Capability.MANAGE_SERVICE_DIRECTORY)
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


# --- links between directory entries and organisations on the platform --------------------------

LINK_ANSWERS = ("accept", "refuse")


@login_required
@require_GET
def link_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests to link a directory entry to the user's organisation, and those made for its entries."""
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
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
        raise PermissionDenied(_("You do not have permission to do this."))
    try:
        link = links.requests_for(request.user).get(pk=pk, organisation_id=request.user.organisation_id or 0)
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


# --- SOPs ----------------------------------------------------------------------------------------


@login_required
@require_GET
def pathway_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    qs = selectors.pathways_for(request.user).order_by("provider__name", "title", "-version")
    if not request.GET.get("all"):
        qs = qs.filter(is_current=True)
    return render(
        request,
        "referrals/pathway_list.html",
        {
            "nav": "service_directory",
            "page": page_of(request, qs, PAGE_SIZE),
            "can_manage": services.can_manage_pathways(request.user),
            "show_all": bool(request.GET.get("all")),
        },
    )


def _get_pathway(request: AuthenticatedHttpRequest, pk: Any) -> ReferralPathway:
    try:
        return selectors.pathways_for(request.user).get(pk=pk)
    except ReferralPathway.DoesNotExist:
        raise Http404(_("SOP not found.")) from None


@login_required
@require_GET
def pathway_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    pathway = _get_pathway(request, pk)
    return render(
        request,
        "referrals/pathway_detail.html",
        {
            "nav": "service_directory",
            "pathway": pathway,
            "fields": [catalogue.FIELDS[c] for c in catalogue.FIELDS if c in set(pathway.fields)],
            "can_manage": services.can_manage_pathways(request.user)
            and pathway.referring_organisation_id == request.user.organisation_id
            and pathway.is_current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    if not services.can_manage_pathways(request.user):
        raise PermissionDenied(_("You do not have permission to do this."))
    previous = _get_pathway(request, pk) if pk is not None else None
    initial: dict[str, Any] = {"transferred_fields": catalogue.DEFAULT_FIELDS, "approved_on": timezone.localdate()}
    # From the recommendations: ?provider=&service= start an SOP for that provider (and service).
    for name in ("provider", "service"):
        if parse_id(request.GET.get(name)):
            initial[name] = parse_id(request.GET.get(name))
    if previous is not None:
        initial.update(
            {
                name: getattr(previous, name)
                for name in (
                    "provider",
                    "title",
                    "transfer_method",
                    "consent_procedure",
                    "first_contact",
                    "response_time_hours",
                    "follow_up",
                    "documentation",
                    "cost_arrangements",
                )
            }
        )
        initial["service"] = previous.service_id
        initial["transferred_fields"] = list(previous.fields)
    form = forms.PathwayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = Service.objects.filter(pk=data["service"]).first() if data.get("service") else None
        try:
            pathway = services.save_pathway(
                request.user,
                services.input_of(services.PathwayInput, data, service=service),
                previous=previous,
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("SOP saved (version %(version)s).") % {"version": pathway.version})
            return redirect("referrals:pathway", pk=pathway.pk)
    return render(
        request,
        "referrals/pathway_form.html",
        {
            "nav": "service_directory",
            "form": form,
            "previous": previous,
            "has_errors": form.is_bound and bool(form.errors),
        },
    )


# --- gaps and reports ----------------------------------------------------------------------------


def _gap_area(request: AuthenticatedHttpRequest) -> tuple[str, AdminArea | None]:
    area = None
    area_id = parse_id(request.GET.get("area"))
    if area_id:
        area = AdminArea.objects.filter(pk=area_id).first()
    country = str(area.country) if area else (request.GET.get("country") or "").upper()
    organisation = request.user.organisation
    if not country and organisation is not None:
        country = str(organisation.country)
    return country, area


@login_required
@require_GET
def service_gaps(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _require(request.user, Capability.VIEW_REFERRAL_REPORTS, Capability.MANAGE_SERVICE_DIRECTORY)
    country, area = _gap_area(request)
    rows = selectors.service_gaps(request.user, country=country, area=area)
    if request.GET.get("format") == "csv":
        return exports.download(
            request.user,
            "csv",
            "service-gaps",
            ["area", "dimension", "cases", "services", "with_room", "places_left", "state", "duplicated_sectors"],
            (
                [
                    r.area.name,
                    r.dimension,
                    r.cases,
                    r.services,
                    r.with_room,
                    r.places_left,
                    r.state,
                    r.duplicated_sectors,
                ]
                for r in rows
            ),
            purpose=f"service gaps ({country or 'all countries'})",
            object_type="referrals.service",
        )
    dimensions = dict(Dimension.choices)
    sectors = dict(ServiceSector.choices)
    return render(
        request,
        "referrals/service_gaps.html",
        {
            "nav": "referral_reports",
            "rows": [
                {
                    "row": r,
                    "dimension": dimensions.get(r.dimension, r.dimension),
                    "duplicated": [sectors.get(s, s) for s in r.duplicated_sectors],
                }
                for r in rows
            ],
            "country": country,
            "area": area,
            "areas": AdminArea.objects.filter(country=country, level=1).order_by("name") if country else [],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def directory_duplication(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sectors offered by several providers in one area (the directory's duplication, docs/domain-referrals.md §2)."""
    _require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    country, area = _gap_area(request)
    rows = selectors.service_duplication(country, area)
    provider_ids = {pid for r in rows for pid in r.provider_ids}
    names = dict(ServiceProvider.objects.filter(pk__in=provider_ids).values_list("pk", "name"))
    sectors = dict(ServiceSector.choices)
    page = page_of(request, rows, PAGE_SIZE)
    return render(
        request,
        "referrals/duplication.html",
        {
            "nav": "service_directory",
            "page": page,
            "rows": [
                {
                    "row": r,
                    "sector": sectors.get(r.sector, r.sector),
                    "providers": [(pid, names.get(pid, "")) for pid in r.provider_ids],
                }
                for r in page.object_list
            ],
            "country": country,
            "area": area,
            "areas": AdminArea.objects.filter(country=country, level=1).order_by("name") if country else [],
        },
    )


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Capability.VIEW_REFERRAL_REPORTS)
    qs = reports.scope(request.user)
    rows = reports.by_service(qs)
    return render(
        request,
        "referrals/reports.html",
        {
            "nav": "referral_reports",
            "rows": rows,
            **reports.status_overview(qs),
            "reports_url": reverse("referrals:reports"),
        },
    )
