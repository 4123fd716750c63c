"""Every write of the referral network: directory, SOPs and the referral's closed loop.

Each function checks the user's role first, validates with translated messages (ValidationError with
field names), runs in one transaction attributed to the user in the change log, and writes the case
timeline (codes, dates and organisation names only).

Consent (docs/domain-referrals.md §4, IOM DP principles 4-5): a referral is *sent* only under a valid consent of the
returnee naming the provider's organisation, for referral or data sharing, or under the life-at-risk
exception of a mental-health professional (protection.services.require_consent_for_sharing). A provider that
is not on the platform (no organisation) receives nothing through Reintegra: the referral is recorded as
an *external* referral and needs a valid referral or data-sharing consent naming that provider (the consent
ledger's `recipient_provider`; a description of a recipient authorises nothing); its answers are recorded by
the referring side. Without consent: a clear refusal, nothing sent.

Size (over 600 lines): the directory, the SOPs and the referral loop share the consent check, the
change log and the timeline helpers. The directory's writes are the first to move out when it grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_countries import countries

from reintegra.access import permissions, versioning
from reintegra.access.models import Organisation
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases import selectors as case_selectors
from reintegra.cases.choices import AttentionFlag, CaseEventKind, CaseStatus, Sex
from reintegra.cases.models import Case, CaseEvent, PlanItem
from reintegra.places.models import AdminArea
from reintegra.protection.choices import ConsentPurpose
from reintegra.protection.services import ConsentRequired, require_consent_for_sharing, valid_consent
from reintegra.referrals import catalogue, lifecycle, links, sla
from reintegra.referrals.choices import (
    Cost,
    DeclineReason,
    Dimension,
    GeographicLevel,
    OrganisationType,
    PathwayPopulation,
    ReferralPriority,
    ReferralStatus,
    ServiceSector,
)
from reintegra.referrals.models import (
    ContactPerson,
    Referral,
    ReferralPathway,
    ReferralStatusChange,
    Service,
    ServiceProvider,
)
from reintegra.referrals.permissions import can_manage_pathways, require_directory_manager
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from reintegra.access.models import User


def input_of[T: DataclassInstance](cls: type[T], data: Mapping[str, Any], **values: Any) -> T:
    """One of the *Input dataclasses below from a form's cleaned data or a serializer's validated data: the
    entries it has a field for (others are left out; a missing one takes its default), then `values`."""
    names = {f.name for f in fields(cls)}
    return cls(**{**{k: v for k, v in data.items() if k in names}, **values})


# --- directory: providers and their services -----------------------------------------------------


@dataclass
class ContactInput:
    name: str = ""  # required: the service refuses a contact person without one ("contacts.0.name")
    position: str = ""
    phone: str = ""
    email: str = ""
    availability: str = ""


@dataclass
class ProviderInput:
    name: str
    organisation_type: str
    country: str
    # The organisation the entry should be linked to: asked for, linked only once it accepts (links.py).
    organisation: Organisation | links.Unchanged | None = links.UNCHANGED
    languages: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    is_active: bool = True
    # None leaves the contact persons as they are; a list replaces them.
    contacts: list[ContactInput] | None = None

    @classmethod
    def of(cls, provider: ServiceProvider) -> ProviderInput:
        """The provider as it is (the base a partial update changes; its link is left as it is)."""
        return cls(
            name=provider.name,
            organisation_type=provider.organisation_type,
            country=str(provider.country),
            languages=provider.languages,
            address=provider.address,
            phone=provider.phone,
            email=provider.email,
            website=provider.website,
            is_active=provider.is_active,
        )


def _is_country(code: str) -> bool:
    return bool(code) and code in dict(countries)


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _valid_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


def _valid_website(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


def _provider_errors(data: ProviderInput, provider: ServiceProvider | None, name: str, country: str) -> FieldErrors:
    errors = FieldErrors()
    if not name:
        errors.add("name", _("Give the provider's name."), "required")
    if data.organisation_type not in OrganisationType.values:
        errors.add("organisation_type", _("Choose the type of organisation from the list."), "invalid_choice")
    if not _is_country(country):
        errors.add("country", _("Choose the country from the list."), "invalid_choice")
    elif (
        name
        and ServiceProvider.objects.filter(country=country, name__iexact=name)
        .exclude(pk=provider.pk if provider else 0)
        .exists()
    ):
        errors.add("name", _("A provider with this name already exists in this country."), "duplicate")
    email, website = _text(data.email, 254), _text(data.website, 200)
    if email and not _valid_email(email):
        errors.add("email", _("Enter a valid e-mail address."), "invalid")
    if website and not _valid_website(website):
        errors.add("website", _("Enter a valid web address (starting with https://)."), "invalid")
    with errors.capture():
        links.check_link_change(provider or ServiceProvider(), data.organisation)
    _contact_errors(errors, data.contacts or [])
    return errors


def _contact_errors(errors: FieldErrors, contacts: list[ContactInput]) -> None:
    """Each contact person's errors under its position ("contacts.1.name")."""
    for index, contact in enumerate(contacts):
        number = {"number": index + 1}
        if not _text(contact.name, 160):
            errors.add(f"contacts.{index}.name", _("Contact %(number)s: give the name.") % number, "required")
        if contact.email and not _valid_email(contact.email.strip()):
            errors.add(
                f"contacts.{index}.email", _("Contact %(number)s: enter a valid e-mail address.") % number, "invalid"
            )


