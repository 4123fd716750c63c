"""Pages of the referral network under /derivaciones/ (thin: forms parse, selectors read, services write):
the referrals themselves and a case's referrals. The directory is in `directory_views`, the SOPs in
`pathway_views`, gaps and reports in `report_views`.

The receiving side (a provider's portal) renders a referral through `catalogue.provider_payload` only.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, exports, permissions
from reintegra.access.export_job_views import download_or_queue
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.referrals import catalogue, forms, lifecycle, selectors, services
from reintegra.referrals import exports as referral_exports
from reintegra.referrals import permissions as referral_permissions
from reintegra.referrals.choices import ReferralStatus, SlaState
from reintegra.referrals.models import Referral
from reintegra.referrals.pages import PAGE_SIZE
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of
from reintegra.web.steps import show_refused

if TYPE_CHECKING:
    from reintegra.access.models import User


def _sla_label(state: str) -> str:
    return str(SlaState(state).label) if state in SlaState.values else ""


def _rows(referrals: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for r in referrals:
        state = selectors.sla_of(r, now)
        rows.append({"referral": r, "sla": state, "sla_label": _sla_label(state)})
    return rows


# --- referrals ------------------------------------------------------------------------------------


def _export_query(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    for name in ("page", "format", exports.CODES_PARAMETER):
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(
        request.user, Capability.EDIT_CASES, Capability.VIEW_ASSIGNED_CASES, Capability.RECEIVE_REFERRALS
    )
    form = forms.ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ReferralFilters(
        status=data.get("status", ""), priority=data.get("priority", ""), overdue=bool(data.get("overdue"))
    )
    fmt = request.GET.get("format")
    if fmt in exports.FORMATS:  # the "Export" menu: the list with its filters
        table = referral_exports.referral_table(request.user, filters)
        return download_or_queue(request, "referrals", dataclasses.asdict(filters), table, fmt)
    page = page_of(request, selectors.search_referrals(request.user, filters), PAGE_SIZE)
    portal = request.user.has_capability(Capability.RECEIVE_REFERRALS) and not request.user.has_capability(
        Capability.VIEW_ASSIGNED_CASES
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "nav": "referrals",
            "form": form,
            "page": page,
            "rows": _rows(page.object_list),
            "portal": portal,
            "export_query": _export_query(request),
        },
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
        permissions.has_any(request.user, Capability.EDIT_CASES)
        and permissions.holds(request.user, referral.referring_organisation_id)
    ):
        actions = []
    if side == lifecycle.PROVIDER and not request.user.has_capability(Capability.RECEIVE_REFERRALS):
        actions = []
    if referral.case.is_closed:
        actions = [a for a in actions if a not in services.MOVES_OF_AN_OPEN_CASE]
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
        "case_closed": referral.case.is_closed,
        "action_forms": {name: forms.ACTION_FORMS[name](prefix=name) for name in actions},
        # Whoever may send a draft may discard it instead.
        "can_discard": referral.status == ReferralStatus.DRAFT and "send" in actions,
        "changes": [(c.at, ReferralStatus(c.to_status).label) for c in selectors.changes_of(referral)],
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
    permissions.require(request.user, Capability.EDIT_CASES, Capability.RECEIVE_REFERRALS)
    referral, side = _get_referral(request, pk)
    form = forms.ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            _take_step(request.user, referral, action, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except TransitionError as exc:
            show_refused(request, exc)
        except PermissionDenied as exc:
            # A refused consent is the expected answer here: say why, send nothing.
            form.add_error(None, str(exc) or str(permissions.DENIED_MESSAGE))
        else:
            messages.success(request, _("Referral updated: %(status)s.") % {"status": _status_label(referral.pk)})
            return redirect("referrals:detail", pk=referral.pk)
    referral.refresh_from_db()
    ctx = _detail_context(request, referral, side)
    ctx["action_forms"][action] = form
    ctx["failed_action"] = action
    return render(request, "referrals/referral_detail.html", ctx, status=400)


@login_required
@require_POST
def discard_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Discard a draft (the referring side): back to the case's referrals, saying so."""
    permissions.require(request.user, Capability.EDIT_CASES)
    referral, _side = _get_referral(request, pk)
    try:
        reference = services.discard_draft(request.user, referral)
    except TransitionError as exc:
        show_refused(request, exc)
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, _("The draft referral %(reference)s was discarded.") % {"reference": reference})
    return redirect("referrals:case", pk=referral.case_id)


