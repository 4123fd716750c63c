"""The organisations the generator seeds into, and their synthetic teams and case managers."""

from __future__ import annotations

import random

from auditlog.context import disable_auditlog
from django.db import transaction

from reintegra.access import services as access_services
from reintegra.access.models import Organisation, RoleAssignment, Team, User
from reintegra.access.roles import Role
from reintegra.demo.vocabulary import OrganisationSpec, vocabulary


def known_codes() -> list[str]:
    """Codes of the organisations `ensure_organisation` can create (one per country of return)."""
    return sorted(vocabulary().organisation_codes)


def ensure_organisation(code: str) -> Organisation:
    """The organisation with this code; one of the default organisations (organisations.yaml) is created,
    with its programme, when missing."""
    org = Organisation.objects.filter(code=code).first()
    if org is not None:
        return org
    spec = vocabulary().organisation_codes.get(code)
    if spec is None:
        raise ValueError(f"Unknown organisation {code!r}: create it first, or use one of {', '.join(known_codes())}.")
    with disable_auditlog():
        org = Organisation.objects.create(code=spec.code, name=spec.name, country=spec.country)
        access_services.create_programme(org)
        return org


def default_organisations() -> list[Organisation]:
    return [ensure_organisation(spec.code) for spec in vocabulary().organisations.values()]


def _spec(org: Organisation) -> OrganisationSpec:
    vocab = vocabulary()
    return vocab.organisation_codes.get(org.code) or vocab.organisations[str(org.country)]


def ensure_staff(org: Organisation) -> list[User]:
    """Teams, synthetic case managers and a supervisor for `org` (created once), then every active case
    manager of the organisation, oldest first. Synthetic staff have no usable password."""
    vocab = vocabulary()
    spec = _spec(org)
    names = vocab.countries[str(org.country)].names
    rng = random.Random(f"staff:{org.code}")  # separate stream: staff never shift the cases' draws
    with disable_auditlog(), transaction.atomic():
        teams = [Team.objects.get_or_create(organisation=org, name=name)[0] for name in spec.teams]
        people = [
            (f"{org.code}-gestor{t + 1}{k + 1}", teams[t], Role.CASE_MANAGER)
            for t in range(len(teams))
            for k in range(vocab.case_managers_per_team)
        ]
        people.append((f"{org.code}-supervisor", teams[0], Role.SUPERVISOR))
        for username, team, role in people:
            female = rng.random() < 0.6
            first = rng.choice(names.female if female else names.male)
            last = rng.choice(names.surnames)
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, organisation=org, team=team, first_name=first, last_name=last)
            user.set_unusable_password()
            user.save()
            RoleAssignment.objects.create(user=user, role=str(role))
    return list(
        User.objects.filter(organisation=org, is_active=True, role_assignments__role=Role.CASE_MANAGER)
        .distinct()
        .order_by("id")
    )
