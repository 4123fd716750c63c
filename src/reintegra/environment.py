"""Which settings module runs: one rule for every entry point (`reintegra`, `python -m reintegra`,
`reintegra.wsgi`, `reintegra.asgi`, and the settings modules themselves for pytest and django-admin).

`REINTEGRA_ENV=production` selects `reintegra.settings.production`; anything else the development
settings. An explicit `DJANGO_SETTINGS_MODULE` that names the development or test settings while
`REINTEGRA_ENV=production` is refused: a production deployment must never run with development
settings because one variable was left over. A module of your own that builds on the production
settings is accepted (it is checked once loaded: it must declare `REINTEGRA_ENVIRONMENT = "production"`).

This module imports nothing from Django at import time, so entry points can call it before setup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any

PRODUCTION = "production"
DEVELOPMENT = "development"
ENVIRONMENTS = {
    PRODUCTION: "reintegra.settings.production",
    DEVELOPMENT: "reintegra.settings",
}
# Settings modules that must never serve REINTEGRA_ENV=production.
NOT_FOR_PRODUCTION = frozenset({"reintegra.settings", "reintegra.settings.test"})


def _improperly_configured(message: str) -> Exception:
    from django.core.exceptions import ImproperlyConfigured

    return ImproperlyConfigured(message)


def environment(environ: Mapping[str, str] | None = None) -> str:
    """`production` or `development`, from REINTEGRA_ENV (empty means development)."""
    environ = os.environ if environ is None else environ
    value = environ.get("REINTEGRA_ENV", "").strip().lower() or DEVELOPMENT
    if value not in ENVIRONMENTS:
        raise _improperly_configured(f"REINTEGRA_ENV must be 'production' or 'development' (or unset), not {value!r}.")
    return value


def settings_module(environ: Mapping[str, str] | None = None) -> str:
    """The settings module to load for this environment, honouring an explicit DJANGO_SETTINGS_MODULE
    unless it contradicts REINTEGRA_ENV=production."""
    environ = os.environ if environ is None else environ
    env = environment(environ)
    explicit = environ.get("DJANGO_SETTINGS_MODULE", "").strip()
    if not explicit:
        return ENVIRONMENTS[env]
    if env == PRODUCTION and explicit in NOT_FOR_PRODUCTION:
        raise _improperly_configured(
            f"REINTEGRA_ENV=production but DJANGO_SETTINGS_MODULE={explicit} names non-production settings. "
            f"Unset DJANGO_SETTINGS_MODULE (or set it to {ENVIRONMENTS[PRODUCTION]})."
        )
    return explicit


def select_settings(environ: MutableMapping[str, str] | None = None) -> str:
    """Choose the settings module and put it in DJANGO_SETTINGS_MODULE; every entry point calls this."""
    environ = os.environ if environ is None else environ
    module = settings_module(environ)
    environ["DJANGO_SETTINGS_MODULE"] = module
    return module


def refuse_in_production(module_name: str, environ: Mapping[str, str] | None = None) -> None:
    """Called by the development and test settings when they are the settings module being loaded:
    covers the entry points that do not go through `select_settings` (pytest, django-admin)."""
    environ = os.environ if environ is None else environ
    if environ.get("DJANGO_SETTINGS_MODULE", "") == module_name and environment(environ) == PRODUCTION:
        raise _improperly_configured(
            f"REINTEGRA_ENV=production but the settings loaded are {module_name}. "
            f"Unset DJANGO_SETTINGS_MODULE (or set it to {ENVIRONMENTS[PRODUCTION]})."
        )


def verify_loaded(settings: Any, environ: Mapping[str, str] | None = None) -> None:
    """After setup: production asked for means production settings loaded, and never DEBUG with them."""
    environ = os.environ if environ is None else environ
    declared = getattr(settings, "REINTEGRA_ENVIRONMENT", DEVELOPMENT)
    if environment(environ) == PRODUCTION and declared != PRODUCTION:
        raise _improperly_configured(
            f"REINTEGRA_ENV=production but the settings module {settings.SETTINGS_MODULE} does not build on "
            f"{ENVIRONMENTS[PRODUCTION]}."
        )
    if declared == PRODUCTION and settings.DEBUG:
        raise _improperly_configured("DEBUG is never on with the production settings.")


def setup() -> None:
    """Select the settings, set Django up and verify what was loaded (the WSGI/ASGI modules and the
    `reintegra` command call this before anything else)."""
    select_settings()
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    verify_loaded(settings)
