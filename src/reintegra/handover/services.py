"""Every write of the hand-over app (docs/handover.md). Each user-facing function checks capability and
object on its first line, whoever calls it; the receiving endpoint has no user: a registered partner's
signature authenticates the package.

States: draft → sent → received → accepted / declined (with a reason); draft, sent or received → revoked
by the sender. Every change is stamped (`HandOverEvent`: who, when) and recorded in the access trail of
the side that made it; between installations the other side learns it by a signed status package."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import audit, permissions
from reintegra.access.models import Organisation
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import duplicates, scoping
from reintegra.cases import permissions as case_permissions
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseEventKind, CaseStatus, MigrationCause
from reintegra.cases.models import Case, CaseEvent, Returnee
from reintegra.handover import keys, minimise, package
from reintegra.handover.choices import DeliveryStatus, HandOverDirection, HandOverStatus, PackageKind
from reintegra.handover.models import Delivery, HandOver, HandOverEvent, PartnerInstallation, SeenPackage
from reintegra.places.models import AdminArea
from reintegra.protection.choices import ConsentPurpose
from reintegra.protection.services import require_consent_for_sharing
from reintegra.structural.models import CooperationFramework, DataExchangeRule, Stakeholder
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from reintegra.access.models import User

S = HandOverStatus
# Which step may happen in which state (TransitionError with the step's code otherwise).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send": (frozenset({S.DRAFT}), S.SENT),
    "receive": (frozenset({S.SENT}), S.RECEIVED),
    "accept": (frozenset({S.RECEIVED}), S.ACCEPTED),
    "decline": (frozenset({S.RECEIVED}), S.DECLINED),
    "revoke": (frozenset({S.DRAFT, S.SENT, S.RECEIVED}), S.REVOKED),
}


def target(handover: HandOver, step: str) -> str:
    sources, to = TRANSITIONS[step]
    if handover.status not in sources:
        raise TransitionError(
            _("This hand-over is %(status)s: it cannot be %(step)s now.")
            % {"status": handover.get_status_display().lower(), "step": _step_word(step)},
            f"not_{step}able" if step != "send" else "not_sendable",
        )
    return to


def _step_word(step: str) -> str:
    return {
        "send": _("sent"),
        "receive": _("received"),
        "accept": _("accepted"),
        "decline": _("declined"),
        "revoke": _("revoked"),
    }[step]


@contextmanager
def _write(user: User | None) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _stamp(
    handover: HandOver, to: str, *, user: User | None = None, partner: PartnerInstallation | None = None
) -> None:
    source = handover.status
    handover.status = to
    HandOverEvent.objects.create(handover=handover, from_status=source, to_status=to, by=user, by_partner=partner)


def _audit(user: User | None, handover: HandOver, what: str, channel: str) -> None:
    audit.record_access(user, "change", handover, purpose=f"handover {what}", channel=channel)


def _case_event(case: Case | None, user: User | None, **data: Any) -> None:
    # Timeline data: codes and states only, never the reason.
    if case is not None:
        CaseEvent.objects.create(case=case, kind=CaseEventKind.UPDATED, actor=user, data={"handover": data})


# --- what travels --------------------------------------------------------------------------------


def allowed_categories(framework: CooperationFramework, party: Stakeholder) -> list[str]:
    """The data categories the framework's exchange matrix lets `party` consult."""
    return sorted(
        DataExchangeRule.objects.filter(framework=framework, party=party, may_consult=True).values_list(
            "category", flat=True
        )
    )


def _check_categories(errors: FieldErrors, categories: list[str]) -> None:
    missing = minimise.REQUIRED - set(categories)
    if missing:
        errors.add(
            "recipient_party",
            _(
                "The cooperation framework does not let this party consult returnee profiles and the situation in "
                "the country of origin: a hand-over needs both. Update the framework's data-exchange rules first."
            ),
            "categories_not_allowed",
        )


# --- sending side ----------------------------------------------------------------------------------