def save_provider(
    user: User, data: ProviderInput, provider: ServiceProvider | None = None, *, expected_version: int | None = None
) -> ServiceProvider:
    """Create a provider of the directory (owned by the user's organisation), or update `provider` (its
    owner's users only), with its contact persons (part of the provider: `expected_version` is the provider's
    version the user read; stale raises StaleVersion); a new `organisation` is asked for, not linked."""
    require_directory_manager(user)
    if provider is not None:
        links.require_owner(user, provider)
    name = _text(data.name, 200)
    country = (data.country or "").strip().upper()
    _provider_errors(data, provider, name, country).raise_if_any()
    with transaction.atomic(), set_actor(user):
        target = (
            ServiceProvider() if provider is None else ServiceProvider.objects.select_for_update().get(pk=provider.pk)
        )
        if provider is None:
            target.owner_id = permissions.own_organisation_id(user)
        else:
            versioning.check(target, expected_version)
        _set_provider(target, data, name, country)
        target.save()
        if data.contacts is not None:
            _replace_contacts(target, data.contacts)
        links.change_link(user, target, data.organisation)
        return target


def _set_provider(target: ServiceProvider, data: ProviderInput, name: str, country: str) -> None:
    target.name = name
    target.organisation_type = data.organisation_type
    target.country = country
    target.languages = _text(data.languages, 200)
    target.address = _text(data.address, 250)
    target.phone = _text(data.phone, 40)
    target.email = _text(data.email, 254)
    target.website = _text(data.website, 200)
    target.is_active = data.is_active


def _replace_contacts(provider: ServiceProvider, contacts: list[ContactInput]) -> None:
    """Contact persons are replaced as a list (nothing refers to them)."""
    provider.contacts.all().delete()
    ContactPerson.objects.bulk_create(
        ContactPerson(
            provider=provider,
            name=_text(c.name, 160),
            position=_text(c.position, 160),
            phone=_text(c.phone, 40),
            email=_text(c.email, 254),
            availability=_text(c.availability, 200),
        )
        for c in contacts
    )


@dataclass
class ServiceInput:
    provider: ServiceProvider | None
    name: str
    dimension: str
    sector: str
    country: str
    code: str = ""
    description: str = ""
    areas: list[AdminArea] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    sexes: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    vulnerability_criteria: list[str] = field(default_factory=list)
    capacity_per_month: int | None = None
    cost: str = Cost.FREE
    opening_hours: str = ""
    target_response_days: int = 14
    languages: str = ""
    is_active: bool = True
    is_public: bool = False
    public_contact: str = ""

    @classmethod
    def of(cls, service: Service) -> ServiceInput:
        return cls(
            provider=service.provider,
            name=service.name,
            dimension=service.dimension,
            sector=service.sector,
            country=str(service.country),
            code=service.code,
            description=service.description,
            areas=list(service.areas.all()),
            min_age=service.min_age,
            max_age=service.max_age,
            sexes=list(service.sexes or []),
            nationalities=list(service.nationalities or []),
            vulnerability_criteria=list(service.vulnerability_criteria or []),
            capacity_per_month=service.capacity_per_month,
            cost=service.cost,
            opening_hours=service.opening_hours,
            target_response_days=service.target_response_days,
            languages=service.languages,
            is_active=service.is_active,
            is_public=service.is_public,
            public_contact=service.public_contact,
        )


