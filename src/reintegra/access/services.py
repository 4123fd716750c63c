"""Every write of the access app: organisations, teams, users and roles, and programme settings (consent,
case sharing and retention are `protection.services`). Each function checks permission first, validates
with translated messages (`ValidationError` with field names) and runs in one transaction attributed to
its actor in the change log.

`actor=None` on the organisation/team/user functions means "the platform operator at the shell"
(`reintegra createorg`, `reintegra createuser`): someone with shell access already holds the keys, so the
command line is trusted. Any other caller passes the signed-in user, who needs Capability.MANAGE_USERS;
only a system administrator (Role.ADMIN) may create organisations, act on another organisation or grant
the platform-wide roles (admin, coordinator).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import set_actor
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import permissions, versioning
from reintegra.access.models import (
    MAX_SUPPRESSION_THRESHOLD,
    MIN_SUPPRESSION_THRESHOLD,
    Organisation,
    RoleAssignment,
    Team,
    User,
)
from reintegra.access.roles import Capability, Role
from reintegra.validation import FieldErrors

# Roles that reach beyond one organisation: only a system administrator may grant them.
PLATFORM_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


# --- helpers -------------------------------------------------------------------------------------


def _is_platform_admin(user: User) -> bool:
    return permissions.is_active_user(user) and Role.ADMIN in user.roles


@contextmanager
def _atomic_as(actor: Any) -> Iterator[None]:
    """One transaction; changes attributed to `actor` in the change log when there is one."""
    with transaction.atomic():
        if actor is None:
            yield
        else:
            with set_actor(actor):
                yield


def _check_manages(actor: Any, organisation: Organisation | None, roles: Iterable[Role] = ()) -> None:
    """May `actor` manage users of `organisation` and grant `roles`? `actor=None` is the shell operator."""
    if actor is None:
        return
    permissions.require(actor, Capability.MANAGE_USERS)
    if _is_platform_admin(actor):
        return
    permissions.require_holding_organisation(actor, organisation.pk if organisation is not None else None)
    if PLATFORM_ROLES & set(roles):
        raise PermissionDenied(
            _("Only a system administrator can grant the roles %(roles)s.")
            % {"roles": ", ".join(sorted(str(r) for r in PLATFORM_ROLES))}
        )


def _clean_roles(roles: Iterable[Role | str] | str) -> list[Role]:
    if isinstance(roles, str):
        roles = [roles]
    clean: list[Role] = []
    bad: list[str] = []
    for value in roles:
        try:
            clean.append(Role(str(value).strip()))
        except ValueError:
            bad.append(str(value))
    if bad:
        raise ValidationError(
            {
                "roles": _("Unknown role(s): %(roles)s. Choose from: %(choices)s.")
                % {"roles": ", ".join(bad), "choices": ", ".join(r.value for r in Role)}
            }
        )
    if not clean:
        raise ValidationError({"roles": _("Give the user at least one role.")})
    return list(dict.fromkeys(clean))


def _forget_cached_roles(user: User) -> None:
    for name in ("roles", "capabilities"):
        user.__dict__.pop(name, None)


# --- organisations, teams, users -----------------------------------------------------------------


def create_organisation(
    code: str, name: str, country: str, *, retention_months: int | None = None, actor: Any = None
) -> Organisation:
    """A new organisation. The code is normalised to lower case and must be unique (case-insensitive)."""
    if actor is not None and not _is_platform_admin(actor):
        raise permissions.denied()
    code = (code or "").strip().lower()
    country = (country or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("Give the organisation a short code, e.g. oim-mx.")})
    if country not in countries:
        raise ValidationError(
            {
                "country": _("Unknown country code %(code)s: use a two-letter ISO code, e.g. MX, GT, HN, SV.")
                % {"code": country or "''"}
            }
        )
    with _atomic_as(actor):
        if Organisation.objects.filter(code__iexact=code).exists():
            raise ValidationError(
                {"code": _("An organisation with the code %(code)s already exists.") % {"code": code}}
            )
        org = Organisation(code=code, name=(name or "").strip(), country=country)
        if retention_months is not None:
            org.retention_months = retention_months
        org.full_clean()
        org.save()
        return org


def create_programme(organisation: Organisation, name: str = "", *, code: str = "", actor: Any = None) -> Any:
    """A programme of `organisation` with the default settings (programme managers adjust them)."""
    from reintegra.access.models import Programme

    if actor is not None and not _is_platform_admin(actor):
        raise permissions.denied()
    name = (name or "").strip() or f"Programa de reintegración · {organisation.name}"
    base = (code or f"{organisation.code}-reintegracion").strip().lower()[:28]
    with _atomic_as(actor):
        code, n = base, 1
        while Programme.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        programme = Programme(
            organisation=organisation, code=code, name=name[:200], countries=[str(organisation.country)]
        )
        programme.full_clean()
        programme.save()
        return programme


def create_team(organisation: Organisation, name: str, *, actor: Any = None) -> Team:
    _check_manages(actor, organisation)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    with _atomic_as(actor):
        if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
            raise ValidationError(
                {
                    "name": _("The organisation %(organisation)s already has a team called %(team)s.")
                    % {"organisation": organisation.code, "team": name}
                }
            )
        team = Team(organisation=organisation, name=name)
        team.full_clean()
        team.save()
        return team


def create_user(
    username: str,
    organisation: Organisation,
    roles: Iterable[Role | str] | str,
    team: Team | None = None,
    password: str | None = None,
    is_mental_health_professional: bool = False,
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor: Any = None,
) -> User:
    """A new user of `organisation` with `roles`. Without a password the account cannot log in until one
    is set. The password must pass the configured password validators."""
    _check_manages(actor, organisation)
    clean_roles = _clean_roles(roles)
    _check_manages(actor, organisation, clean_roles)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Give a username.")})
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the user's organisation.")})
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "team": _("The team %(team)s does not belong to %(organisation)s.")
                % {"team": team.name, "organisation": organisation.code}
            }
        )
    with _atomic_as(actor):
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": _("The username %(username)s is already taken.") % {"username": username}}
            )
        user = User(
            username=username,
            organisation=organisation,
            team=team,
            email=(email or "").strip(),
            first_name=(first_name or "").strip(),
            last_name=(last_name or "").strip(),
            is_mental_health_professional=bool(is_mental_health_professional),
        )
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role.value) for role in clean_roles)
        _forget_cached_roles(user)
        return user


def set_roles(user: User, roles: Iterable[Role | str] | str, *, actor: Any = None) -> User:
    """Replace the user's roles."""
    _check_manages(actor, user.organisation)
    clean_roles = _clean_roles(roles)
    # Removing a platform-wide role is as privileged as granting it.
    _check_manages(actor, user.organisation, set(clean_roles) | set(user.roles))
    with _atomic_as(actor):
        wanted = {r.value for r in clean_roles}
        existing = {a.role: a for a in RoleAssignment.objects.filter(user=user)}
        for role, assignment in existing.items():
            if role not in wanted:
                assignment.delete()  # one by one, so the change log records each
        for role in clean_roles:
            if role.value not in existing:
                RoleAssignment.objects.create(user=user, role=role.value)
        _forget_cached_roles(user)
        return user