@dataclass
class HandOverInput:
    framework: CooperationFramework | None
    recipient_party: Stakeholder | None
    reason: str
    recipient_organisation: Organisation | None = None
    partner: PartnerInstallation | None = None


def _check_recipient(errors: FieldErrors, case: Case, data: HandOverInput) -> None:
    if (data.recipient_organisation is None) == (data.partner is None):
        errors.add(
            "recipient_organisation",
            _("Choose either an organisation of this installation or a partner installation."),
            "required",
        )
        return
    if data.partner is not None:
        if data.partner.owner_id != case.organisation_id or not data.partner.is_active:
            errors.add("partner", _("Choose a partner installation your organisation registered."), "invalid_choice")
        return
    org = data.recipient_organisation
    assert org is not None
    if org.pk == case.organisation_id:
        errors.add("recipient_organisation", _("The case already belongs to this organisation."), "invalid_choice")
    elif not org.is_active:
        errors.add("recipient_organisation", _("This organisation is no longer active."), "invalid_choice")


def _check_framework(errors: FieldErrors, case: Case, data: HandOverInput) -> list[str]:
    framework = data.partner.framework if data.partner is not None else data.framework
    if framework is None or framework.programme.organisation_id != case.organisation_id:
        errors.add(
            "framework", _("Choose a cooperation framework of your organisation's programmes."), "invalid_choice"
        )
        return []
    data.framework = framework
    party = data.recipient_party
    if party is None or not framework.parties.filter(pk=party.pk).exists():
        errors.add("recipient_party", _("Choose the recipient among the framework's parties."), "invalid_choice")
        return []
    categories = allowed_categories(framework, party)
    _check_categories(errors, categories)
    return categories