def _unknown(values: list[str], allowed: list[str]) -> list[str]:
    return [v for v in values if v not in allowed]


def _service_choice_errors(errors: FieldErrors, data: ServiceInput, name: str, country: str) -> None:
    if data.provider is None:
        errors.add("provider", _("Choose the provider."), "required")
    if not name:
        errors.add("name", _("Give the service's name."), "required")
    for key, value, allowed, message in (
        ("dimension", data.dimension, Dimension.values, _("Choose the dimension from the list.")),
        ("sector", data.sector, ServiceSector.values, _("Choose the sector from the list.")),
        ("cost", data.cost, Cost.values, _("Choose the cost from the list.")),
    ):
        if value not in allowed:
            errors.add(key, message, "invalid_choice")
    if not _is_country(country):
        errors.add("country", _("Choose the country from the list."), "invalid_choice")
    elif foreign := [a.name for a in data.areas if str(a.country) != country]:
        errors.add(
            "areas",
            _("These areas are not in the country of coverage: %(areas)s.") % {"areas": ", ".join(foreign)},
            "invalid_choice",
        )
    for key, values, allowed_values in (
        ("sexes", data.sexes, Sex.values),
        ("vulnerability_criteria", data.vulnerability_criteria, AttentionFlag.values),
        ("nationalities", [v.upper() for v in data.nationalities], list(dict(countries))),
    ):
        if bad := _unknown(values, allowed_values):
            errors.add(key, _("Unknown value(s): %(values)s") % {"values": ", ".join(bad)}, "invalid_choice")


def _service_range_errors(errors: FieldErrors, data: ServiceInput) -> None:
    for key, value in (("min_age", data.min_age), ("max_age", data.max_age)):
        if value is not None and not 0 <= value <= 120:
            errors.add(key, _("An age is a number from 0 to 120."), "out_of_range")
    ages_valid = "min_age" not in errors and "max_age" not in errors
    if ages_valid and data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors.add("max_age", _("The maximum age is below the minimum age."), "below_minimum")
    if data.capacity_per_month is not None and data.capacity_per_month < 0:
        errors.add(
            "capacity_per_month",
            _("The capacity cannot be negative; leave it empty when unlimited."),
            "out_of_range",
        )
    if not 1 <= (data.target_response_days or 0) <= 365:
        errors.add("target_response_days", _("The target response time is from 1 to 365 days."), "out_of_range")


def _service_code(errors: FieldErrors, data: ServiceInput, name: str, service: Service | None) -> str:
    """The code given (as a slug), or one made from the provider's and the service's names."""
    code = slugify(data.code or "")[:60]
    if data.code and not code:
        errors.add("code", _("The code may contain only letters, numbers, hyphens and underscores."), "invalid")
    elif not code and data.provider is not None and name:
        code = _free_code(slugify(f"{data.provider.name}-{name}")[:60] or "service", service)
    elif code and Service.objects.filter(code=code).exclude(pk=service.pk if service else 0).exists():
        errors.add("code", _("Another service already has this code."), "duplicate")
    return code


def save_service(
    user: User, data: ServiceInput, service: Service | None = None, *, expected_version: int | None = None
) -> Service:
    """Create a service of a provider, or update `service`. The code identifies it in imports and exports:
    made from the provider's and the service's names when left empty. Only the provider's owner adds or
    changes its services (both providers' owner, to move a service)."""
    require_directory_manager(user)
    if service is not None:
        links.require_owner(user, service.provider)
    if data.provider is not None:
        links.require_owner(user, data.provider)
    name = _text(data.name, 200)
    country = (data.country or "").strip().upper()
    errors = FieldErrors()
    _service_choice_errors(errors, data, name, country)
    _service_range_errors(errors, data)
    code = _service_code(errors, data, name, service)
    errors.raise_if_any()
    with transaction.atomic(), set_actor(user):
        target = Service() if service is None else Service.objects.select_for_update().get(pk=service.pk)
        if service is not None:
            versioning.check(target, expected_version)
        assert data.provider is not None
        target.provider = data.provider
        target.code = code
        target.name = name
        target.description = (data.description or "").strip()[:4000]
        target.dimension = data.dimension
        target.sector = data.sector
        target.country = country
        target.min_age = data.min_age
        target.max_age = data.max_age
        target.sexes = list(dict.fromkeys(data.sexes))
        target.nationalities = list(dict.fromkeys(v.upper() for v in data.nationalities))
        target.vulnerability_criteria = list(dict.fromkeys(data.vulnerability_criteria))
        target.capacity_per_month = data.capacity_per_month
        target.cost = data.cost
        target.opening_hours = _text(data.opening_hours, 200)
        target.target_response_days = data.target_response_days
        target.languages = _text(data.languages, 200)
        target.is_active = data.is_active
        target.is_public = data.is_public
        target.public_contact = _text(data.public_contact, 250)
        target.save()
        target.areas.set(data.areas)
        return target


