"""Every write of the protection app: the consent ledger, case sharing and data retention. Each function
checks permission and the object's scope first, validates with translated messages (`ValidationError` with
field names) and runs in one transaction attributed to its actor in the change log.

Consent (docs/domain-referrals.md §4; IOM DP principles 4 and 5)
-------------------------------------------------
A consent names a purpose and, for the sharing purposes (referral, data sharing, cross-border transfer),
the recipient: an organisation of the platform, or a provider of the service directory that is not on the
platform (`recipient_provider`, offered by the directory through `register_recipient_providers`). Only a
consent that names the recipient lets data go to it: a share or a referral to an organisation needs a consent
naming that organisation, an external referral one naming that provider. A description of a recipient or
service type ("any public clinic") is a note on such a consent, never a recipient of its own: the platform
cannot tell whether someone fits it, so it authorises no transfer and the ledger refuses a sharing consent
without a named recipient (`recipient_required`). Withdrawing a consent is effective immediately: the ledger
entry keeps its history (never deleted) and every active share granted under it is revoked at once.

The only exception is the life-at-risk exception (docs/domain-referrals.md §4; Handbook §4.1.3,
footnote 38): a mental-health professional who judges that the person's life is at risk (or that a mental
disability prevents consent) may share without consent, giving a justification; the access trail records
it as a flagged `consent_exception`.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from auditlog.context import disable_auditlog, set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import audit, permissions
from reintegra.access.models import Organisation
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases import scoping
from reintegra.cases.choices import AttentionFlag, CaseEventKind, CaseStatus
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    IdentityDocument,
    PlanItem,
    PlanItemProgress,
    ReintegrationPlan,
    Returnee,
)
from reintegra.cases.name_index import clear as clear_name_index
from reintegra.protection import retention_hooks
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import CaseShare, Consent
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from reintegra.access.models import User

logger = logging.getLogger("reintegra.protection")

# Purposes whose consent names a recipient; a share needs one of these naming the organisation.
SHARING_PURPOSES = frozenset({ConsentPurpose.REFERRAL, ConsentPurpose.DATA_SHARING, ConsentPurpose.CROSS_BORDER})
# What `share_case` accepts as the basis of a share.
SHARE_PURPOSES = (ConsentPurpose.REFERRAL, ConsentPurpose.DATA_SHARING)

ANONYMISED_NAME = "Anonimizado"


class ConsentRequired(PermissionDenied):
    """Sharing refused: no valid consent for this recipient (and no admissible life-at-risk exception)."""

    code = "consent_required"


class CrossBorderConsentRequired(ConsentRequired):
    """Sharing with an organisation in another country refused: no valid cross-border consent naming it."""

    code = "cross_border_consent_required"


def is_cross_border(sending: Organisation, recipient: Organisation) -> bool:
    """Whether data going from `sending` to `recipient` leaves the country (Organisation.country)."""
    return bool(sending.country) and bool(recipient.country) and str(sending.country) != str(recipient.country)


# --- helpers -------------------------------------------------------------------------------------


# Rules of a higher level that make a person's consent a child's consent (children: the person has a child
# case, even once they are 18). Registered in `AppConfig.ready()`; each takes the returnee.
_CHILD_RULES: list[Callable[[Any], bool]] = []


def register_child_rule(has_child_case: Callable[[Any], bool]) -> None:
    if has_child_case not in _CHILD_RULES:
        _CHILD_RULES.append(has_child_case)


# Higher levels' records about a case cleared with it by retention (children: profile, BIA, BID...). Each
# takes the ids of the anonymised person's cases and clears its free text in place.
def _has_child_case(returnee: Any) -> bool:
    return any(rule(returnee) for rule in _CHILD_RULES)


def _is_minor(returnee: Any) -> bool:
    """A minor by age, or, when the birth date is unknown, by the differential-attention profile; or the
    subject of a child case (registered rule)."""
    if returnee.is_minor or _has_child_case(returnee):
        return True
    if returnee.birth_year is not None:
        return False
    return bool({AttentionFlag.CHILD, AttentionFlag.UNACCOMPANIED_MINOR} & set(returnee.attention_flags or []))


# Who a consent may name besides an organisation: the directory's providers outside the platform, as the
# `referrals` level offers them to a user (it sits above this app). Each takes the user, returns a queryset.
_RECIPIENT_PROVIDERS: list[Callable[[User], models.QuerySet[Any]]] = []


def register_recipient_providers(choices: Callable[[User], models.QuerySet[Any]]) -> None:
    if choices not in _RECIPIENT_PROVIDERS:
        _RECIPIENT_PROVIDERS.append(choices)


def recipient_providers(user: User) -> models.QuerySet[Any] | None:
    """The providers a consent recorded by `user` may name (None when no directory is installed)."""
    return _RECIPIENT_PROVIDERS[0](user) if _RECIPIENT_PROVIDERS else None


def consent_needs_guardian(returnee: Any) -> bool:
    """Whether `record_consent` will ask for a guardian's name and the child's assent (the minor rule), so a
    form can say so before it is sent."""
    return _is_minor(returnee)


def _case_event(case: Any, user: User | None, **data: Any) -> None:
    # Timeline data is non-sensitive: organisation codes and flags, never reasons or justifications.
    # No user: the system did it (a consent lapsed).
    CaseEvent.objects.create(case=case, kind=CaseEventKind.UPDATED, actor=user, data=data)


# --- consent ledger ------------------------------------------------------------------------------


def record_consent(
    user: User,
    returnee: Any,
    purpose: str,
    method: str,
    given_on: date,
    expires_on: date | None = None,
    recipient_organisation: Organisation | None = None,
    recipient_description: str = "",
    recipient_provider: Any = None,
    given_by_returnee: bool = True,
    guardian_name: str = "",
    child_assent: bool = False,
) -> Consent:
    """Add an entry to the returnee's consent ledger.

    A minor's consent needs the guardian's (or caregiver's) name AND the child's own assent; a person without
    a known age who is flagged as a child or unaccompanied minor counts as a minor. When someone
    other than the returnee gives consent (a legal representative), their name goes in `guardian_name`.
    """
    permissions.require(user, Capability.MANAGE_CONSENT)
    if not scoping.can_see_returnee(user, returnee):
        raise permissions.denied()
    if returnee.anonymised_at:
        raise ValidationError(
            _("This person's record was anonymised; consent can no longer be recorded."), code="anonymised"
        )
    recipient_description = (recipient_description or "").strip()
    guardian_name = (guardian_name or "").strip()
    errors = FieldErrors()
    _check_consent_terms(errors, purpose, method, given_on, expires_on)
    _check_recipient(errors, user, purpose, recipient_organisation, recipient_provider)
    _check_who_consents(errors, returnee, given_by_returnee, guardian_name, child_assent)
    errors.raise_if_any()
    with transaction.atomic(), set_actor(user):
        consent = Consent(
            returnee=returnee,
            purpose=purpose,
            method=method,
            given_on=given_on,
            expires_on=expires_on,
            recipient_organisation=recipient_organisation,
            recipient_description=recipient_description,
            recipient_provider=recipient_provider,
            given_by_returnee=bool(given_by_returnee),
            guardian_name=guardian_name,
            child_assent=bool(child_assent),
            recorded_by=user,
        )
        consent.full_clean(exclude=["returnee", "recorded_by", "recipient_organisation", "recipient_provider"])
        consent.save()
        return consent


def _check_consent_terms(
    errors: FieldErrors, purpose: str, method: str, given_on: date | None, expires_on: date | None
) -> None:
    if purpose not in ConsentPurpose.values:
        errors.add("purpose", _("Choose the purpose of the consent from the list."), "invalid_choice")
    if method not in ConsentMethod.values:
        errors.add("method", _("Choose how the consent was given from the list."), "invalid_choice")
    if given_on is None:
        errors.add("given_on", _("Give the date the consent was given."), "required")
    elif given_on > timezone.localdate():
        errors.add("given_on", _("The consent date cannot be in the future."), "in_future")
    elif expires_on is not None and expires_on <= given_on:
        errors.add("expires_on", _("The expiry date must be after the date the consent was given."), "not_after_given")


def _check_recipient(
    errors: FieldErrors, user: User, purpose: str, organisation: Organisation | None, provider: Any
) -> None:
    """A sharing consent names its recipient (docs/domain-referrals.md §4): an organisation or a directory
    provider outside the platform, not both; a description alone authorises no transfer."""
    if purpose in SHARING_PURPOSES and organisation is None and provider is None:
        errors.add(
            "recipient_organisation",
            _(
                "Name who the information may be shared with: an organisation of the platform or a provider of "
                "the directory. A description alone does not allow sharing."
            ),
            "recipient_required",
        )
    if organisation is not None and not organisation.is_active:
        # The form offers active organisations only: an inactive one is not one of its choices either.
        errors.add("recipient_organisation", _("This organisation is no longer active."), "invalid_choice")
    if provider is None:
        return
    offered = recipient_providers(user)
    if organisation is not None:
        errors.add("recipient_provider", _("Name either an organisation or a provider, not both."), "one_recipient")
    elif offered is None or not offered.filter(pk=provider.pk).exists():
        # The form offers these providers only: another one is not among its choices either.
        errors.add("recipient_provider", _("Choose the provider from the list."), "invalid_choice")


def _check_who_consents(
    errors: FieldErrors, returnee: Any, given_by_returnee: bool, guardian_name: str, child_assent: bool
) -> None:
    """The minor rule: a guardian's name and the child's own assent; and who consented for someone else."""
    if _is_minor(returnee):
        if not guardian_name:
            errors.add(
                "guardian_name",
                _("This person is a minor: record the name of the parent or guardian who consents."),
                "required",
            )
        if not child_assent:
            errors.add(
                "child_assent", _("This person is a minor: the child's own assent is also required."), "required"
            )
    elif not given_by_returnee and not guardian_name:
        errors.add(
            "guardian_name",
            _("The consent was not given by the person: record the name of who gave it."),
            "required",
        )


def withdraw_consent(user: User, consent: Consent, withdrawn_on: date | None = None, note: str = "") -> Consent:
    """Record a withdrawal (never delete). Effective immediately: active shares granted under this consent
    are revoked now, whatever date the withdrawal is recorded with."""
    permissions.require(user, Capability.MANAGE_CONSENT)
    if not scoping.can_see_returnee(user, consent.returnee):
        raise permissions.denied()
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    if withdrawn_on > today:
        raise field_error(
            "withdrawn_on", _("A withdrawal takes effect immediately: the date cannot be in the future."), "in_future"
        )
    if withdrawn_on < consent.given_on:
        raise field_error("withdrawn_on", _("The withdrawal cannot be before the consent was given."), "before_given")
    with transaction.atomic(), set_actor(user):
        already = Consent.objects.select_for_update().values_list("withdrawn_on", flat=True).get(pk=consent.pk)
        if already:
            raise TransitionError(
                _("This consent was already withdrawn on %(day)s.") % {"day": already}, "already_withdrawn"
            )
        consent.withdrawn_on = withdrawn_on
        consent.withdrawal_note = (note or "").strip()[:300]
        consent.save(update_fields=["withdrawn_on", "withdrawal_note"])
        now = timezone.now()
        for share in CaseShare.objects.filter(consent=consent, revoked_at__isnull=True).select_related(
            "case", "organisation"
        ):
            share.revoked_at = now
            share.save(update_fields=["revoked_at"])
            _case_event(
                share.case, user, what="share_revoked", organisation=share.organisation.code, cause="consent_withdrawn"
            )
        return consent


def valid_consent(
    returnee: Any,
    purpose: str,
    recipient_organisation: Organisation | None = None,
    day: date | None = None,
    *,
    recipient_provider: Any = None,
) -> Consent | None:
    """The newest consent valid on `day` (today) for `purpose`.

    With a recipient organisation (or directory provider): only consents naming exactly that recipient. For a
    sharing purpose without either: none, since only a named recipient may receive data (a consent that
    merely describes one authorises nothing). For other purposes the recipient does not matter.
    """
    day = day or timezone.localdate()
    qs = Consent.objects.filter(Consent.valid_q(day), returnee=returnee, purpose=purpose)
    if recipient_organisation is not None:
        qs = qs.filter(recipient_organisation=recipient_organisation)
    elif recipient_provider is not None:
        qs = qs.filter(recipient_provider=recipient_provider)
    elif purpose in SHARING_PURPOSES:
        return None
    if purpose in SHARING_PURPOSES and _has_child_case(returnee):
        # A child case is shared or referred only with the guardian's consent and the child's own assent.
        qs = qs.filter(child_assent=True).exclude(guardian_name="")
    return qs.order_by("-given_on", "-id").first()


def require_consent_for_sharing(
    user: User,
    returnee: Any,
    purpose: str | Iterable[str],
    recipient_organisation: Organisation,
    *,
    life_at_risk_justification: str = "",
    channel: str = "web",
    sending_organisation: Organisation | None = None,
) -> Consent | None:
    """The consent that allows sharing with `recipient_organisation` (any of the purposes when several are
    given), or None when a mental-health professional invokes the life-at-risk exception with a
    justification (recorded as a flagged access event). Otherwise raises ConsentRequired.

    When `sending_organisation` is in another country than the recipient, only a cross-border consent
    naming the recipient will do (CrossBorderConsentRequired): shares, referrals and hand-overs alike."""
    if not permissions.is_active_user(user) or not scoping.can_see_returnee(user, returnee):
        raise permissions.denied()
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    refusal: type[ConsentRequired] = ConsentRequired
    if sending_organisation is not None and is_cross_border(sending_organisation, recipient_organisation):
        purposes, refusal = [ConsentPurpose.CROSS_BORDER], CrossBorderConsentRequired
    for p in purposes:
        consent = valid_consent(returnee, p, recipient_organisation)
        if consent is not None:
            return consent
    justification = (life_at_risk_justification or "").strip()
    missing = _("No valid consent from this person for sharing with %(organisation)s. Record the consent first.") % {
        "organisation": recipient_organisation.name
    }
    if refusal is CrossBorderConsentRequired:
        missing = _(
            "%(organisation)s is in another country: sharing needs a valid cross-border consent from this person "
            "naming it. Record the consent first."
        ) % {"organisation": recipient_organisation.name}
    if _has_child_case(returnee):
        missing += " " + _("For a child's case the consent must record the guardian's consent and the child's assent.")
    if justification:
        if not user.is_mental_health_professional:
            raise refusal(_("Only a mental-health professional can invoke the life-at-risk exception.") + " " + missing)
        audit.record_access(user, "consent_exception", returnee, purpose=justification, flagged=True, channel=channel)
        return None
    raise refusal(missing)


def share_case(
    user: User,
    case: Any,
    organisation: Organisation,
    reason: str,
    *,
    life_at_risk_justification: str = "",
    channel: str = "web",
) -> CaseShare:
    """Give `organisation` access to `case` (referral or transfer), only under a valid consent naming that
    organisation for referral or data sharing, or the life-at-risk exception. Only the organisation that
    holds the case shares it onward."""
    case_permissions.require_case_write(user, case)
    reason = (reason or "").strip()
    errors = FieldErrors()
    if not reason:
        errors.add("reason", _("Give the reason for sharing (what the organisation needs it for)."), "required")
    # The form offers other active organisations only: these are not among its choices either.
    if organisation.pk == case.organisation_id:
        errors.add("organisation", _("The case already belongs to this organisation."), "invalid_choice")
    elif not organisation.is_active:
        errors.add("organisation", _("This organisation is no longer active."), "invalid_choice")
    errors.raise_if_any()
    if case.returnee.anonymised_at:
        raise ValidationError(
            _("This person's record was anonymised; the case can no longer be shared."), code="anonymised"
        )
    with transaction.atomic(), set_actor(user):
        if CaseShare.objects.filter(case=case, organisation=organisation, revoked_at__isnull=True).exists():
            raise field_error("organisation", _("The case is already shared with this organisation."), "duplicate")
        consent = require_consent_for_sharing(
            user,
            case.returnee,
            SHARE_PURPOSES,
            organisation,
            life_at_risk_justification=life_at_risk_justification,
            channel=channel,
            sending_organisation=case.organisation,
        )
        share = CaseShare.objects.create(
            case=case, organisation=organisation, consent=consent, reason=reason[:300], granted_by=user
        )
        _case_event(case, user, what="shared", organisation=organisation.code, consent_exception=consent is None)
        return share


def revoke_share(user: User, share: CaseShare) -> CaseShare:
    """End a share now. The sharing organisation, or the receiving one (returning the case), may do it."""
    permissions.require(user, Capability.EDIT_CASES)
    sides = permissions.holds(user, share.case) or permissions.holds(user, share.organisation_id)
    if not sides or not scoping.can_see_case(user, share.case):
        raise permissions.denied()
    if share.revoked_at:
        return share
    with transaction.atomic(), set_actor(user):
        # Two revocations at once: the second finds the first and changes nothing (one timeline event).
        share.refresh_from_db(from_queryset=type(share)._default_manager.select_for_update())
        if share.revoked_at:
            return share
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        _case_event(share.case, user, what="share_revoked", organisation=share.organisation.code)
        return share


def revoke_lapsed_shares(
    day: date | None = None, *, organisation: Organisation | None = None, dry_run: bool = False
) -> int:
    """Revoke active shares whose consent has expired or been withdrawn (withdrawal already revokes;
    expiry happens silently with time). Shares under the life-at-risk exception have no consent and stay
    until someone revokes them. Returns how many."""
    day = day or timezone.localdate()
    lapsed = CaseShare.objects.filter(revoked_at__isnull=True, consent__isnull=False).exclude(
        consent__in=Consent.objects.filter(Consent.valid_q(day))
    )
    if organisation is not None:
        lapsed = lapsed.filter(case__organisation=organisation)
    if dry_run:
        return lapsed.count()
    count = 0
    now = timezone.now()
    with transaction.atomic():
        for share in lapsed.select_related("case", "organisation"):
            share.revoked_at = now
            share.save(update_fields=["revoked_at"])
            _case_event(
                share.case, None, what="share_revoked", organisation=share.organisation.code, cause="consent_lapsed"
            )
            count += 1
    return count


# --- retention (IOM DP principle 9) --------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_candidates(organisation: Organisation, today: date | None = None) -> models.QuerySet[Returnee]:
    """Returnees of `organisation`, not yet anonymised, all of whose cases were closed more than the
    organisation's retention period ago. A person with an open case, or a case closed more recently, is
    kept whole. People with no case at all are not touched here."""
    today = today or timezone.localdate()
    cutoff = months_before(today, organisation.retention_months)
    still_needed = Case.objects.filter(
        ~Q(status=CaseStatus.CLOSED) | Q(closed_on__isnull=True) | Q(closed_on__gte=cutoff)
    ).values("returnee_id")
    return (
        Returnee.objects.filter(organisation=organisation, anonymised_at__isnull=True, cases__isnull=False)
        .exclude(pk__in=still_needed)
        .distinct()
    )


@dataclass
class RetentionCount:
    returnees: int = 0
    cases: int = 0


@dataclass
class RetentionReport:
    dry_run: bool
    per_organisation: dict[str, RetentionCount] = field(default_factory=dict)
    lapsed_shares: int = 0

    @property
    def returnees(self) -> int:
        return sum(c.returnees for c in self.per_organisation.values())

    @property
    def cases(self) -> int:
        return sum(c.cases for c in self.per_organisation.values())


# Free text kept in short character fields (all TextFields of a case are cleared anyway).
_FREE_TEXT_CHAR_FIELDS = {
    "Case": ["reception_place", "causes_note"],
    "CounsellingSession": ["topics"],
    "ReintegrationPlan": ["agreed_late_reason"],
    "PlanItem": ["responsible"],
    "PlanItemProgress": ["note"],
}


def _free_text_fields(model: type[models.Model]) -> list[str]:
    """Every text field of the model (encrypted ones included) and its known free-text char fields."""
    names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField)]
    return names + _FREE_TEXT_CHAR_FIELDS.get(model.__name__, [])


def _cleared(model: type[models.Model]) -> dict[str, str]:
    return dict.fromkeys(_free_text_fields(model), "")


def anonymise_returnee(returnee_id: int, *, now: datetime | None = None) -> int:
    """Replace a returnee's personal data and the free text of their cases; keep what statistics need
    (statuses, dates, dimensions, need levels, return types, causes, municipality, sex, nationality, birth
    year, differential-attention codes). Returns the number of cases touched; 0 when already anonymised.

    The change log is switched off meanwhile: logging this change would copy the very data being erased
    into the append-only trail. `anonymised_at` is the record that it happened.
    """
    now = now or timezone.now()
    with transaction.atomic(), disable_auditlog():
        returnee = Returnee.objects.select_for_update().filter(pk=returnee_id, anonymised_at__isnull=True).first()
        if returnee is None:
            return 0
        birth_year = returnee.birth_year
        returnee.given_names = ANONYMISED_NAME
        returnee.first_family_name = ANONYMISED_NAME
        returnee.second_family_name = ""
        returnee.birth_date = None
        returnee.estimated_birth_year = birth_year
        returnee.birth_year = birth_year
        for name in ("phone", "address", "locality", "gender_identity", "languages", "match_record"):
            setattr(returnee, name, "")
        returnee.birth_date_index = None
        returnee.anonymised_at = now
        returnee.save()

        IdentityDocument.objects.filter(returnee=returnee).delete()
        # How the person was found: name search tokens and duplicate-check keys.
        clear_name_index([returnee.pk])
        Consent.objects.filter(returnee=returnee).update(guardian_name="", recipient_description="", withdrawal_note="")

        cases = Case.objects.filter(returnee=returnee)
        case_ids = list(cases.values_list("pk", flat=True))
        cases.update(**_cleared(Case))
        Assessment.objects.filter(case_id__in=case_ids).update(**_cleared(Assessment))
        CounsellingSession.objects.filter(case_id__in=case_ids).update(**_cleared(CounsellingSession))
        ReintegrationPlan.objects.filter(case_id__in=case_ids).update(**_cleared(ReintegrationPlan))
        PlanItem.objects.filter(plan__case_id__in=case_ids).update(**_cleared(PlanItem))
        FollowUpVisit.objects.filter(case_id__in=case_ids).update(**_cleared(FollowUpVisit))
        PlanItemProgress.objects.filter(visit__case_id__in=case_ids).update(**_cleared(PlanItemProgress))
        CaseShare.objects.filter(case_id__in=case_ids, revoked_at__isnull=True).update(revoked_at=now)
        CaseShare.objects.filter(case_id__in=case_ids).update(reason="")
        # Timeline events carry free text (a reopening reason) only in their note.
        CaseEvent.objects.filter(case_id__in=case_ids).exclude(note="").update(note="")
        # What the apps above erase of these cases (children: tracing and reunification).
        retention_hooks.clear_cases(case_ids)

        household_ids = set(cases.exclude(household__isnull=True).values_list("household_id", flat=True))
        # A household also linked to someone else's case keeps its data until that person's turn.
        shared = set(
            Case.objects.filter(household_id__in=household_ids)
            .exclude(returnee=returnee)
            .filter(returnee__anonymised_at__isnull=True)
            .values_list("household_id", flat=True)
        )
        own = household_ids - shared
        Household.objects.filter(pk__in=own).update(**_cleared(Household))
        today = now.date()
        for member in HouseholdMember.objects.filter(household_id__in=own):
            if member.birth_date and member.estimated_age is None:
                born = member.birth_date
                member.estimated_age = today.year - born.year - int((today.month, today.day) < (born.month, born.day))
            HouseholdMember.objects.filter(pk=member.pk).update(
                given_names="", family_names="", birth_date=None, estimated_age=member.estimated_age
            )
        return len(case_ids)


def apply_retention(
    *, dry_run: bool = False, today: date | None = None, organisation: Organisation | None = None, actor: Any = None
) -> RetentionReport:
    """Anonymise every returnee past their organisation's retention period (see `retention_candidates`)
    and revoke shares whose consent has lapsed. `dry_run` counts and changes nothing. Reports counts only,
    never names. `actor=None` is the operator at the shell; otherwise Capability.APPLY_RETENTION, and only
    for the actor's organisation."""
    if actor is not None:
        permissions.require(actor, Capability.APPLY_RETENTION)
        permissions.require_holding_organisation(actor, organisation.pk if organisation is not None else None)
    today = today or timezone.localdate()
    report = RetentionReport(dry_run=dry_run)
    orgs = [organisation] if organisation is not None else list(Organisation.objects.order_by("code"))
    now = timezone.now()
    for org in orgs:
        ids = list(retention_candidates(org, today).values_list("pk", flat=True))
        count = RetentionCount()
        if dry_run:
            count.returnees = len(ids)
            count.cases = Case.objects.filter(returnee_id__in=ids).count()
        else:
            for pk in ids:
                touched = anonymise_returnee(pk, now=now)
                if touched:
                    count.returnees += 1
                    count.cases += touched
        report.per_organisation[org.code] = count
        if count.returnees:
            logger.info(
                "retention %s: organisation=%s returnees=%d cases=%d",
                "dry-run" if dry_run else "applied",
                org.code,
                count.returnees,
                count.cases,
            )
    report.lapsed_shares = revoke_lapsed_shares(today, organisation=organisation, dry_run=dry_run)
    return report
