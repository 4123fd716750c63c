"""Data-protection pages (`/proteccion/`): audit trail, consent ledger, case sharing, M&E analytics.

Thin, like `cases.views`: parse with `access.forms`, read through scoped selectors (what a user may not see
answers 404, never revealing that it exists), write through `access.services`, render. A role check comes
before any lookup on writes (403). A service's `ValidationError` or `ConsentRequired` is shown as a
translated message on the re-displayed form, with everything typed kept.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from reintegra.access import analytics as me_data
from reintegra.access import audit, exports, forms, pseudonymise, selectors, serializers, services
from reintegra.access.models import AccessEvent, Consent
from reintegra.access.roles import Capability
from reintegra.cases import selectors as case_selectors
from reintegra.cases.choices import AttentionFlag, CaseStatus, ClosureCategory, MigrationCause, ReturnType, Sex
from reintegra.cases.models import Case, CaseShare, Returnee
from reintegra.web.forms import apply_service_errors

AUDIT_PAGE_SIZE = 50

CHANGE_ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Changed"),
    "delete": gettext_lazy("Deleted"),
}
ACCESS_ACTION_LABELS = dict(AccessEvent.Action.choices)
CONSENT_STATUS = {
    # status -> (label, badge modifier of the shared stylesheet)
    "valid": (gettext_lazy("Valid"), "item-completed"),
    "expired": (gettext_lazy("Expired"), "overdue"),
    "withdrawn": (gettext_lazy("Withdrawn"), "item-cancelled"),
}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _require(user: Any, capability: Capability) -> None:
    if not user.has_capability(capability):
        raise _denied()


# --- audit trail ---------------------------------------------------------------------------------


def _trail_form(request: HttpRequest) -> tuple[forms.AuditFilterForm, selectors.TrailFilters | None]:
    """The filter form and its filters; None when the filters are not valid (the form shows why)."""
    users = selectors.trail_users(request.user)  # Capability.VIEW_AUDIT, else PermissionDenied
    params = request.GET.copy()
    params.pop("before", None)
    form = forms.AuditFilterForm(params or None, users=users)
    if not form.is_bound:
        return form, selectors.TrailFilters()
    return form, form.filters() if form.is_valid() else None


def _trail_row(entry: selectors.TrailEntry) -> dict[str, Any]:
    if entry.source == selectors.CHANGE:
        label = CHANGE_ACTION_LABELS.get(entry.action, entry.action)
    else:
        label = ACCESS_ACTION_LABELS.get(entry.action, entry.action)
    return {"entry": entry, "action_label": label, "changes": sorted((entry.changes or {}).items())}


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Both trails merged, newest first, AUDIT_PAGE_SIZE at a time ("older" follows a position: no count)."""
    form, filters = _trail_form(request)
    position = None
    token = request.GET.get("before", "")
    if token:
        try:
            position = selectors.TrailPosition.parse(token)
        except ValueError:
            messages.warning(request, _("The page asked for was not understood; showing the newest entries."))
    rows: list[dict[str, Any]] = []
    next_token = ""
    if filters is not None:
        entries = list(selectors.audit_trail(request.user, filters, older_than=position, limit=AUDIT_PAGE_SIZE + 1))
        if len(entries) > AUDIT_PAGE_SIZE:
            entries = entries[:AUDIT_PAGE_SIZE]
            next_token = entries[-1].position.token()
        rows = [_trail_row(entry) for entry in entries]
    return render(
        request,
        "access/audit.html",
        {
            "nav": "audit",
            "form": form,
            "rows": rows,
            "next_token": next_token,
            "paged": position is not None,
            "invalid": filters is None,
            "filtered": filters not in (None, selectors.TrailFilters()),
        },
    )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV (every matching entry, streamed); the export itself is recorded."""
    form, filters = _trail_form(request)
    if filters is None:
        messages.error(request, _("Correct the filters before exporting."))
        return render(
            request,
            "access/audit.html",
            {"nav": "audit", "form": form, "rows": [], "invalid": True, "filtered": True},
            status=400,
        )
    return exports.download(
        request.user,
        "csv",
        "audit-trail",
        serializers.TRAIL_CSV_COLUMNS,
        serializers.trail_rows(selectors.audit_trail(request.user, filters)),
        purpose="audit trail: " + serializers.trail_filter_summary(filters),
    )


# --- consent ledger ------------------------------------------------------------------------------


def _ledger_returnee(request: HttpRequest, pk: Any) -> Returnee:
    try:
        return selectors.consent_ledger_returnee(request.user, pk)
    except Returnee.DoesNotExist:
        raise Http404(_("Person not found.")) from None


def _render_ledger(
    request: HttpRequest,
    returnee: Returnee,
    *,
    consent_form: forms.ConsentForm | None = None,
    withdraw_forms: dict[int, forms.WithdrawConsentForm] | None = None,
) -> HttpResponse:
    user: Any = request.user
    withdraw_forms = withdraw_forms or {}
    today = timezone.localdate()
    can_manage = (
        user.has_capability(Capability.MANAGE_CONSENT)
        and case_selectors.returnees_for(user).filter(pk=returnee.pk).exists()
    )
    rows = []
    for consent in selectors.consents_for(user, returnee).select_related("recorded_by"):
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
    cases = list(case_selectors.cases_for(user).filter(returnee=returnee).order_by("-return_date", "-id"))
    has_errors = bool(consent_form is not None and consent_form.errors) or any(
        f.errors for f in withdraw_forms.values()
    )
    return render(
        request,
        "access/consents.html",
        {
            "nav": "cases",
            "returnee": returnee,
            "rows": rows,
            "cases": cases,
            "can_manage": can_manage,
            "can_record": can_manage and not returnee.anonymised_at,
            "form": consent_form or forms.ConsentForm(),
            "needs_guardian": services.consent_needs_guardian(returnee),
            "has_errors": has_errors,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_ledger(request: HttpRequest, returnee_id: int) -> HttpResponse:
    user: Any = request.user
    if request.method == "GET":
        returnee = _ledger_returnee(request, returnee_id)
        audit.record_access(user, "view", returnee, purpose="consent ledger")
        return _render_ledger(request, returnee)
    _require(user, Capability.MANAGE_CONSENT)
    returnee = _ledger_returnee(request, returnee_id)
    form = forms.ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(user, returnee, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("access:consents", returnee_id=returnee.pk)
    return _render_ledger(request, returnee, consent_form=form)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    user: Any = request.user
    _require(user, Capability.MANAGE_CONSENT)
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
        else:
            messages.success(request, _("The consent was withdrawn. Shares that depended on it were revoked at once."))
            return redirect("access:consents", returnee_id=consent.returnee_id)
    return _render_ledger(request, consent.returnee, withdraw_forms={consent.pk: form})


# --- case sharing --------------------------------------------------------------------------------


def _get_case(request: HttpRequest, pk: Any) -> Case:
    try:
        return case_selectors.get_case(request.user, pk)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def case_shares(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        _require(user, Capability.EDIT_CASES)
    case = _get_case(request, case_id)
    can_share = user.has_capability(Capability.EDIT_CASES) and case.organisation_id == user.organisation_id
    form = forms.ShareForm(request.POST if request.method == "POST" else None, user=user, case=case)
    consent_missing = False
    if request.method == "POST":
        if not can_share:
            raise PermissionDenied(_("Only the organisation that holds the case can share it."))
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
                return redirect("access:shares", case_id=case.pk)
    else:
        audit.record_access(user, "view", case, purpose="shares")
    shares = list(selectors.shares_of(case))
    for share in shares:
        share.can_revoke = user.has_capability(Capability.EDIT_CASES) and user.organisation_id in (
            case.organisation_id,
            share.organisation_id,
        )
    return render(
        request,
        "access/shares.html",
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
def share_revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    user: Any = request.user
    _require(user, Capability.EDIT_CASES)
    try:
        share = selectors.get_share(user, share_id)
    except CaseShare.DoesNotExist:
        raise Http404(_("Share not found.")) from None
    services.revoke_share(user, share)
    messages.success(
        request, _("The case is no longer shared with %(organisation)s.") % {"organisation": share.organisation}
    )
    # The receiving organisation that returns a case no longer sees it.
    if case_selectors.cases_for(user).filter(pk=share.case_id).exists():
        return redirect("access:shares", case_id=share.case_id)
    return redirect("dashboard")


# --- analytics -----------------------------------------------------------------------------------

_VALUE_LABELS = {
    "status": CaseStatus,
    "return_type": ReturnType,
    "sex": Sex,
    "closure_category": ClosureCategory,
    "attention_flag": AttentionFlag,
    "cause_of_migration": MigrationCause,
}


def _cell_label(dimension: str, row: dict[str, Any]) -> str:
    value = row.get(dimension)
    if value in (None, ""):
        return _("Not recorded") if dimension != "closure_category" else _("Not closed")
    if dimension in _VALUE_LABELS:
        try:
            return str(_VALUE_LABELS[dimension](value).label)
        except ValueError:
            return str(value)
    if dimension == "nationality":
        return str(countries.name(value) or value)
    return str(value)


@login_required
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    """Counts of cases by one dimension, small cells suppressed (Capability.VIEW_AGGREGATES)."""
    user: Any = request.user
    _require(user, Capability.VIEW_AGGREGATES)
    form = forms.AggregateForm(request.GET or None)
    by, k = "status", None
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            by, k = form.cleaned_data["by"], form.cleaned_data["k"]
    rows: list[dict[str, Any]] = []
    if valid:
        try:
            cells = me_data.aggregate_cases(user, by=[by], k=k)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            rows = [{"label": _cell_label(by, cell), **cell} for cell in cells]
    floor = me_data.aggregate_threshold(user)
    can_download = user.has_capability(Capability.VIEW_PSEUDONYMISED)
    return render(
        request,
        "access/analytics.html",
        {
            "nav": "analytics",
            "form": form,
            "dimension_label": forms.DIMENSION_LABELS.get(by, by),
            "rows": rows,
            "k": max(k or floor, floor),
            "all_organisations": user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS),
            "can_download": can_download,
            "release": me_data.pseudonymised_release(user).summary if can_download else None,
        },
    )


@login_required
@require_GET
def analytics_export(request: HttpRequest) -> HttpResponseBase:
    """Every k-anonymous pseudonymised case row of the organisation as CSV (Capability.VIEW_PSEUDONYMISED);
    recorded."""
    release = me_data.pseudonymised_release(request.user)  # PermissionDenied without the capability
    summary = release.summary
    return exports.download(
        request.user,
        "csv",
        "pseudonymised-cases",
        pseudonymise.ROW_KEYS,
        serializers.pseudonymised_table(me_data.pseudonymised_rows(release.entries)),
        purpose=f"pseudonymised case rows ({summary['released']} rows, {summary['suppressed']} withheld, "
        f"k={summary['k']})",
        object_type="cases.case",
    )