def _free_code(base: str, service: Service | None) -> str:
    """`base`, or `base-2`, `base-3`... the first not taken by another service."""
    taken = set(
        Service.objects.filter(code__startswith=base[:55])
        .exclude(pk=service.pk if service else 0)
        .values_list("code", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base[:55]}-{number}" in taken:
        number += 1
    return f"{base[:55]}-{number}"


# --- SOPs ----------------------------------------------------------------------------------------


@dataclass
class PathwayInput:
    provider: Any
    title: str
    approved_on: date | None
    transferred_fields: list[str]
    service: Service | None = None
    transfer_method: str = ""
    consent_procedure: str = ""
    first_contact: str = ""
    response_time_hours: int | None = None
    follow_up: str = ""
    documentation: str = ""
    cost_arrangements: str = ""
    population: str = PathwayPopulation.EVERYONE
    child_safeguards: str = ""


def _population_errors(errors: FieldErrors, data: PathwayInput) -> None:
    if data.population not in PathwayPopulation.values:
        errors.add("population", _("Choose for whom the SOP is from the list."), "invalid_choice")
    elif data.population == PathwayPopulation.CHILDREN and not (data.child_safeguards or "").strip():
        errors.add(
            "child_safeguards",
            _(
                "A child-focused SOP says how the child is protected: best interests, the child-protection "
                "authority, the guardian's consent and the child's assent, who accompanies the child."
            ),
            "required",
        )


def _pathway_errors(data: PathwayInput, title: str, codes: list[str]) -> FieldErrors:
    errors = FieldErrors()
    if not title:
        errors.add("title", _("Give the SOP a title."), "required")
    if data.approved_on is None:
        errors.add("approved_on", _("Give the date the SOP was approved."), "required")
    elif data.approved_on > timezone.localdate():
        errors.add("approved_on", _("The approval date cannot be in the future."), "in_future")
    if unknown := catalogue.unknown_fields(codes):
        errors.add(
            "transferred_fields",
            _("Unknown case data field(s): %(codes)s.") % {"codes": ", ".join(unknown)},
            "invalid_choice",
        )
    elif not codes:
        errors.add("transferred_fields", _("List at least one case data field the provider receives."), "required")
    if data.provider is None:
        errors.add("provider", _("Choose the provider."), "required")
    elif data.service is not None and data.service.provider_id != data.provider.pk:
        errors.add("service", _("This service belongs to another provider."), "invalid_choice")
    _population_errors(errors, data)
    if data.response_time_hours is not None and data.response_time_hours <= 0:
        errors.add("response_time_hours", _("The response time must be a positive number of hours."), "out_of_range")
    return errors


def save_pathway(user: User, data: PathwayInput, previous: ReferralPathway | None = None) -> ReferralPathway:
    """A new SOP, or a new version of `previous` (which stops being current). Versions are never edited."""
    if not can_manage_pathways(user):
        raise permissions.denied()
    organisation_id = permissions.own_organisation_id(user)
    if previous is not None:
        permissions.require_holding_organisation(user, previous.referring_organisation_id)
    title = (data.title or "").strip()
    codes = list(dict.fromkeys(data.transferred_fields or []))
    _pathway_errors(data, title, codes).raise_if_any()
    assert data.approved_on is not None
    with transaction.atomic(), set_actor(user):
        version = 1
        if previous is not None:
            locked = ReferralPathway.objects.select_for_update().get(pk=previous.pk)
            if not locked.is_current:
                raise ValidationError(
                    _("A newer version of this SOP exists: start from the current version."), code="not_current"
                )
            locked.is_current = False
            locked.save(update_fields=["is_current"])
            version = (
                ReferralPathway.objects.filter(
                    referring_organisation_id=organisation_id, provider=previous.provider, title=previous.title
                )
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            ) + 1
            title = previous.title
        pathway = ReferralPathway.objects.create(
            referring_organisation_id=organisation_id,
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
            population=data.population,
            child_safeguards=data.child_safeguards.strip() if data.population == PathwayPopulation.CHILDREN else "",
            created_by=user,
        )
        return pathway


# --- referrals -----------------------------------------------------------------------------------


def default_level(case: Case, service: Service) -> str:
    returnee = case.returnee
    if str(service.country) != str(returnee.return_country):
        return GeographicLevel.INTERNATIONAL
    area_ids = set(service.areas.values_list("pk", flat=True))
    if area_ids and (returnee.municipality_id in area_ids or returnee.admin1_id in area_ids):
        return GeographicLevel.LOCAL
    return GeographicLevel.NATIONAL


def _event(referral: Referral, user: User, action: str) -> None:
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


def _change(referral: Referral, user: User, source: str, side: str) -> None:
    ReferralStatusChange.objects.create(
        referral=referral, from_status=source, to_status=referral.status, actor=user, side=side
    )


def create_referral(
    user: User,
    case: Case,
    service: Service,
    *,
    reason: str,
    priority: str = ReferralPriority.NORMAL,
    level: str = "",
    plan_item: PlanItem | None = None,
) -> Referral:
    """A draft referral from a case (or one of its plan items) to a service, under the referring
    organisation's current SOP with that provider. Nothing is shared until it is sent."""
    case_permissions.require_case_write(user, case)
    reason = (reason or "").strip()
    errors = _referral_errors(case, service, reason=reason, priority=priority, level=level, plan_item=plan_item)
    pathway = None if "service" in errors else _pathway_or_error(user, service, errors, case)
    errors.raise_if_any()
    assert pathway is not None
    with transaction.atomic(), set_actor(user):
        referral = Referral.objects.create(
            case=case,
            referring_organisation_id=permissions.own_organisation_id(user),
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


def _referral_errors(
    case: Case, service: Service, *, reason: str, priority: str, level: str, plan_item: PlanItem | None
) -> FieldErrors:
    errors = FieldErrors()
    if not reason:
        errors.add("reason", _("Give the reason for the referral."), "required")
    if priority not in ReferralPriority.values:
        errors.add("priority", _("Choose the priority from the list."), "invalid_choice")
    if level and level not in GeographicLevel.values:
        errors.add("level", _("Choose the level from the list."), "invalid_choice")
    if case.status == CaseStatus.CLOSED:
        errors.add("case", _("The case is closed: reopen it before referring."), "case_closed")
    if case.returnee.anonymised_at:
        errors.add("case", _("This person's record was anonymised; it can no longer be referred."), "anonymised")
    # The form offers the services the organisation may refer to only: others are not among its choices.
    if not service.is_active or not service.provider.is_active:
        errors.add("service", _("This service is no longer active."), "invalid_choice")
    if plan_item is not None and plan_item.plan.case_id != case.pk:
        errors.add("plan_item", _("This plan item belongs to another case."), "invalid_choice")
    return errors


def _pathway_or_error(user: User, service: Service, errors: FieldErrors, case: Case) -> ReferralPathway | None:
    from reintegra.referrals.selectors import pathway_for

    pathway = pathway_for(permissions.own_organisation_id(user), service, child=case_selectors.is_child_case(case))
    if pathway is None:
        errors.add(
            "service",
            _(
                "Your organisation has no approved referral SOP with %(provider)s: a programme manager must record "
                "one before referring (it says which case data the provider receives)."
            )
            % {"provider": service.provider.name},
            "invalid_choice",
        )
    return pathway


def discard_draft(user: User, referral: Referral) -> str:
    """Delete a draft the referring side no longer wants (issue 18.3: each failed "send now" kept one). A draft
    was never shared, so nothing is owed to the provider; the case's timeline keeps that it existed. Returns
    the draft's reference."""
    case_permissions.require_case_write(user, referral.case)
    permissions.require_holding_organisation(user, referral.referring_organisation_id)
    with transaction.atomic(), set_actor(user):
        locked = _locked(referral)
        if locked.status != ReferralStatus.DRAFT:
            raise TransitionError(
                str(_("Only a draft referral can be discarded; this one is %(status)s."))
                % {"status": ReferralStatus(locked.status).label},
                "not_a_draft",
            )
        _event(locked, user, "discarded")
        reference = locked.reference
        locked.delete()
        return reference


# Only closing the referral (the referring side's wrap-up) is left once its case is closed.
MOVES_OF_AN_OPEN_CASE = frozenset({"send", "accept", "decline", "outcome"})


def _check_side(user: User, referral: Referral, action: str) -> str:
    """The side taking `action`, checked against the user. The receiving side is the organisation the
    referral was sent to (stored at sending), whatever the provider is linked to now."""
    side = lifecycle.side_of(action, provider_on_platform=referral.on_platform)
    if side == lifecycle.REFERRER:
        case_permissions.require_case_write(user, referral.case)
        permissions.require_holding_organisation(user, referral.referring_organisation_id)
    else:
        permissions.require(user, Capability.RECEIVE_REFERRALS)
        permissions.require_holding_organisation(user, referral.recipient_organisation_id)
    # After the permission checks: who may not act learns nothing about the case from the refusal.
    if action in MOVES_OF_AN_OPEN_CASE and referral.case.status == CaseStatus.CLOSED:
        # Issue 18.2: a provider accepted and served a referral of a case already closed.
        raise TransitionError(
            str(_("The case is closed: this referral can no longer move (the case must be reopened first).")),
            "case_closed",
        )
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
    except TransitionError as exc:
        if exc.code == "unknown_outcome":
            raise field_error("outcome", _("Choose the outcome from the list."), "invalid_choice") from None
        message = TRANSITION_MESSAGES.get(action, _("This step is not possible now (%(status)s)."))
        raise TransitionError(str(message) % {"status": ReferralStatus(source).label}, exc.code) from None
    return source, target


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update().select_related("provider", "service", "case__returnee").get(pk=referral.pk)
    )


def send_referral(
    user: User, referral: Referral, *, life_at_risk_justification: str = "", channel: str = "web"
) -> Referral:
    side = _check_side(user, referral, "send")
    _transition(referral, "send")
    returnee = referral.case.returnee
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, "send")
        # The recipient is fixed now: the organisation that accepted the provider's link, if any.
        provider = ServiceProvider.objects.select_related("organisation").get(pk=referral.provider_id)
        consent = None
        if provider.organisation is not None:
            consent = require_consent_for_sharing(
                user,
                returnee,
                [ConsentPurpose.REFERRAL, ConsentPurpose.DATA_SHARING],
                provider.organisation,
                life_at_risk_justification=life_at_risk_justification,
                channel=channel,
                sending_organisation=referral.case.organisation,
            )
        else:
            # Outside the platform: only a consent naming this provider lets the case manager pass data on
            # (a consent that only describes a recipient authorises no transfer, docs/domain-referrals.md §4).
            consent = valid_consent(returnee, ConsentPurpose.REFERRAL, recipient_provider=provider) or valid_consent(
                returnee, ConsentPurpose.DATA_SHARING, recipient_provider=provider
            )
            if consent is None:
                raise ConsentRequired(
                    _("No valid consent from this person naming %(provider)s. Record the consent first.")
                    % {"provider": provider.name}
                )
        now = timezone.now()
        referral.status = target
        referral.recipient_organisation = provider.organisation
        referral.consent = consent
        referral.consent_exception = consent is None
        referral.sent_at = now
        referral.acceptance_due_at = sla.acceptance_deadline(now, referral.priority)
        referral.save(
            update_fields=[
                "status",
                "recipient_organisation",
                "consent",
                "consent_exception",
                "sent_at",
                "acceptance_due_at",
            ]
        )
        _change(referral, user, source, side)
        _event(referral, user, "sent")
        return referral