def create_handover(user: User, case: Case, data: HandOverInput, *, channel: str = "web") -> HandOver:
    """A draft hand-over of `case`; nothing leaves until it is sent."""
    case_permissions.require_case_write(user, case)
    errors = FieldErrors()
    reason = (data.reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why the case is handed over."), "required")
    _check_recipient(errors, case, data)
    categories = _check_framework(errors, case, data)
    errors.raise_if_any()
    if case.status == CaseStatus.CLOSED:
        raise TransitionError(_("A closed case cannot be handed over."), "case_closed")
    recipient = data.partner.organisation if data.partner is not None else data.recipient_organisation
    assert recipient is not None
    with _write(user):
        handover = HandOver.objects.create(
            case=case,
            sending_organisation=case.organisation,
            sender_name=case.organisation.name,
            recipient_organisation=recipient,
            partner=data.partner,
            framework=data.framework,
            recipient_party=data.recipient_party,
            categories=categories,
            reason=reason[:500],
            created_by=user,
        )
        HandOverEvent.objects.create(handover=handover, to_status=S.DRAFT, by=user)
        _audit(user, handover, "created", channel)
        _case_event(case, user, what="created", recipient=recipient.code)
        return handover


def _require_sender(user: User, handover: HandOver) -> Case:
    if handover.direction != HandOverDirection.OUTGOING or handover.case is None:
        raise permissions.denied()
    case_permissions.require_case_write(user, handover.case)
    return handover.case


def _locked(handover: HandOver) -> HandOver:
    return HandOver.objects.select_for_update().get(pk=handover.pk)


def send_handover(user: User, handover: HandOver, *, channel: str = "web") -> HandOver:
    """Check consent and the exchange rules again, build the minimised package and deliver it: into the
    recipient's inbox here, or sealed for the partner installation (pushed in the background)."""
    case = _require_sender(user, handover)
    target(handover, "send")
    with _write(user):
        handover = _locked(handover)
        to = target(handover, "send")
        consent = require_consent_for_sharing(
            user,
            case.returnee,
            ConsentPurpose.CROSS_BORDER,
            handover.recipient_organisation,
            channel=channel,
            sending_organisation=case.organisation,
        )
        errors = FieldErrors()
        framework, party = handover.framework, handover.recipient_party
        categories = allowed_categories(framework, party) if framework is not None and party is not None else []
        _check_categories(errors, categories)
        errors.raise_if_any()
        handover.consent = consent
        handover.categories = categories
        handover.payload = minimise.build(case, categories)
        handover.sent_at = timezone.now()
        _stamp(handover, to, user=user)
        if handover.partner is None:
            # Within the installation the inbox is the delivery: received at once.
            handover.received_at = handover.sent_at
            _stamp(handover, S.RECEIVED, user=None)
        handover.save()
        _audit(user, handover, "sent", channel)
        _case_event(case, user, what="sent", recipient=handover.recipient_organisation.code)
        delivery = _queue(handover, PackageKind.HANDOVER, _handover_body(handover)) if handover.partner else None
    if delivery is not None:
        _enqueue(delivery)
    return handover


def revoke_handover(user: User, handover: HandOver, *, channel: str = "web") -> HandOver:
    """The sender takes the hand-over back before it is answered; the package's data is erased here and the
    partner is told (it erases its copy)."""
    case = _require_sender(user, handover)
    target(handover, "revoke")
    with _write(user):
        handover = _locked(handover)
        to = target(handover, "revoke")
        notify = handover.partner is not None and handover.status != S.DRAFT
        handover.revoked_at = timezone.now()
        handover.payload = {}
        _stamp(handover, to, user=user)
        handover.save()
        _audit(user, handover, "revoked", channel)
        _case_event(case, user, what="revoked")
        delivery = _queue(handover, PackageKind.STATUS, _status_body(handover)) if notify else None
    if delivery is not None:
        _enqueue(delivery)
    return handover


# --- receiving side --------------------------------------------------------------------------------


def _require_recipient(user: User, handover: HandOver) -> None:
    permissions.require(user, Capability.EDIT_CASES)
    if handover.direction == HandOverDirection.OUTGOING and handover.partner_id is not None:
        raise permissions.denied()  # our own package to a partner: answered over there
    permissions.require_holding_organisation(user, handover.recipient_organisation_id)


@dataclass
class AcceptInput:
    existing_returnee: Returnee | None = None
    confirmation: duplicates.DistinctPersonConfirmation | None = None


def accept_handover(
    user: User, handover: HandOver, data: AcceptInput | None = None, *, channel: str = "web"
) -> HandOver:
    """The recipient takes the person on: their case is opened here from the package, the person either
    linked to an existing record (a repeat returnee, chosen after the duplicate check) or registered
    (refused with `possible_duplicate` while a likely duplicate was not looked at)."""
    _require_recipient(user, handover)
    data = data or AcceptInput()
    target(handover, "accept")
    with _write(user):
        handover = _locked(handover)
        to = target(handover, "accept")
        payload = handover.payload or {}
        returnee = _recipient_person(user, payload, data, channel)
        case = _open_case(user, returnee, payload, handover)
        handover.accepted_case = case
        handover.answered_at = timezone.now()
        _stamp(handover, to, user=user)
        handover.save()
        _audit(user, handover, "accepted", channel)
        _case_event(case, user, what="accepted", sender=handover.sender_name[:60])
        delivery = _answer(handover)
    if delivery is not None:
        _enqueue(delivery)
    return handover


def decline_handover(user: User, handover: HandOver, reason: str, *, channel: str = "web") -> HandOver:
    _require_recipient(user, handover)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the hand-over is declined."), "required")
    target(handover, "decline")
    with _write(user):
        handover = _locked(handover)
        to = target(handover, "decline")
        handover.decline_reason = reason[:500]
        handover.answered_at = timezone.now()
        if handover.direction == HandOverDirection.INCOMING:
            handover.payload = {}  # not taken on: nothing of the person stays here
        _stamp(handover, to, user=user)
        handover.save()
        _audit(user, handover, "declined", channel)
        _case_event(handover.case, user, what="declined")
        delivery = _answer(handover)
    if delivery is not None:
        _enqueue(delivery)
    return handover


def _answer(handover: HandOver) -> Delivery | None:
    if handover.direction != HandOverDirection.INCOMING or handover.partner is None:
        return None
    return _queue(handover, PackageKind.STATUS, _status_body(handover))


def _profile_query(profile: dict[str, Any]) -> duplicates.DuplicateQuery:
    return duplicates.DuplicateQuery(
        given_names=str(profile.get("given_names") or ""),
        first_family_name=str(profile.get("first_family_name") or ""),
        second_family_name=str(profile.get("second_family_name") or ""),
        birth_date=_date(profile.get("birth_date")),
        document_numbers=tuple(str(d.get("number") or "") for d in profile.get("documents") or []),
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _recipient_person(user: User, payload: dict[str, Any], data: AcceptInput, channel: str) -> Returnee:
    if data.existing_returnee is not None:
        returnee = data.existing_returnee
        if not scoping.can_see_returnee(user, returnee) or returnee.organisation_id != user.organisation_id:
            raise field_error(
                "existing_returnee", _("Choose a person registered by your organisation."), "invalid_choice"
            )
        return returnee
    profile = payload.get("returnee_profiles") or {}
    origin = payload.get("origin_situation") or {}
    year = profile.get("estimated_birth_year")
    birth = _date(profile.get("birth_date"))
    person = case_services.ReturneeInput(
        given_names=str(profile.get("given_names") or ""),
        first_family_name=str(profile.get("first_family_name") or ""),
        second_family_name=str(profile.get("second_family_name") or ""),
        nationality=str(profile.get("nationality") or ""),
        return_country=str(origin.get("return_country") or profile.get("nationality") or ""),
        sex=str(profile.get("sex") or "unknown"),
        birth_date=birth,
        estimated_age=(timezone.localdate().year - int(year)) if (birth is None and isinstance(year, int)) else None,
        phone=str(profile.get("phone") or ""),
        languages=str(profile.get("languages") or ""),
        admin1_id=_area_id(origin.get("admin1"), None),
        municipality_id=_area_id(origin.get("municipality"), _area_id(origin.get("admin1"), None)),
        documents=[
            case_services.DocumentInput(
                document_type=str(d.get("document_type") or ""),
                number=str(d.get("number") or ""),
                issuing_country=str(d.get("issuing_country") or ""),
            )
            for d in profile.get("documents") or []
            if isinstance(d, dict)
        ],
    )
    try:
        return case_services.register_returnee(user, person, confirmation=data.confirmation, channel=channel)
    except duplicates.PossibleDuplicate as exc:
        ids = ", ".join(str(c.returnee.pk) for c in exc.result.candidates)
        message = duplicates.PossibleDuplicate.message()
        if ids:
            message += " " + _("Possible matches (person ids): %(ids)s.") % {"ids": ids}
        raise field_error("existing_returnee", message, "possible_duplicate") from None


def _area_id(code: Any, parent_id: int | None) -> int | None:
    if not code:
        return None
    qs = AdminArea.objects.filter(code=str(code))
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    return qs.values_list("pk", flat=True).first()


def _open_case(user: User, returnee: Returnee, payload: dict[str, Any], handover: HandOver) -> Case:
    open_case = returnee.cases.exclude(status=CaseStatus.CLOSED).first()
    if open_case is not None:
        return open_case  # the repeat returnee's open case carries on
    origin = payload.get("origin_situation") or {}
    needs = payload.get("needs_intentions") or {}
    assistance = payload.get("assistance") or {}
    causes = [c for c in needs.get("causes_of_migration") or [] if c in MigrationCause.values]
    data = case_services.ReturnInput(
        return_date=_date(origin.get("return_date")) or timezone.localdate(),
        return_type=str(origin.get("return_type") or ""),
        host_country=str(origin.get("host_country") or ""),
        transit_countries=[str(c) for c in origin.get("transit_countries") or []],
        reception_assistance=list(assistance.get("reception_assistance") or []),
        causes_of_migration=causes or [MigrationCause.OTHER],
        causes_note="" if causes else _("Not shared in the hand-over."),
    )
    return case_services.open_case(user, returnee, data)


# --- partners and keys -----------------------------------------------------------------------------


@dataclass
class PartnerInput:
    name: str
    base_url: str
    public_jwks: Any
    framework: CooperationFramework | None
    organisation: Organisation | None
    remote_organisation_code: str


def _check_partner(user: User, data: PartnerInput) -> tuple[dict[str, Any], str]:
    errors = FieldErrors()
    if not (data.name or "").strip():
        errors.add("name", _("Give the partner installation's name."), "required")
    url = (data.base_url or "").strip()
    allowed = ("https://", "http://") if settings.REINTEGRA_HANDOVER_ALLOW_HTTP else ("https://",)
    if not url.startswith(allowed):
        errors.add("base_url", _("Give the partner's address, starting with https://."), "invalid")
    jwks: dict[str, Any] = {}
    try:
        jwks = package.check_public_jwks(data.public_jwks)
    except package.PackageError:
        errors.add(
            "public_jwks",
            _("Paste the partner's public keys (a JWK set with a signing and an encryption key)."),
            "invalid",
        )
    framework = data.framework
    if framework is None or framework.programme.organisation_id != user.organisation_id:
        errors.add(
            "framework", _("Choose a cooperation framework of your organisation's programmes."), "invalid_choice"
        )
    if data.organisation is None or data.organisation.pk == user.organisation_id:
        errors.add("organisation", _("Choose the organisation that stands for the partner."), "invalid_choice")
    if not (data.remote_organisation_code or "").strip():
        errors.add("remote_organisation_code", _("Give the organisation's code at the partner."), "required")
    errors.raise_if_any()
    sender = package.installation_id(jwks)
    if sender == keys.installation_id():
        raise field_error("public_jwks", _("These are this installation's own keys."), "own_keys")
    return jwks, sender


def register_partner(user: User, data: PartnerInput, *, channel: str = "web") -> PartnerInstallation:
    """A programme manager registers a partner installation after comparing the key fingerprint."""
    permissions.require(user, Capability.MANAGE_PROGRAMME)
    jwks, sender = _check_partner(user, data)
    with _write(user):
        if PartnerInstallation.objects.filter(sender_id=sender).exists():
            raise field_error("public_jwks", _("A partner with these keys is already registered."), "duplicate")
        assert data.organisation is not None and data.framework is not None
        partner = PartnerInstallation.objects.create(
            name=data.name.strip()[:200],
            base_url=data.base_url.strip().rstrip("/"),
            public_jwks=jwks,
            sender_id=sender,
            framework=data.framework,
            organisation=data.organisation,
            remote_organisation_code=data.remote_organisation_code.strip(),
            owner_id=permissions.own_organisation_id(user),
            registered_by=user,
        )
        audit.record_access(user, "change", partner, purpose="partner registered", channel=channel)
        return partner


def deactivate_partner(user: User, partner: PartnerInstallation, *, channel: str = "web") -> PartnerInstallation:
    permissions.require(user, Capability.MANAGE_PROGRAMME)
    permissions.require_holding_organisation(user, partner.owner_id)
    with _write(user):
        partner.is_active = False
        partner.save(update_fields=["is_active"])
        audit.record_access(user, "change", partner, purpose="partner deactivated", channel=channel)
        return partner


# --- packages ----------------------------------------------------------------------------------------


def _handover_body(handover: HandOver) -> dict[str, Any]:
    assert handover.partner is not None
    return {
        "handover_id": str(handover.package_id),
        "recipient": handover.partner.remote_organisation_code,
        "sender_name": handover.sender_name,
        "reason": handover.reason,
        "categories": list(handover.categories),
        "data": handover.payload,
    }


def _status_body(handover: HandOver) -> dict[str, Any]:
    return {"handover_id": str(handover.package_id), "status": handover.status, "reason": handover.decline_reason}


def _queue(handover: HandOver, kind: str, body: dict[str, Any]) -> Delivery:
    partner = handover.partner
    assert partner is not None
    token = package.seal(
        private_jwks=keys.signing_jwks(),
        recipient_public_jwks=partner.public_jwks,
        jti=uuid.uuid4().hex,
        kind=kind,
        body=body,
        lifetime_seconds=settings.REINTEGRA_HANDOVER_PACKAGE_HOURS * 3600,
    )
    return Delivery.objects.create(
        handover=handover, partner=partner, kind=kind, token=token, next_attempt_at=timezone.now()
    )


def _enqueue(delivery: Delivery) -> None:
    from reintegra.handover import tasks

    transaction.on_commit(lambda: tasks.enqueue_delivery(delivery.pk))


class PackageRefused(Exception):
    """The inbox refuses a package; `code` is the answer's code, `status` its HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


_REFUSALS = {
    "unknown_sender": (_("The package does not come from a registered partner installation."), 403),
    "bad_signature": (_("The package's signature is not valid."), 403),
    "cannot_decrypt": (_("The package was not sealed for this installation or was altered."), 400),
    "not_for_us": (_("The package is addressed to another installation."), 400),
    "expired": (_("The package has expired: ask the sender to send it again."), 400),
    "not_yet_valid": (_("The package is dated in the future."), 400),
    "malformed": (_("This is not a hand-over package."), 400),
    "replay": (_("This package was already received."), 409),
    "unknown_recipient": (_("The package names an organisation that does not exist here."), 400),
    "unknown_handover": (_("The package refers to a hand-over this installation does not know."), 400),
}


def _refuse(code: str) -> PackageRefused:
    message, status = _REFUSALS[code]
    return PackageRefused(code, str(message), status)


def _partner_keys(kid: str) -> dict[str, Any] | None:
    partner = PartnerInstallation.objects.filter(sender_id=kid, is_active=True).first()
    return dict(partner.public_jwks) if partner else None


def receive_package(token: str, *, uploaded_by: User | None = None, channel: str = "api") -> HandOver:
    """The inbox: open a package pushed by a partner (no user) or carried as a file (`uploaded_by`, a user
    of the recipient organisation). Refuses unknown senders, bad signatures, replays and expired packages."""
    if uploaded_by is not None:
        permissions.require(uploaded_by, Capability.EDIT_CASES)
    try:
        opened = package.open_package(token, private_jwks_list=keys.decrypting_jwks(), sender_keys=_partner_keys)
    except package.PackageError as exc:
        raise _refuse(exc.code if exc.code in _REFUSALS else "malformed") from None
    partner = PartnerInstallation.objects.get(sender_id=opened.issuer)
    with _write(uploaded_by):
        try:
            with transaction.atomic():
                SeenPackage.objects.create(jti=opened.jti, partner=partner)
        except IntegrityError:
            raise _refuse("replay") from None
        if opened.kind == PackageKind.HANDOVER:
            handover = _incoming(partner, opened.body, uploaded_by)
        else:
            handover = _status_from_partner(partner, opened.body)
        audit.record_access(uploaded_by, "change", handover, purpose=f"handover package {opened.kind}", channel=channel)
        return handover


def _incoming(partner: PartnerInstallation, body: dict[str, Any], uploaded_by: User | None) -> HandOver:
    recipient = Organisation.objects.filter(code=str(body.get("recipient") or ""), is_active=True).first()
    if recipient is None:
        raise _refuse("unknown_recipient")
    if uploaded_by is not None:
        permissions.require_holding_organisation(uploaded_by, recipient.pk)
    try:
        package_id = uuid.UUID(str(body.get("handover_id")))
    except ValueError:
        raise _refuse("malformed") from None
    if HandOver.objects.filter(package_id=package_id, direction=HandOverDirection.INCOMING).exists():
        raise _refuse("replay")
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    now = timezone.now()
    handover = HandOver(
        package_id=package_id,
        direction=HandOverDirection.INCOMING,
        sender_name=str(body.get("sender_name") or partner.name)[:200],
        recipient_organisation=recipient,
        partner=partner,
        framework=partner.framework,
        categories=[c for c in body.get("categories") or [] if isinstance(c, str)],
        payload=data,
        reason=str(body.get("reason") or "")[:500],
        sent_at=now,
        received_at=now,
        status=S.SENT,
    )
    handover.save()
    HandOverEvent.objects.create(handover=handover, to_status=S.SENT, by_partner=partner)
    _stamp(handover, S.RECEIVED, partner=partner)
    handover.save(update_fields=["status"])
    return handover


_REMOTE_STEPS: dict[str, str] = {S.ACCEPTED: "accept", S.DECLINED: "decline", S.REVOKED: "revoke"}


def _status_from_partner(partner: PartnerInstallation, body: dict[str, Any]) -> HandOver:
    try:
        package_id = uuid.UUID(str(body.get("handover_id")))
    except ValueError:
        raise _refuse("malformed") from None
    handover = HandOver.objects.select_for_update().filter(package_id=package_id, partner=partner).first()
    step = _REMOTE_STEPS.get(str(body.get("status")))
    if handover is None or step is None:
        raise _refuse("unknown_handover")
    if step == "revoke" and handover.direction != HandOverDirection.INCOMING:
        raise _refuse("unknown_handover")
    if step in ("accept", "decline") and handover.direction != HandOverDirection.OUTGOING:
        raise _refuse("unknown_handover")
    if handover.status == S.SENT and step != "revoke":
        _stamp(handover, S.RECEIVED, partner=partner)  # the answer proves receipt
    try:
        to = target(handover, step)
    except TransitionError:
        return handover  # already there (or later): a late answer changes nothing
    now = timezone.now()
    if step == "revoke":
        handover.revoked_at = now
        handover.payload = {}
    else:
        handover.answered_at = now
        handover.decline_reason = str(body.get("reason") or "")[:500] if step == "decline" else ""
    _stamp(handover, to, partner=partner)
    handover.save()
    return handover


# --- retention ---------------------------------------------------------------------------------------


def clear_for_retention(case_ids: list[int]) -> None:
    """Retention (protection.anonymise_returnee): the hand-overs of the person's cases, sent or accepted here,
    lose the package's data and the reasons; states, dates and codes stay for statistics."""
    rows = HandOver.objects.filter(Q(case_id__in=case_ids) | Q(accepted_case_id__in=case_ids))
    for handover in rows:
        handover.payload = {}
        handover.reason = ""
        handover.decline_reason = ""
        handover.save(update_fields=["payload", "reason", "decline_reason"])


# --- delivery ----------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff: base × 2^(attempts-1), capped at a day."""
    return int(min(settings.REINTEGRA_HANDOVER_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 86400))


def record_attempt(delivery: Delivery, *, ok: bool, error: str = "") -> Delivery:
    """The outcome of one push: delivered (and the hand-over received), or the next attempt scheduled, or
    failed after the last one: shown in the outbox, never dropped."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("handover").get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.DELIVERED:
            return delivery
        delivery.attempts += 1
        now = timezone.now()
        if ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
            handover = delivery.handover
            if delivery.kind == PackageKind.HANDOVER and handover.status == S.SENT:
                handover = _locked(handover)
                handover.received_at = now
                _stamp(handover, S.RECEIVED, partner=delivery.partner)
                handover.save(update_fields=["status", "received_at"])
        else:
            delivery.last_error = error[:200]
            if delivery.attempts >= settings.REINTEGRA_HANDOVER_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save()
        return delivery


def retry_delivery(user: User, delivery: Delivery, *, channel: str = "web") -> Delivery:
    """The outbox's retry button: a failed (or waiting) delivery goes again now."""
    permissions.require(user, Capability.EDIT_CASES)
    handover = delivery.handover
    sender = handover.sending_organisation_id if handover.direction == HandOverDirection.OUTGOING else None
    permissions.require_holding_organisation(user, sender or handover.recipient_organisation_id)
    if delivery.status == DeliveryStatus.DELIVERED:
        raise TransitionError(_("This package was already delivered."), "already_delivered")
    with _write(user):
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record_access(user, "change", handover, purpose="handover delivery retried", channel=channel)
        _enqueue(delivery)
    return delivery


def refuse_missing_package() -> ValidationError:
    return field_error("file", _("Choose the .json.jwe file of the hand-over."), "required")
