"""Factories that build valid objects through the services, as a user would."""

from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from reintegra.access.models import Organisation, Programme, RoleAssignment, Team, User
from reintegra.access.roles import Role
from reintegra.cases import duplicates, services
from reintegra.cases.models import Case, Returnee

_seq = count(1)


def organisation(
    code: str | None = None, country: str = "MX", *, with_programme: bool = True, **kwargs: Any
) -> Organisation:
    """An organisation; with its default programme (the one new cases join) unless told otherwise."""
    code = code or f"org{next(_seq)}"
    org = Organisation.objects.create(
        code=code, name=kwargs.pop("name", f"Organización {code}"), country=country, **kwargs
    )
    if with_programme:
        programme(org, code=f"{code}-prog")
    return org


def programme(org: Organisation, code: str | None = None, **kwargs: Any) -> Programme:
    code = code or f"prog{next(_seq)}"
    return Programme.objects.create(
        organisation=org, code=code, name=kwargs.pop("name", f"Programa {code}"), countries=[str(org.country)], **kwargs
    )


def team(org: Organisation, name: str | None = None) -> Team:
    return Team.objects.create(organisation=org, name=name or f"Equipo {next(_seq)}")


def user(
    org: Organisation | None,
    *roles: Role | str,
    team: Team | None = None,
    username: str | None = None,
    password: str = "correct-horse-battery",  # noqa: S107 - test users' password, not a credential
    **kwargs: Any,
) -> User:
    u = User.objects.create_user(
        username=username or f"user{next(_seq)}", password=password, organisation=org, team=team, **kwargs
    )
    for role in roles or (Role.CASE_MANAGER,):
        RoleAssignment.objects.create(user=u, role=str(role))
    return User.objects.get(pk=u.pk)  # fresh instance: cached roles


def returnee_input(**overrides: Any) -> services.ReturneeInput:
    values: dict[str, Any] = {
        "given_names": "María José",
        "first_family_name": "Hernández",
        "second_family_name": "López",
        "sex": "female",
        "birth_date": date(1990, 5, 17),
        "nationality": "MX",
        "return_country": "MX",
    }
    values.update(overrides)
    return services.ReturneeInput(**values)


# Factories build many records of one default person: they vouch that each is a different person, as
# an import would (the duplicate rule itself is tested through the form and the API).
VOUCHED = duplicates.DistinctPersonConfirmation(seen=None)


def returnee(by: User, **overrides: Any) -> Returnee:
    return services.register_returnee(by, returnee_input(**overrides), confirmation=VOUCHED)


def return_input(**overrides: Any) -> services.ReturnInput:
    values: dict[str, Any] = {
        "return_date": timezone.localdate() - timedelta(days=10),
        "return_type": "forced",
        "host_country": "US",
        "causes_of_migration": ["economic"],
    }
    values.update(overrides)
    return services.ReturnInput(**values)


def case(by: User, returnee_obj: Returnee | None = None, *, case_manager: User | None = None, **overrides: Any) -> Case:
    returnee_obj = returnee_obj or returnee(by)
    return services.open_case(by, returnee_obj, return_input(**overrides), case_manager=case_manager)


def assessed_case(by: User, **kwargs: Any) -> Case:
    c = case(by, **kwargs)
    services.record_assessment(by, c, {"assessed_on": timezone.localdate(), "economic_need": "high"})
    c.refresh_from_db()
    return c


def agreed_case(by: User, **kwargs: Any) -> Case:
    c = assessed_case(by, **kwargs)
    services.save_plan(
        by,
        c,
        goals="Abrir un pequeño negocio",
        motivations="Mantener a su familia",
        items=[
            services.PlanItemInput(dimension="economic", approach="Desarrollo de negocios", assistance_form="in_kind")
        ],
    )
    services.agree_plan(by, c, agreed_on=timezone.localdate())
    c.refresh_from_db()
    return c