def _move(user: User, referral: Referral, side: str, action: str, event: str, values: dict[str, Any]) -> Referral:
    """Take `action` on the referral, locked and checked again, set `values` on it, and record the change."""
    with transaction.atomic(), set_actor(user):
        referral = _locked(referral)
        source, target = _transition(referral, action, values.get("outcome"))
        referral.status = target
        for name, value in values.items():
            setattr(referral, name, value)
        referral.save(update_fields=["status", *values])
        _change(referral, user, source, side)
        _event(referral, user, event)
        return referral


def accept_referral(user: User, referral: Referral, *, outcome_due_on: date | None = None, note: str = "") -> Referral:
    """Accept; the outcome is due on the agreed date, or after the service's target response time."""
    side = _check_side(user, referral, "accept")
    _transition(referral, "accept")
    now = timezone.now()
    if outcome_due_on is not None and outcome_due_on < timezone.localdate():
        raise field_error("outcome_due_on", _("The agreed date cannot be in the past."), "in_past")
    if outcome_due_on is not None:
        due = timezone.make_aware(datetime.combine(outcome_due_on, time(23, 59)))
    else:
        due = sla.outcome_deadline(now, referral.service.target_response_days)
    return _move(
        user,
        referral,
        side,
        "accept",
        "accepted",
        {"answered_at": now, "outcome_due_at": due, "provider_note": (note or "").strip()[:500]},
    )


