"""`reintegra demo [--addrport 127.0.0.1:8000] [--no-serve]`: a ready-to-explore Reintegra on this machine.

Migrates, loads the gazetteer and, on a database without cases, creates demo organisations, one demo
user per role (one published password) and a few hundred synthetic cases across Mexico, Guatemala,
Honduras and El Salvador; then prints how to log in and serves with runserver. Running it again
creates nothing new. It refuses production settings: the demo password is public.
"""

import os
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from reintegra.access.models import ROLE_LABELS, Organisation, RoleAssignment, Team, User
from reintegra.access.roles import Role
from reintegra.cases import synthetic
from reintegra.cases.models import Case
from reintegra.places.services import load_gazetteer

DEMO_PASSWORD = "reintegra-demo"  # noqa: S105 - published on purpose: demo databases only
DEMO_ORGANISATION = "oim-gt"
DEMO_TEAM = "Equipo Ciudad de Guatemala"
PARTNERS = {
    "servicios-gt": "Servicios Integrales de Reintegración Guatemala",
    "mesa-gt": "Mesa Interinstitucional de Reintegración (coordinación)",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str = DEMO_ORGANISATION
    in_team: bool = False


DEMO_USERS = [
    DemoUser("admin", Role.ADMIN, "Administración", "del sistema"),
    DemoUser("gerente", Role.PROGRAMME_MANAGER, "Roberto", "Castillo"),
    DemoUser("supervisora", Role.SUPERVISOR, "Carmen", "Orozco", in_team=True),
    DemoUser("gestora", Role.CASE_MANAGER, "Lucía", "Ramírez", in_team=True),
    DemoUser("gestor", Role.CASE_MANAGER, "Mario", "Chávez", in_team=True),
    DemoUser("monitoreo", Role.ME_OFFICER, "Paola", "Méndez"),
    DemoUser("proveedor", Role.SERVICE_PROVIDER, "Julio", "Estrada", organisation="servicios-gt"),
    DemoUser("coordinacion", Role.COORDINATOR, "Ana", "Solares", organisation="mesa-gt"),
    DemoUser("dpd", Role.DATA_PROTECTION_OFFICER, "Sofía", "Herrera"),
]
# Each level's demo data, loaded after the cases: a module with `load(context: DemoContext) -> str` (a summary).
DEMO_LOADERS = [
    "reintegra.sustainability.demo",
    "reintegra.referrals.demo",
    "reintegra.structural.demo",
    "reintegra.regional.demo",
]


@dataclass(frozen=True)
class DemoContext:
    organisations: dict[str, Organisation]  # by code: oim-gt (the demo users'), oim-mx, oim-hn, oim-sv, partners
    users: dict[str, User]  # the demo users by username
    seed: int


# Share of the demo cases per organisation: most in the demo users' organisation.
DEMO_SHARES = {"oim-gt": 0.6, "oim-mx": 0.15, "oim-hn": 0.15, "oim-sv": 0.10}
# Weights of the two demo case managers against 1 for each synthetic colleague: they hold most cases.
DEMO_CASE_MANAGER_WEIGHTS = {"gestora": 12, "gestor": 10}


class Command(BaseCommand):
    help = (
        "Prepare a demo: migrate, load places and, on an empty database, create demo users for every role "
        f"(password {DEMO_PASSWORD!r}) and synthetic cases; then serve on --addrport."
    )
    requires_system_checks: list[str] = []  # migrate and runserver run them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000).")
        parser.add_argument("--no-serve", action="store_true", help="Prepare and print the logins, do not serve.")
        parser.add_argument("--cases", type=int, default=300, help="Synthetic cases on first run (default 300).")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed of the synthetic data.")

    def handle(self, *args: Any, **options: Any) -> None:
        module = os.environ.get("DJANGO_SETTINGS_MODULE", "") or getattr(settings, "SETTINGS_MODULE", "")
        if module.endswith(".production") or os.environ.get("REINTEGRA_ENV") == "production":
            raise CommandError(
                "The demo creates users with a published password; it does not run with production settings."
            )
        if options["cases"] < 0:
            raise CommandError("--cases must be zero or more.")

        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        places = load_gazetteer()
        self.stdout.write(f"Places: {places.total} administrative areas ({places.created} new).")

        if Case.objects.exists():
            self.stdout.write("The database already has cases: no demo users or cases were added.")
        else:
            self._populate(options["cases"], options["seed"])
        self._print_logins(options["addrport"])

        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)

    def _populate(self, cases: int, seed: int) -> None:
        with disable_auditlog(), transaction.atomic():
            organisations = {org.code: org for org in synthetic.default_organisations()}
            for code, name in PARTNERS.items():
                organisations[code] = Organisation.objects.get_or_create(
                    code=code, defaults={"name": name, "country": "GT"}
                )[0]
            team = Team.objects.get_or_create(organisation=organisations[DEMO_ORGANISATION], name=DEMO_TEAM)[0]
            users = {spec.username: self._user(spec, organisations[spec.organisation], team) for spec in DEMO_USERS}
        demo_org = organisations[DEMO_ORGANISATION]
        colleagues = [u for u in synthetic.ensure_staff(demo_org) if u.username not in DEMO_CASE_MANAGER_WEIGHTS]
        own = [
            (users[name], weight)
            for name, weight in DEMO_CASE_MANAGER_WEIGHTS.items()
            if users[name].organisation_id == demo_org.pk  # an older account of that name stays out of it
        ]
        assignees = {demo_org.pk: own + [(user, 1) for user in colleagues]}
        seeded = [organisations[code] for code in DEMO_SHARES]
        result = synthetic.seed(
            cases,
            seed=seed,
            organisations=seeded,
            weights=list(DEMO_SHARES.values()),
            assignees=assignees,
        )
        per_org = ", ".join(f"{code}: {n}" for code, n in result.per_organisation.items())
        self.stdout.write(f"Synthetic cases: {result.cases} ({per_org}).")
        context = DemoContext(organisations, users, seed)
        for name in DEMO_LOADERS:
            try:
                loader = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            self.stdout.write(loader.load(context))

    @staticmethod
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

    def _print_logins(self, addrport: str) -> None:
        present = {
            user.username
            for user in User.objects.filter(username__in=[spec.username for spec in DEMO_USERS])
            if user.check_password(DEMO_PASSWORD)
        }
        if not present:
            self.stdout.write("No demo users in this database: log in with your own accounts.")
            return
        host, _, port = addrport.rpartition(":")
        host = host or "127.0.0.1"
        if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - only the printed URL
            host = "127.0.0.1"
        try:
            login_path = reverse("login")
        except NoReverseMatch:
            login_path = "/"
        url = f"http://{host}:{port or addrport}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Reintegra demo: {url}{login_path}"))
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        width = max(len(spec.username) for spec in DEMO_USERS)
        for spec in DEMO_USERS:
            if spec.username in present:
                where = "" if spec.organisation == DEMO_ORGANISATION else f" — {spec.organisation}"
                self.stdout.write(f"  {spec.username.ljust(width)}  {ROLE_LABELS[spec.role]}{where}")
        self.stdout.write(f"Django admin: {url}/admin/ (user admin)")
        self.stdout.write("")
