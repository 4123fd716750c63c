"""Every write of the referral network: directory, SOPs and the referral's closed loop.

Each function checks the user's role first, validates with translated messages (ValidationError with
field names), runs in one transaction attributed to the user in the change log, and writes the case
timeline (codes, dates and organisation names only).

Consent (DOMAIN §6.3, IOM DP principles 4-5): a referral is *sent* only under a valid consent of the
returnee naming the provider's organisation, for referral or data sharing, or under the life-at-risk
exception of a mental-health professional (access.services.require_consent_for_sharing). A provider that
is not on the platform (no organisation) receives nothing through Reintegra: the referral is recorded as
an *external* referral and needs a valid referral consent describing the recipient (the consent ledger's
"recipient or service type"), which the case manager has checked; its answers are recorded by the
referring side. Without consent: a clear refusal, nothing sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import scoping
from reintegra.access.models import ConsentPurpose
from reintegra.access.roles import Capability
from reintegra.access.services import ConsentRequired, require_consent_for_sharing, valid_consent
from reintegra.cases.choices import CaseEventKind, CaseStatus, Dimension
from reintegra.cases.models import Case, CaseEvent, PlanItem
from reintegra.referrals import catalogue, lifecycle, sla
from reintegra.referrals.choices import DeclineReason, Level, Priority
from reintegra.referrals.models import (
    Referral,
    ReferralPathway,
    ReferralStatusChange,
    Service,
)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _active(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def _require(user: Any, *capabilities: Capability) -> None:
    if not (_active(user) and any(user.has_capability(c) for c in capabilities)):
        raise _denied()


def can_manage_pathways(user: Any) -> bool:
    return (
        _active(user)
        and bool(user.organisation_id)
        and (
            user.has_capability(Capability.MANAGE_SERVICE_DIRECTORY) or user.has_capability(Capability.MANAGE_PROGRAMME)
        )
    )


# --- SOPs ----------------------------------------------------------------------------------------


@dataclass
class PathwayInput:
    provider: Any
    title: str
    approved_on: date | None
    fields: list[str]
    service: Service | None = None
    transfer_method: str = ""
    consent_procedure: str = ""
    first_contact: str = ""
    response_time_hours: int | None = None
    follow_up: str = ""
    documentation: str = ""
    cost_arrangements: str = ""


def save_pathway(user: Any, data: PathwayInput, previous: ReferralPathway | None = None) -> ReferralPathway:
    """A new SOP, or a new version of `previous` (which stops being current). Versions are never edited."""
    if not can_manage_pathways(user):
        raise _denied()
    if previous is not None and previous.referring_organisation_id != user.organisation_id:
        raise _denied()
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("Give the SOP a title.")
    if data.approved_on is None:
        errors["approved_on"] = _("Give the date the SOP was approved.")
    elif data.approved_on > timezone.localdate():
        errors["approved_on"] = _("The approval date cannot be in the future.")
    codes = list(dict.fromkeys(data.fields or []))
    unknown = catalogue.unknown_fields(codes)
    if unknown:
        errors["fields"] = _("Unknown case data field(s): %(codes)s.") % {"codes": ", ".join(unknown)}
    elif not codes:
        errors["fields"] = _("List at least one case data field the provider receives.")
    if data.provider is None:
        errors["provider"] = _("Choose the provider.")
    elif data.service is not None and data.service.provider_id != data.provider.pk:
        errors["service"] = _("This service belongs to another provider.")
    if data.response_time_hours is not None and data.response_time_hours <= 0:
        errors["response_time_hours"] = _("The response time must be a positive number of hours.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), set_actor(user):
        version = 1
        if previous is not None:
            locked = ReferralPathway.objects.select_for_update().get(pk=previous.pk)
            if not locked.is_current:
                raise ValidationError(_("A newer version of this SOP exists: start from the current version."))
            locked.is_current = False
            locked.save(update_fields=["is_current"])
            version = (
                ReferralPathway.objects.filter(
                    referring_organisation_id=user.organisation_id, provider=previous.provider, title=previous.title
                )
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            ) + 1
            title = previous.title
        pathway = ReferralPathway.objects.create(
            referring_organisation_id=user.organisation_id,
            provider=data.provider,
            service=data.service,
            title=title,
            version=version,
            is_current=True,
            approved_on=data.approved_on,
            fields=codes,
            transfer_method=data.transfer_method.strip(),
            consent_procedure=data.consent_procedure.strip(),
            first_contact=data.first_contact.strip(),
            response_time_hours=data.response_time_hours,
            follow_up=data.follow_up.strip(),
            documentation=data.documentation.strip(),
            cost_arrangements=data.cost_arrangements.strip(),
            created_by=user,
        )
        return pathway


# --- referrals -----------------------------------------------------------------------------------


def _can_refer_from(user: Any, case: Case) -> bool:
    return (
        _active(user)
        and user.has_capability(Capability.EDIT_CASES)
        and case.organisation_id == user.organisation_id
        and Case.objects.filter(scoping.case_visibility(user), pk=case.pk).exists()
    )


def default_level(case: Case, service: Service) -> str:
    returnee = case.returnee
    if str(service.country) != str(returnee.return_country):
        return Level.INTERNATIONAL
    area_ids = set(service.areas.values_list("pk", flat=True))
    if area_ids and (returnee.municipality_id in area_ids or returnee.admin1_id in area_ids):
        return Level.LOCAL
    return Level.NATIONAL


def _event(referral: Referral, user: Any, action: str) -> None:
    def day(value: datetime | None) -> str | None:
        return timezone.localtime(value).date().isoformat() if value else None

    CaseEvent.objects.create(
        case_id=referral.case_id,
        kind=CaseEventKind.REFERRAL,
        actor=user,
        data={
            "action": action,
            "reference": referral.reference,
            "status": referral.status,
            "priority": referral.priority,
            "level": referral.level,
            "service": referral.service.code,
            "provider": referral.provider.name,
            "acceptance_due": day(referral.acceptance_due_at),
            "outcome_due": day(referral.outcome_due_at),
            "decline_reason": referral.decline_reason or None,
            "consent_exception": referral.consent_exception or None,
        },
    )


def _change(referral: Referral, user: Any, source: str, side: str) -> None:
    ReferralStatusChange.objects.create(
        referral=referral, from_status=source, to_status=referral.status, actor=user, side=side
    )


def create_referral(
    user: Any,
    case: Case,
    service: Service,
    *,
    reason: str,
    priority: str = Priority.NORMAL,
    level: str = "",
    plan_item: PlanItem | None = None,
) -> Referral:
    """A draft referral from a case (or one of its plan items) to a service, under the referring
    organisation's current SOP with that provider. Nothing is shared until it is sent."""
    _require(user, Capability.EDIT_CASES)
    if not _can_refer_from(user, case):
        raise _denied()
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the referral.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose the priority from the list.")
    if level and level not in Level.values:
        errors["level"] = _("Choose the level from the list.")
    if case.status == CaseStatus.CLOSED:
        errors["case"] = _("The case is closed: reopen it before referring.")
    if case.returnee.anonymised_at:
        errors["case"] = _("This person's record was anonymised; it can no longer be referred.")
    if not service.is_active or not service.provider.is_active:
        errors["service"] = _("This service is no longer active.")
    if plan_item is not None and plan_item.plan.case_id != case.pk:
        errors["plan_item"] = _("This plan item belongs to another case.")
    pathway = None if "service" in errors else _pathway_or_error(user, service, errors)
    if errors:
        raise ValidationError(errors)
    assert pathway is not None
    with transaction.atomic(), set_actor(user):
        referral = Referral.objects.create(
            case=case,
            referring_organisation_id=user.organisation_id,
            provider=service.provider,
            service=service,
            pathway=pathway,
            plan_item=plan_item,
            referred_by=user,
            priority=priority,
            level=level or default_level(case, service),
            reason=reason[:2000],
        )
        _change(referral, user, "", lifecycle.REFERRER)
        _event(referral, user, "created")
        return referral