def _take_step(user: User, referral: Referral, action: str, data: dict[str, Any]) -> None:
    """The service of the step `action` (one of forms.ACTION_FORMS), with what its form parsed."""
    if action == "send":
        services.send_referral(user, referral, life_at_risk_justification=data.get("life_at_risk_justification", ""))
    elif action == "accept":
        services.accept_referral(user, referral, outcome_due_on=data.get("outcome_due_on"), note=data.get("note", ""))
    elif action == "decline":
        services.decline_referral(user, referral, reason=data["decline_reason"], note=data.get("note", ""))
    elif action == "outcome":
        services.record_outcome(user, referral, outcome=data["outcome"], note=data.get("note", ""))
    elif action == "withdraw":
        services.withdraw_referral(user, referral, reason=data.get("withdrawal_reason", ""))
    else:
        services.close_referral(
            user, referral, satisfaction=data.get("satisfaction"), feedback=data.get("feedback", "")
        )


def _status_label(pk: int) -> str:
    return str(ReferralStatus(selectors.referral_status(pk)).label)


# --- the case's referrals -------------------------------------------------------------------------


def _get_case(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Case:
    try:
        return case_permissions.access_case_by_id(request.user, pk, for_write=for_write)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


@login_required
@require_GET
def case_referrals(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    audit.record_access(request.user, "view", case, purpose="case page: referrals")
    referrals = selectors.referrals_of_case(case)
    ctx = case_page_context(request, case, "referrals")
    ctx.update(
        {
            "rows": _rows(referrals),
            "can_refer": case_permissions.can_change_case(request.user, case) and not case.is_closed,
        }
    )
    return render(request, "referrals/case_referrals.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_CASES)
    case = _get_case(request, pk, for_write=True)  # only the organisation that holds the case refers it
    if case.is_closed:
        # Refused before the form (issue 18.2): nothing typed into it could be sent.
        messages.error(request, _("The case is closed: reopen it before referring."))
        return redirect("referrals:case", pk=case.pk)
    items = case_selectors.plan_items_of(case)
    item_id = request.POST.get("plan_item") or request.GET.get("plan_item")
    item = next((i for i in items if str(i.pk) == str(item_id)), None)
    dimension = request.GET.get("dimension") or (item.dimension if item else "")
    sector = request.GET.get("sector", "")
    # Suggest only what can be chosen here, the plan item's need first, nearest first (issue 18.6); a user
    # who records SOPs also sees what fits but lacks one, to record it.
    need = item.approach if item else ""
    recs = selectors.recommendations(
        request.user, case, dimension=dimension, sector=sector, need=need, only_choosable=True
    )
    can_manage_pathways = referral_permissions.can_manage_pathways(request.user)
    without_sop = (
        [
            r
            for r in selectors.recommendations(request.user, case, dimension=dimension, sector=sector, need=need)
            if not r.has_pathway
        ]
        if can_manage_pathways
        else []
    )
    choosable = selectors.services_with_sop(case.organisation_id)  # the holder: the user's organisation
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
                except (PermissionDenied, ValidationError, TransitionError) as exc:
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
            "without_sop": without_sop,
            "dimension": dimension,
            "sector": sector,
            "item": item,
            "can_manage_pathways": can_manage_pathways,
            "has_errors": form.is_bound and bool(form.errors),
            "dimension_choices": forms.ANY_DIMENSION,
            "sector_choices": forms.ANY_SECTOR,
        }
    )
    return render(request, "referrals/case_new_referral.html", ctx)
