"""API tokens: hashed, named, expiring (django-rest-knox with `access.ApiToken`).

- `issue(user, name=..., second_factor=...)`: a new token; the secret is returned once and only its
  SHA-512 digest is stored. Refused while the user owes a second factor: a user with an authenticator app,
  or whose role requires one, gets a token only after a code (`POST /api/v1/auth/token/` with `otp`) or from
  a session verified with a code (the account page). At most `REINTEGRA_API_TOKENS_PER_USER` live tokens.
- `tokens_of(user)`: the user's live tokens (never the secret or its digest); `revoke(user, pk)`: one of
  their own.
- `revoke_all(user, reason)`: every token of the user. Done automatically (signal receivers below,
  whatever the path: a page, the Django admin, a command) when the password changes, when the account is
  deactivated, when a role is taken away, and, for tokens issued without a second factor, when the user
  gains a role that requires one or a role of theirs starts requiring one (`RoleSecurityPolicy`):
  a token obtained with the password alone must not outlive the rule that now asks for more.
- Expired tokens stop working at once (knox deletes them when they are presented) and are cleared when
  the user asks for a new one.

Creation and every revocation are written to the access trail (`token_created`, `token_revoked`, with the
reason as purpose; never the token or its name).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.audit import record_access
from reintegra.access.models import AccessEvent, ApiToken, RoleAssignment, RoleSecurityPolicy, User

NAME_MAX_LENGTH = 100
# The token's `last_used_at` is written at most this often (it is not worth a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


class Reason:
    """Why tokens were revoked (the purpose of the access-trail entry)."""

    BY_USER = "revoked by its owner"
    BY_ADMINISTRATOR = "revoked by an administrator"
    PASSWORD_CHANGED = "password changed"  # noqa: S105 - a reason, not a password
    DEACTIVATED = "account deactivated"
    ROLE_REMOVED = "role removed"
    SECOND_FACTOR_REQUIRED = "second factor now required"
    SECOND_FACTOR_SET_UP = "authenticator app set up"


def ttl() -> timedelta | None:
    from knox.settings import knox_settings

    ttl: timedelta | None = knox_settings.TOKEN_TTL
    return ttl


def _live() -> Q:
    return Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())


def tokens_of(user: User) -> models.QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    tokens: models.QuerySet[ApiToken] = ApiToken.objects.all()  # ApiToken's base (knox) has no types
    if not getattr(user, "is_authenticated", False):
        return tokens.none()
    return tokens.filter(_live(), user_id=user.pk).order_by("-created", "-id")


def token_of(user: User, pk: Any) -> ApiToken:
    """One of the user's live tokens; `ApiToken.DoesNotExist` otherwise."""
    return tokens_of(user).get(pk=pk)


def live_token_count(user: User) -> int:
    return tokens_of(user).count()


def clean_name(name: Any) -> str:
    """The token's name: what it is for. Printable text; a dated default when none is given."""
    text = " ".join("".join(ch for ch in str(name or "") if ch.isprintable()).split())
    if len(text) > NAME_MAX_LENGTH:
        message = _("Use at most %(max)d characters for the name.") % {"max": NAME_MAX_LENGTH}
        raise ValidationError({"name": ValidationError(message, code="max_length")})
    return text or _("API token of %(date)s") % {"date": timezone.localdate().isoformat()}


def owes_second_factor(user: User) -> bool:
    from reintegra.access import two_factor

    return two_factor.has_confirmed_device(user) or two_factor.two_factor_required(user)


def issue(user: User, *, name: Any = "", second_factor: bool, channel: str = "api") -> tuple[ApiToken, str]:
    """A new token for `user`: (the token, its secret, to show once). `second_factor`: the caller checked a
    code from the user's authenticator app (or the session was verified with one)."""
    if not permissions.is_active_user(user):
        raise permissions.denied()
    if not second_factor and owes_second_factor(user):
        raise ValidationError(
            _("Enter a code from your authenticator app to create an API token."), code="two_factor_required"
        )
    clean = clean_name(name)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per user
        ApiToken.objects.filter(user_id=user.pk, expiry__lte=timezone.now()).delete()
        limit = settings.REINTEGRA_API_TOKENS_PER_USER
        if ApiToken.objects.filter(user_id=user.pk).count() >= limit:
            raise ValidationError(
                _(
                    "You already have %(limit)d API tokens. Revoke the ones you no longer use "
                    "(Your account, API tokens) and try again."
                )
                % {"limit": limit},
                code="token_limit",
            )
        token, secret = ApiToken.objects.create(user, expiry=ttl(), name=clean, second_factor=second_factor)
        record_access(user, AccessEvent.Action.TOKEN_CREATED, token, channel=channel)
    return token, secret


