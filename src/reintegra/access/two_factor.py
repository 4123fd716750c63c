"""Optional second factor: a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

Any user may turn it on for themselves; an administrator can require it per role (`RoleSecurityPolicy`, in
the Django admin). The devices are `access.models.TOTPDevice` (django-otp's TOTP device with the secret
encrypted at rest); a session counts as verified once
`django_otp.login` has recorded the device that accepted a code (`user.is_verified()`, set by django-otp's
`OTPMiddleware`).

- `pending_step(user)`: what a signed-in user must still do in this session (enter a code, or set up an app
  because their role requires one); `access.middleware.TwoFactorMiddleware` keeps them on those pages.
- `verify_code(user, code)`: checks a code against the user's confirmed devices, with django-otp's
  throttling (each wrong code doubles the wait before the next try) and replay protection (a code is
  accepted once).
- `start_enrolment` / `confirm_enrolment` / `disable`: the set-up page.
- `check_api_code(user, code)`: the extra `otp` field of `POST /api/v1/auth/token/`.

Every failure is a `ValidationError` with a translated message and a code (`invalid`, `throttled`,
`required`, `setup_required`, `not_allowed`) so the web forms and the API report it the same way.
"""

from __future__ import annotations

import math
import time
from base64 import b32encode
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeGuard

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reintegra.access.models import RoleSecurityPolicy, TOTPDevice

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reintegra.access.models import User

DEVICE_NAME = "Authenticator app"


class Step(StrEnum):
    """What a signed-in user has to do before the rest of the application opens."""

    VERIFY = "verify"  # enter a code from their app
    ENROL = "enrol"  # their role requires two-factor authentication and they have not set it up


def _is_signed_in(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_verified(user: User) -> bool:
    """Whether this session was confirmed with a code (needs django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_devices(user: User) -> Any:
    """The user's confirmed authenticator apps, oldest first."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("created_at")


def has_confirmed_device(user: User) -> bool:
    return _is_signed_in(user) and confirmed_devices(user).exists()


def two_factor_required(user: User) -> bool:
    """True when any of the user's roles requires two-factor authentication."""
    if not _is_signed_in(user):
        return False
    roles = [str(role) for role in user.roles]
    return bool(roles) and RoleSecurityPolicy.objects.filter(role__in=roles, require_two_factor=True).exists()


def _device_and_requirement(user: User) -> tuple[bool, bool]:
    """(has a confirmed device, a role requires two-factor authentication), in one query."""
    from reintegra.access.models import RoleAssignment, User

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            required=Exists(
                RoleSecurityPolicy.objects.filter(
                    require_two_factor=True,
                    role__in=RoleAssignment.objects.filter(user_id=OuterRef(OuterRef("pk"))).values("role"),
                )
            ),
        )
        .values_list("has_device", "required")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def pending_step(user: User) -> Step | None:
    """What the signed-in `user` must still do in this session, or None when nothing stands in the way."""
    if not _is_signed_in(user) or is_verified(user):
        return None
    has_device, required = _device_and_requirement(user)
    if has_device:
        return Step.VERIFY
    if required:
        return Step.ENROL
    return None


# A session found to owe nothing is not asked again for this long (a role's new requirement, or an app set
# up by an administrator, applies within this delay), so ordinary pages cost no extra query.
RECHECK_SECONDS = 60
_CLEAR_KEY = "reintegra_two_factor_clear"


def pending_step_for(request: Any) -> Step | None:
    """`pending_step` of the request's user, remembered in the session for RECHECK_SECONDS when it is None."""
    user: User | AnonymousUser | None = getattr(request, "user", None)
    if not _is_signed_in(user) or is_verified(user):
        return None
    session = request.session
    mark = session.get(_CLEAR_KEY)
    now = int(time.time())
    if isinstance(mark, list) and len(mark) == 2 and mark[0] == user.pk and 0 <= now - mark[1] < RECHECK_SECONDS:
        return None
    step = pending_step(user)
    if step is None:
        session[_CLEAR_KEY] = [user.pk, now]
    else:
        session.pop(_CLEAR_KEY, None)
    return step


def note_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver: decide at login, so the first page after it needs no extra query."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(_CLEAR_KEY, None)
    if pending_step(user) is None:
        session[_CLEAR_KEY] = [user.pk, int(time.time())]


# --- codes ---------------------------------------------------------------------------------------