def decline_referral(user: User, referral: Referral, *, reason: str, note: str = "") -> Referral:
    side = _check_side(user, referral, "decline")
    _transition(referral, "decline")
    if reason not in DeclineReason.values:
        raise field_error("decline_reason", _("Say why the referral is declined."), "invalid_choice")
    if reason == DeclineReason.OTHER and not (note or "").strip():
        raise field_error("note", _("Explain the reason in the note."), "required")
    values = {"answered_at": timezone.now(), "decline_reason": reason, "provider_note": (note or "").strip()[:500]}
    return _move(user, referral, side, "decline", "declined", values)


def record_outcome(user: User, referral: Referral, *, outcome: str, note: str = "") -> Referral:
    side = _check_side(user, referral, "outcome")
    _transition(referral, "outcome", outcome)
    # The outcome is the status it leads to.
    values: dict[str, Any] = {"outcome": outcome, "outcome_at": timezone.now()}
    if note:
        values["provider_note"] = note.strip()[:500]
    return _move(user, referral, side, "outcome", "outcome", values)


def close_referral(user: User, referral: Referral, *, satisfaction: int | None = None, feedback: str = "") -> Referral:
    """Close the loop with the returnee's feedback (asked by the case manager)."""
    side = _check_side(user, referral, "close")
    _transition(referral, "close")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        # A choice of 1 to 5 on the form: out of it, not one of its choices either.
        raise field_error("satisfaction", _("Satisfaction is a score from 1 to 5."), "invalid_choice")
    values = {"closed_at": timezone.now(), "satisfaction": satisfaction, "feedback": (feedback or "").strip()[:2000]}
    return _move(user, referral, side, "close", "closed", values)


