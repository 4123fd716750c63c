"""`reintegra demo [--addrport 127.0.0.1:8000] [--no-serve]`: a ready-to-explore Reintegra on this machine.

Migrates, loads the gazetteer and, on a database without cases, creates demo organisations, one demo
user per role (one published password) and a few hundred synthetic cases across Mexico, Guatemala,
Honduras and El Salvador (`reintegra.demo.site`); then prints how to log in and serves (`reintegra serve`, gunicorn).
Running it again creates nothing new. It refuses production settings: the demo password is public.
"""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse

from reintegra.access.models import ROLE_LABELS
from reintegra.cases.models import Case
from reintegra.demo import site
from reintegra.places.services import load_gazetteer


def _in_production() -> bool:
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "") or getattr(settings, "SETTINGS_MODULE", "")
    return module.endswith(".production") or os.environ.get("REINTEGRA_ENV") == "production"


class Command(BaseCommand):
    help = (
        "Prepare a demo: migrate, load places and, on an empty database, create demo users for every role "
        f"(password {site.DEMO_PASSWORD!r}) and synthetic cases; then serve on --addrport."
    )
    requires_system_checks: list[str] = []  # migrate and the server run them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000).")
        parser.add_argument("--no-serve", action="store_true", help="Prepare and print the logins, do not serve.")
        parser.add_argument("--cases", type=int, default=300, help="Synthetic cases on first run (default 300).")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed of the synthetic data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if _in_production():
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
            for line in site.populate(options["cases"], options["seed"]):
                self.stdout.write(line)
        self._print_logins(options["addrport"])

        if not options["no_serve"]:
            # The production stack (gunicorn, WhiteNoise, DEBUG off), two workers: enough for one person exploring;
            # and the background worker, so that uploads and other queued work run as they would in production.
            call_command("serve", bind=options["addrport"], workers=2, with_worker=True)

    def _print_logins(self, addrport: str) -> None:
        present = site.present_users()
        if not present:
            self.stdout.write("No demo users in this database: log in with your own accounts.")
            return
        url = _base_url(addrport)
        try:
            login_path = reverse("login")
        except NoReverseMatch:
            login_path = "/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Reintegra demo: {url}{login_path}"))
        self.stdout.write(f"Password for every demo user: {site.DEMO_PASSWORD}")
        width = max(len(spec.username) for spec in site.DEMO_USERS)
        for spec in site.DEMO_USERS:
            if spec.username in present:
                where = "" if spec.organisation == site.DEMO_ORGANISATION else f" — {spec.organisation}"
                self.stdout.write(f"  {spec.username.ljust(width)}  {ROLE_LABELS[spec.role]}{where}")
        self.stdout.write(f"Django admin: {url}/admin/ (user admin)")
        self.stdout.write("")


def _base_url(addrport: str) -> str:
    host, _, port = addrport.rpartition(":")
    host = host or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - only the printed URL
        host = "127.0.0.1"
    return f"http://{host}:{port or addrport}"
