"""The demo site behind `reintegra demo`: demo organisations, one demo user per role (one published
password), synthetic cases shared among the organisations, then each level's content (`levels`)."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import transaction

from reintegra.access.models import Organisation, RoleAssignment, Team, User
from reintegra.access.roles import Role
from reintegra.demo import seeding, staff
from reintegra.demo.levels import LOADERS, DemoContext
from reintegra.demo.vocabulary import load
from reintegra.reminders import services as reminders

DEMO_PASSWORD = "reintegra-demo"  # noqa: S105 - published on purpose: demo databases only
_SITE = load("demo.yaml")
DEMO_ORGANISATION: str = _SITE["organisation"]
DEMO_TEAM: str = _SITE["team"]
PARTNERS: dict[str, str] = _SITE["partners"]
# Share of the demo cases per organisation: most in the demo users' organisation.
DEMO_SHARES: dict[str, float] = _SITE["shares"]
# Weights of the demo case managers against 1 for each synthetic colleague: they hold most cases.
DEMO_CASE_MANAGER_WEIGHTS: dict[str, int] = _SITE["case_manager_weights"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str = DEMO_ORGANISATION
    in_team: bool = False


DEMO_USERS = [DemoUser(**{**entry, "role": Role(entry["role"])}) for entry in _SITE["users"]]


def populate(cases: int, seed: int) -> list[str]:
    """Create the demo organisations, users, cases and every level's content; returns what was loaded, one
    line per part (counts, never names)."""
    with disable_auditlog(), transaction.atomic():
        organisations = {org.code: org for org in staff.default_organisations()}
        for code, name in PARTNERS.items():
            organisations[code] = Organisation.objects.get_or_create(
                code=code, defaults={"name": name, "country": "GT"}
            )[0]
        team = Team.objects.get_or_create(organisation=organisations[DEMO_ORGANISATION], name=DEMO_TEAM)[0]
        users = {spec.username: _user(spec, organisations[spec.organisation], team) for spec in DEMO_USERS}
    result = seeding.seed(
        cases,
        seed=seed,
        organisations=[organisations[code] for code in DEMO_SHARES],
        weights=list(DEMO_SHARES.values()),
        assignees=_assignees(organisations[DEMO_ORGANISATION], users),
    )
    per_org = ", ".join(f"{code}: {n}" for code, n in result.per_organisation.items())
    context = DemoContext(organisations, users, seed)
    lines = [f"Synthetic cases: {result.cases} ({per_org}).", *(load_level(context) for load_level in LOADERS)]
    return [*lines, _send_reminders()]


def _send_reminders() -> str:
    """What the daily `send-reminders` run would have stored by now, through the same code (issue 18.10): the
    demo's rounds, referrals, reviews and actions are overdue, so its inboxes are not empty."""
    report = reminders.send_reminders()
    return f"Reminders: {report.total_new} in the users' inboxes (the daily `reintegra send-reminders`)."


def _assignees(demo_org: Organisation, users: dict[str, User]) -> dict[int, list[tuple[User, int]]]:
    """The demo organisation's cases go mostly to the demo case managers, the rest to synthetic colleagues."""
    colleagues = [u for u in staff.ensure_staff(demo_org) if u.username not in DEMO_CASE_MANAGER_WEIGHTS]
    own = [
        (users[name], weight)
        for name, weight in DEMO_CASE_MANAGER_WEIGHTS.items()
        if users[name].organisation_id == demo_org.pk  # an older account of that name stays out of it
    ]
    return {demo_org.pk: own + [(user, 1) for user in colleagues]}


def _user(spec: DemoUser, organisation: Organisation, team: Team) -> User:
    """The demo user; an existing account with that name is left exactly as it is."""
    user = User.objects.filter(username=spec.username).first()
    if user is not None:
        return user
    user = User(
        username=spec.username,
        first_name=spec.first_name,
        last_name=spec.last_name,
        organisation=organisation,
        team=team if spec.in_team else None,
        is_staff=spec.role == Role.ADMIN,
        is_superuser=spec.role == Role.ADMIN,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role=str(spec.role))
    return user


def present_users() -> set[str]:
    """The demo users of this database that still have the demo password."""
    return {
        user.username
        for user in User.objects.filter(username__in=[spec.username for spec in DEMO_USERS])
        if user.check_password(DEMO_PASSWORD)
    }