def withdraw_referral(user: User, referral: Referral, *, reason: str) -> Referral:
    """The referring side takes back a referral sent or accepted before the service was given (the case closes,
    the person no longer needs it). The provider's receivers are told at once, in their reminders."""
    side = _check_side(user, referral, "withdraw")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("withdrawal_reason", _("Say why the referral is withdrawn."), "required")
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise field_error(
            "withdrawal_reason",
            _("Keep the reason under %(limit)s characters.") % {"limit": WITHDRAWAL_REASON_MAX},
            "max_length",
        )
    _transition(referral, "withdraw")
    values = {"closed_at": timezone.now(), "withdrawal_reason": reason}
    with transaction.atomic():
        referral = _move(user, referral, side, "withdraw", "withdrawn", values)
        _tell_provider_withdrawn(referral)
    return referral


WITHDRAWAL_REASON_MAX = 300


def _tell_provider_withdrawn(referral: Referral) -> None:
    from reintegra.referrals.reminders import receivers_of
    from reintegra.reminders.registry import Due
    from reintegra.reminders.services import notify

    if referral.recipient_organisation_id is None:
        return  # an external provider: the referring side tells it by its own means
    reference = f"REF-{referral.pk:06d}"
    url = reverse("referrals:detail", args=[referral.pk])
    message = gettext_noop(
        "Referral %(reference)s was withdrawn by the referring organisation: nothing more is needed."
    )
    due = [
        Due(user_id, f"{referral.pk}:withdrawn", message, {"reference": reference}, url, timezone.localdate())
        for user_id in receivers_of(referral.recipient_organisation_id)
    ]
    notify("referral_withdrawn", due)


DIMENSIONS = Dimension.values