def _pathway_or_error(user: Any, service: Service, errors: dict[str, str]) -> ReferralPathway | None:
    from reintegra.referrals.selectors import pathway_for

    pathway = pathway_for(user.organisation_id, service)
    if pathway is None:
        errors["service"] = _(
            "Your organisation has no approved referral SOP with %(provider)s: a programme manager must record "
            "one before referring (it says which case data the provider receives)."
        ) % {"provider": service.provider.name}
    return pathway


def _check_side(user: Any, referral: Referral, action: str) -> str:
    side = lifecycle.side_of(action, provider_on_platform=referral.provider.on_platform)
    if side == lifecycle.REFERRER:
        if not _can_refer_from(user, referral.case) or referral.referring_organisation_id != user.organisation_id:
            raise _denied()
    elif not (
        _active(user)
        and user.has_capability(Capability.RECEIVE_REFERRALS)
        and user.organisation_id
        and referral.provider.organisation_id == user.organisation_id
    ):
        raise _denied()
    return side


TRANSITION_MESSAGES = {
    "send": _("Only a draft referral can be sent; this one is %(status)s."),
    "accept": _("Only a sent referral can be accepted; this one is %(status)s."),
    "decline": _("Only a sent referral can be declined; this one is %(status)s."),
    "outcome": _("An outcome can be recorded only for an accepted referral; this one is %(status)s."),
    "close": _("A referral is closed after it was declined or its outcome recorded; this one is %(status)s."),
}