def issue_in_session(user: User, password: str, *, name: Any = "", second_factor: bool) -> tuple[ApiToken, str]:
    """A token created on the account page: the password is asked again, so that a session left open (or
    taken over) cannot turn itself into a token that outlives it. A wrong one raises accounts.WrongPassword
    (the caller counts it as a failed login)."""
    from reintegra.access.accounts import WrongPassword

    if not (getattr(user, "is_authenticated", False) and user.check_password(password or "")):
        raise WrongPassword(
            {"password": ValidationError(_("Your password is not right. Type it again."), code="wrong")}
        )
    return issue(user, name=name, second_factor=second_factor, channel="web")


def revoke(user: User, pk: Any, *, channel: str = "web", actor: Any = None) -> ApiToken:
    """Revoke one of the user's own tokens; another's (or a missing one) raises ApiToken.DoesNotExist.
    `actor`: a system administrator revoking it in the Django admin."""
    token: ApiToken = ApiToken.objects.filter(user_id=user.pk).get(pk=pk)
    by_other = actor is not None and actor.pk != user.pk
    with transaction.atomic():
        record_access(
            actor if by_other else user,
            AccessEvent.Action.TOKEN_REVOKED,
            token,
            purpose=Reason.BY_ADMINISTRATOR if by_other else Reason.BY_USER,
            channel=channel,
        )
        token.delete()
    return token


def revoke_all(user: User, reason: str, *, only_without_second_factor: bool = False, channel: str = "web") -> int:
    """Revoke every token of `user` (or only those issued without a second factor). Returns how many."""
    tokens = ApiToken.objects.filter(user_id=user.pk)
    if only_without_second_factor:
        tokens = tokens.filter(second_factor=False)
    with transaction.atomic():
        ids = list(tokens.values_list("pk", flat=True))
        for pk in ids:
            record_access(
                user,
                AccessEvent.Action.TOKEN_REVOKED,
                object_type="access.apitoken",
                object_id=pk,
                purpose=reason,
                channel=channel,
            )
        ApiToken.objects.filter(pk__in=ids).delete()
    return len(ids)


def touch(token: ApiToken) -> None:
    """Note that the token was used (at most every LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- revocation on account changes (signal receivers, connected in AccessConfig.ready) -------------

_BEFORE = "_reintegra_token_state"


def remember_account_state(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kw: Any
) -> None:
    """`pre_save` of User: keep the stored password hash and active flag to compare after the save."""
    if raw or instance.pk is None:
        return
    if update_fields is not None:
        fields = set(update_fields) - {"revision"}  # Versioned adds its counter to every partial save
        if not {"password", "is_active"} & fields:
            return
        if fields == {"password"} and getattr(instance, "_password", None) is None:
            return  # check_password upgrading the hash of the same password: not a change
    stored = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if stored is not None:
        setattr(instance, _BEFORE, stored)


def revoke_on_account_change(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    """`post_save` of User: a new password or a deactivation ends every token."""
    before = instance.__dict__.pop(_BEFORE, None)
    if raw or before is None:
        return
    password, was_active = before
    if was_active and not instance.is_active:
        revoke_all(instance, Reason.DEACTIVATED)
    elif password != instance.password:
        revoke_all(instance, Reason.PASSWORD_CHANGED)


def revoke_on_role_removed(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    """`post_delete` of RoleAssignment: fewer rights, new tokens (the user asks again). Not when the user
    is being deleted: the tokens go with them."""
    origin = kwargs.get("origin")
    if isinstance(origin, User) or (isinstance(origin, models.QuerySet) and origin.model is User):
        return
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        revoke_all(user, Reason.ROLE_REMOVED)


def revoke_on_role_added(
    sender: Any, instance: RoleAssignment, created: bool = False, raw: bool = False, **kw: Any
) -> None:
    """`post_save` of RoleAssignment: a role that requires a second factor ends the tokens issued without."""
    if raw or not created:
        return
    if RoleSecurityPolicy.objects.filter(role=instance.role, require_two_factor=True).exists():
        user = User.objects.filter(pk=instance.user_id).first()
        if user is not None:
            revoke_all(user, Reason.SECOND_FACTOR_REQUIRED, only_without_second_factor=True)


def revoke_on_policy(sender: Any, instance: RoleSecurityPolicy, raw: bool = False, **kwargs: Any) -> None:
    """`post_save` of RoleSecurityPolicy: when a role requires a second factor, the tokens its users got
    without one are revoked (they ask again, with a code, once their app is set up)."""
    if raw or not instance.require_two_factor:
        return
    holders = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(role=instance.role).values("user_id"),
        auth_token_set__second_factor=False,
    ).distinct()
    for user in holders:
        revoke_all(user, Reason.SECOND_FACTOR_REQUIRED, only_without_second_factor=True)