# --- programmes ----------------------------------------------------------------------------------

PROGRAMME_SETTINGS = (
    "name",
    "countries",
    "starts_on",
    "ends_on",
    "is_active",
    "rss_round_months",
    "rss_baseline_window_days",
    "rss_round_window_days",
    "stakeholder_high_threshold",
    "stakeholder_review_months",
    "agreement_renewal_notice_days",
    "suppression_threshold",
)


# Delays in days or months: beyond these they are typing mistakes (and overflow dates or the database).
PROGRAMME_SETTING_RANGES = {
    "rss_baseline_window_days": (1, 366),
    "rss_round_window_days": (1, 366),
    "stakeholder_review_months": (1, 120),
    "agreement_renewal_notice_days": (0, 3660),
}


def _programme_errors(programme: Any, data: dict[str, Any]) -> FieldErrors:
    """Every wrong setting of `data` (what it leaves out keeps the programme's value)."""
    errors = FieldErrors()
    months = data.get("rss_round_months", programme.rss_round_months)
    if not isinstance(months, list) or not months or not all(_whole(m, 0, 120) for m in months):
        errors.add(
            "rss_round_months", _("Give the months after return as whole numbers between 0 and 120."), "out_of_range"
        )
    elif len(set(months)) != len(months):
        errors.add("rss_round_months", _("Each month may appear only once."), "duplicate")
    for key, (low, high) in PROGRAMME_SETTING_RANGES.items():
        if not _whole(data.get(key, low), low, high):
            message = _("Give a whole number between %(low)d and %(high)d.") % {"low": low, "high": high}
            errors.add(key, message, "out_of_range")
    if not _whole(data.get("stakeholder_high_threshold", programme.stakeholder_high_threshold), 1, 5):
        errors.add("stakeholder_high_threshold", _("The threshold is a score from 1 to 5."), "out_of_range")
    k = data.get("suppression_threshold", programme.suppression_threshold)
    if not _whole(k, MIN_SUPPRESSION_THRESHOLD, MAX_SUPPRESSION_THRESHOLD):
        message = _("The suppression threshold is a whole number from %(low)s to %(high)s.") % {
            "low": MIN_SUPPRESSION_THRESHOLD,
            "high": MAX_SUPPRESSION_THRESHOLD,
        }
        errors.add("suppression_threshold", message, "out_of_range")
    chosen = data.get("countries", programme.countries)
    if not isinstance(chosen, list) or not all(isinstance(c, str) and c in countries for c in chosen):
        errors.add("countries", _("Give countries as two-letter codes."), "invalid_choice")
    starts, ends = data.get("starts_on", programme.starts_on), data.get("ends_on", programme.ends_on)
    if starts and ends and ends < starts:
        errors.add("ends_on", _("The end date cannot be before the start date."), "ends_before_start")
    return errors


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def update_programme(user: User, programme: Any, data: dict[str, Any], *, expected_version: int | None = None) -> Any:
    """Change a programme's settings (programme managers of its organisation). Unknown keys are refused.

    `expected_version`: the version the user read (access.versioning); a stale one raises StaleVersion."""
    from reintegra.access.models import Programme

    permissions.require(user, Capability.MANAGE_PROGRAMME)
    permissions.require_holding_organisation(user, programme)
    unknown = set(data) - set(PROGRAMME_SETTINGS)
    if unknown:
        raise ValidationError(
            {key: ValidationError(_("This setting does not exist."), "unknown_setting") for key in sorted(unknown)}
        )
    _programme_errors(programme, data).raise_if_any()
    with _atomic_as(user):
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        versioning.check(locked, expected_version)
        for key, value in data.items():
            setattr(locked, key, sorted(value) if key == "rss_round_months" else value)
        locked.full_clean(exclude=["organisation", "code"])
        locked.save()
        return locked