def _transition(referral: Referral, action: str, outcome: str | None = None) -> tuple[str, str]:
    from reintegra.referrals.choices import ReferralStatus

    source = referral.status
    try:
        target = lifecycle.next_status(source, action, outcome)
    except lifecycle.InvalidTransition as exc:
        if exc.code == "unknown_outcome":
            raise ValidationError({"outcome": _("Choose the outcome from the list.")}) from None
        message = TRANSITION_MESSAGES.get(action, _("This step is not possible now (%(status)s)."))
        raise ValidationError(str(message) % {"status": ReferralStatus(source).label}) from None
    return source, target


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update().select_related("provider", "service", "case__returnee").get(pk=referral.pk)
    )


def send_referral(
    user: Any, referral: Referral, *, life_at_risk_justification: str = "", channel: str = "web"
) -> Referral:
    side = _check_side(user, referral, "send")
    _transition(referral, "send")
    provider = referral.provider
    returnee = referral.case.returnee
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "send")
        consent = None
        if provider.organisation is not None:
            consent = require_consent_for_sharing(
                user,
                returnee,
                [ConsentPurpose.REFERRAL, ConsentPurpose.DATA_SHARING],
                provider.organisation,
                life_at_risk_justification=life_at_risk_justification,
                channel=channel,
            )
        else:
            consent = valid_consent(returnee, ConsentPurpose.REFERRAL, None)
            if consent is None:
                raise ConsentRequired(
                    _(
                        "No valid referral consent from this person describing %(provider)s as a recipient. "
                        "Record the consent first."
                    )
                    % {"provider": provider.name}
                )
        now = timezone.now()
        referral.status = target
        referral.consent = consent
        referral.consent_exception = consent is None
        referral.sent_at = now
        referral.acceptance_due_at = sla.acceptance_deadline(now, referral.priority)
        referral.save(update_fields=["status", "consent", "consent_exception", "sent_at", "acceptance_due_at"])
        _change(referral, user, source, side)
        _event(referral, user, "sent")
        return referral


def accept_referral(user: Any, referral: Referral, *, outcome_due_on: date | None = None, note: str = "") -> Referral:
    """Accept; the outcome is due on the agreed date, or after the service's target response time."""
    side = _check_side(user, referral, "accept")
    _transition(referral, "accept")
    now = timezone.now()
    if outcome_due_on is not None and outcome_due_on < timezone.localdate():
        raise ValidationError({"outcome_due_on": _("The agreed date cannot be in the past.")})
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "accept")
        referral.status = target
        referral.answered_at = now
        if outcome_due_on is not None:
            referral.outcome_due_at = timezone.make_aware(datetime.combine(outcome_due_on, time(23, 59)))
        else:
            referral.outcome_due_at = sla.outcome_deadline(now, referral.service.target_response_days)
        referral.provider_note = (note or "").strip()[:500]
        referral.save(update_fields=["status", "answered_at", "outcome_due_at", "provider_note"])
        _change(referral, user, source, side)
        _event(referral, user, "accepted")
        return referral


def decline_referral(user: Any, referral: Referral, *, reason: str, note: str = "") -> Referral:
    side = _check_side(user, referral, "decline")
    _transition(referral, "decline")
    if reason not in DeclineReason.values:
        raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
    if reason == DeclineReason.OTHER and not (note or "").strip():
        raise ValidationError({"note": _("Explain the reason in the note.")})
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "decline")
        referral.status = target
        referral.answered_at = timezone.now()
        referral.decline_reason = reason
        referral.provider_note = (note or "").strip()[:500]
        referral.save(update_fields=["status", "answered_at", "decline_reason", "provider_note"])
        _change(referral, user, source, side)
        _event(referral, user, "declined")
        return referral


def record_outcome(user: Any, referral: Referral, *, outcome: str, note: str = "") -> Referral:
    side = _check_side(user, referral, "outcome")
    _transition(referral, "outcome", outcome)
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "outcome", outcome)
        referral.status = target
        referral.outcome = target
        referral.outcome_at = timezone.now()
        if note:
            referral.provider_note = note.strip()[:500]
        referral.save(update_fields=["status", "outcome", "outcome_at", "provider_note"])
        _change(referral, user, source, side)
        _event(referral, user, "outcome")
        return referral


def close_referral(user: Any, referral: Referral, *, satisfaction: int | None = None, feedback: str = "") -> Referral:
    """Close the loop with the returnee's feedback (asked by the case manager)."""
    side = _check_side(user, referral, "close")
    _transition(referral, "close")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is a score from 1 to 5.")})
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "close")
        referral.status = target
        referral.closed_at = timezone.now()
        referral.satisfaction = satisfaction
        referral.feedback = (feedback or "").strip()[:2000]
        referral.save(update_fields=["status", "closed_at", "satisfaction", "feedback"])
        _change(referral, user, source, side)
        _event(referral, user, "closed")
        return referral


DIMENSIONS = Dimension.values
