"""Data-protection pages (`/proteccion/`): consent ledger, case sharing (the M&E analytics
pages are `monitoring.analytics_views`).

Thin, like `cases.views`: parse with `protection.forms`, read through scoped selectors (what a user may not
see answers 404, never revealing that it exists), write through `protection.services`, render. A role check
comes before any lookup on writes (403). A service's `ValidationError` or `ConsentRequired` is shown as a
translated message on the re-displayed form, with everything typed kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases import scoping as case_scoping
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case, Returnee
from reintegra.protection import forms, selectors, services
from reintegra.protection.models import CaseShare, Consent
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused

if TYPE_CHECKING:
    from reintegra.access.models import User

CONSENT_STATUS = {
    # status -> (label, badge modifier of the shared stylesheet)
    "valid": (gettext_lazy("Valid"), "item-completed"),
    "expired": (gettext_lazy("Expired"), "overdue"),
    "withdrawn": (gettext_lazy("Withdrawn"), "item-cancelled"),
}


# --- consent ledger ------------------------------------------------------------------------------


def _ledger_returnee(request: AuthenticatedHttpRequest, pk: Any) -> Returnee:
    try:
        return selectors.consent_ledger_returnee(request.user, pk)
    except Returnee.DoesNotExist:
        raise Http404(_("Person not found.")) from None


def _render_ledger(
    request: AuthenticatedHttpRequest,
    returnee: Returnee,
    *,
    consent_form: forms.ConsentForm | None = None,
    withdraw_forms: dict[int, forms.WithdrawConsentForm] | None = None,
) -> HttpResponse:
    user: User = request.user
    withdraw_forms = withdraw_forms or {}
    today = timezone.localdate()
    can_manage = user.has_capability(Capability.MANAGE_CONSENT) and case_scoping.can_see_returnee(user, returnee)
    rows = []
    for consent in selectors.consents_for(user, returnee):
        status = selectors.consent_status(consent, today)
        label, badge = CONSENT_STATUS[status]
        bound = withdraw_forms.get(consent.pk)
        rows.append(
            {
                "consent": consent,
                "status": status,
                "status_label": label,
                "badge": badge,
                "withdraw_form": bound or forms.WithdrawConsentForm(consent_id=consent.pk),
                "open": bound is not None,
                "can_withdraw": can_manage and (status != "withdrawn" or bound is not None),
            }
        )
    cases = list(case_selectors.cases_of_returnee(user, returnee))
    has_errors = bool(consent_form is not None and consent_form.errors) or any(
        f.errors for f in withdraw_forms.values()
    )
    return render(
        request,
        "protection/consents.html",
        {
            "nav": "cases",
            "returnee": returnee,
            "rows": rows,
            "cases": cases,
            "can_manage": can_manage,
            "can_record": can_manage and not returnee.anonymised_at,
            "form": consent_form or forms.ConsentForm(user=user),
            "needs_guardian": services.consent_needs_guardian(returnee),
            "has_errors": has_errors,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_ledger(request: AuthenticatedHttpRequest, returnee_id: int) -> HttpResponse:
    user: User = request.user
    if request.method == "GET":
        returnee = _ledger_returnee(request, returnee_id)
        audit.record_access(user, "view", returnee, purpose="consent ledger")
        return _render_ledger(request, returnee)
    permissions.require(user, Capability.MANAGE_CONSENT)
    returnee = _ledger_returnee(request, returnee_id)
    form = forms.ConsentForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.record_consent(user, returnee, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("protection:consents", returnee_id=returnee.pk)
    return _render_ledger(request, returnee, consent_form=form)


@login_required
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, consent_id: int) -> HttpResponse:
    user: User = request.user
    permissions.require(user, Capability.MANAGE_CONSENT)
    try:
        consent = selectors.get_consent(user, consent_id)
    except Consent.DoesNotExist:
        raise Http404(_("Consent not found.")) from None
    form = forms.WithdrawConsentForm(request.POST, consent_id=consent.pk)
    if form.is_valid():
        try:
            services.withdraw_consent(user, consent, form.cleaned_data["withdrawn_on"], form.cleaned_data["note"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except TransitionError as exc:
            show_refused(request, exc)
        else:
            messages.success(request, _("The consent was withdrawn. Shares that depended on it were revoked at once."))
            return redirect("protection:consents", returnee_id=consent.returnee_id)
    return _render_ledger(request, consent.returnee, withdraw_forms={consent.pk: form})


# --- case sharing --------------------------------------------------------------------------------


def _get_case(request: AuthenticatedHttpRequest, pk: Any) -> Case:
    try:
        return case_selectors.get_case(request.user, pk)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def case_shares(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user
    if request.method == "POST":
        permissions.require(user, Capability.EDIT_CASES)
    case = _get_case(request, case_id)
    can_share = case_permissions.can_change_case(user, case)
    form = forms.ShareForm(request.POST if request.method == "POST" else None, user=user, case=case)
    consent_missing = False
    if request.method == "POST":
        case_permissions.require_holder(user, case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.share_case(
                    user,
                    case,
                    data["organisation"],
                    data["reason"],
                    life_at_risk_justification=data.get("life_at_risk_justification", ""),
                )
            except services.ConsentRequired as exc:
                form.add_error(None, str(exc))
                consent_missing = True
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(
                    request, _("The case is now shared with %(organisation)s.") % {"organisation": data["organisation"]}
                )
                return redirect("protection:shares", case_id=case.pk)
    else:
        audit.record_access(user, "view", case, purpose="shares")
    shares: list[Any] = list(selectors.shares_of(case))  # each gets a `can_revoke` flag for the template
    for share in shares:
        share.can_revoke = permissions.has_any(user, Capability.EDIT_CASES) and (
            permissions.holds(user, case) or permissions.holds(user, share.organisation_id)
        )
    return render(
        request,
        "protection/shares.html",
        {
            "nav": "cases",
            "case": case,
            "returnee": case.returnee,
            "active": [s for s in shares if s.revoked_at is None],
            "revoked": [s for s in shares if s.revoked_at is not None],
            "form": form,
            "can_share": can_share,
            "consent_missing": consent_missing,
            "has_errors": bool(form.errors),
        },
    )


@login_required
@require_POST
def share_revoke(request: AuthenticatedHttpRequest, share_id: int) -> HttpResponse:
    user: User = request.user
    permissions.require(user, Capability.EDIT_CASES)
    try:
        share = selectors.get_share(user, share_id)
    except CaseShare.DoesNotExist:
        raise Http404(_("Share not found.")) from None
    services.revoke_share(user, share)
    messages.success(
        request, _("The case is no longer shared with %(organisation)s.") % {"organisation": share.organisation}
    )
    # The receiving organisation that returns a case no longer sees it.
    if case_scoping.can_see_case(user, share.case):
        return redirect("protection:shares", case_id=share.case_id)
    return redirect("dashboard")


@require_GET
def moved(request: HttpRequest, to: str) -> HttpResponse:
    """A page that moved to another app (which protection may not import): the same query, at its new path."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{to}?{query}" if query else to)