def _normalise(code: Any, digits: int = 6) -> str:
    """The digits of `code` (spaces and dashes people type are dropped); a ValidationError otherwise."""
    text = "".join(str(code or "").split()).replace("-", "")
    if not text:
        raise ValidationError(_("Enter the code shown in your authenticator app."), code="required")
    if not (text.isascii() and text.isdigit() and len(text) == digits):
        raise ValidationError(
            _("Enter the %(digits)d-digit code shown in your authenticator app.") % {"digits": digits}, code="invalid"
        )
    return text


def _wait_text(locked_until: Any) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    return timeuntil(locked_until)


def _throttled(locked_until: Any) -> ValidationError:
    return ValidationError(
        _("Wait %(wait)s before trying another code: each wrong code makes the wait longer.")
        % {"wait": _wait_text(locked_until)},
        code="throttled",
    )


def _wrong() -> ValidationError:
    return ValidationError(
        _("This code is not valid. Check that your phone's clock is right and enter the code shown now."),
        code="invalid",
    )


def _try(device_pk: int, token: str) -> tuple[TOTPDevice | None, Any]:
    """(device, None) when the code matches; (None, locked_until) when throttled; (None, None) when wrong.

    The device row is locked meanwhile so that concurrent guesses cannot slip past the throttle, and the
    failure count is committed before any error is raised."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_pk).first()
        if device is None:
            return None, None
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return None, (info or {}).get("locked_until") or timezone.now()
        if device.verify_token(token):
            return device, None
        return None, None


def verify_code(user: User, code: Any, *, device: TOTPDevice | None = None) -> TOTPDevice:
    """The device of `user` that accepts `code` (any confirmed one, or exactly `device`); otherwise raises
    ValidationError (wrong code, or too many wrong codes: django-otp's throttling)."""
    candidates = [device] if device is not None else list(confirmed_devices(user))
    if not candidates or any(d.user_id != user.pk for d in candidates):
        raise _wrong()
    token = _normalise(code, candidates[0].digits)
    locked: list[Any] = []
    for candidate in candidates:
        matched, locked_until = _try(candidate.pk, token)
        if matched is not None:
            return matched
        if locked_until is not None:
            locked.append(locked_until)
    if len(locked) == len(candidates):
        raise _throttled(min(locked))
    raise _wrong()


def check_api_code(user: User, code: Any) -> bool:
    """The second factor of the API token endpoint: a code when the user has an app set up; a refusal when
    their role requires one and they have none yet (that is done in the web application). True when a code
    was checked, False when the user has no second factor (and needs none)."""
    if has_confirmed_device(user):
        if not str(code or "").strip():
            raise ValidationError(
                _("Two-factor authentication is on for this account: send the code from your authenticator app."),
                code="required",
            )
        verify_code(user, code)
        return True
    if two_factor_required(user):
        raise ValidationError(
            _(
                "Your role requires two-factor authentication. Set it up in the web application "
                "(Two-factor authentication, in the user menu), then ask for a token again."
            ),
            code="setup_required",
        )
    return False


# --- enrolment -----------------------------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    return device


def start_enrolment(user: User) -> TOTPDevice:
    """The user's device being set up: the one already started (so reloading the page keeps the secret the
    user may have scanned), or a new one."""
    device = pending_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def restart_enrolment(user: User) -> TOTPDevice:
    """Throw away the device being set up and start again with a new secret."""
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return start_enrolment(user)


def confirm_enrolment(user: User, device: TOTPDevice, code: Any) -> TOTPDevice:
    """Confirm the device being set up with a code from the app. Other half-set-up devices go, and so do
    the user's API tokens issued without a second factor."""
    from reintegra.access import api_tokens

    if device.user_id != user.pk or device.confirmed:
        raise _wrong()
    device = verify_code(user, code, device=device)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.devices_for_user(user, confirmed=False).exclude(pk=device.pk).delete()
        api_tokens.revoke_all(user, api_tokens.Reason.SECOND_FACTOR_SET_UP, only_without_second_factor=True)
    return device


def can_disable(user: User) -> bool:
    return not two_factor_required(user)


def disable(user: User, code: Any) -> None:
    """Remove the user's authenticator app, confirmed with a current code; refused when their role
    requires two-factor authentication."""
    if not can_disable(user):
        raise PermissionDenied(_("Your role requires two-factor authentication: it cannot be turned off."))
    verify_code(user, code)
    TOTPDevice.objects.devices_for_user(user).delete()


# --- what the set-up page shows ------------------------------------------------------------------


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI (issuer from settings.OTP_TOTP_ISSUER) that the QR code carries."""
    return device.config_url


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data URI for an <img> (the Content-Security-Policy allows img data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")
