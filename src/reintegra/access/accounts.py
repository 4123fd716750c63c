"""Passwords: change (signed-in user), reset by e-mail link (asked from the login page, or sent by a user
manager), and the users a manager may send a link to.

- `change_password(user, old, new1, new2)`: the current password, the new one twice, Django's password
  validators. The account's other sessions end (Django ties sessions to the password hash) and its API
  tokens are revoked (`access.api_tokens`: every password change, whatever the path).
- `request_reset(identifier, base_url)`: the "forgot your password?" page. Whatever is typed, the answer is
  the same (no account is revealed); an active account with a usable password and an e-mail address whose
  username or e-mail matches gets a link. Counted by `access.throttle` (per address and per name typed).
- `send_reset_by_manager(actor, user, base_url)`: a user manager (Capability.MANAGE_USERS) of the user's
  organisation (or a system administrator) e-mails the user a link, e.g. for a new account without a
  password or a forgotten one.
- `set_password_from_reset(user, new1, new2)`: the page the link opens. The link is Django's token
  (`default_token_generator`): valid for `PASSWORD_RESET_TIMEOUT`, and only once (it depends on the
  password hash and the last login).

E-mails are written in the user's language (`User.language`, noted at each login; the site's language
when unknown). Every step is written to the access trail.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.audit import record_access
from reintegra.access.models import AccessEvent, User
from reintegra.access.roles import Capability, Role

FROM_LOGIN_PAGE = "asked from the login page"
BY_MANAGER = "sent by a user manager"


class WrongPassword(ValidationError):
    """The current password typed on the password-change page is not the user's."""


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_new_password(user: User, new1: str, new2: str) -> None:
    if not new1:
        raise _field_error("new_password1", _("Enter a new password."), "required")
    if new1 != new2:
        raise _field_error("new_password2", _("The two new passwords are not the same."), "mismatch")
    try:
        password_validation.validate_password(new1, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.error_list}) from None


def change_password(user: User, old_password: str, new_password1: str, new_password2: str) -> None:
    """Change the signed-in user's own password. Wrong current password: a ValidationError on `old_password`
    (the caller counts it as a failed login: `access.throttle`)."""
    if not permissions.is_active_user(user):
        raise ValidationError(str(permissions.DENIED_MESSAGE), code="permission_denied")
    if not user.check_password(old_password or ""):
        raise WrongPassword(
            {"old_password": ValidationError(_("Your current password is not right. Type it again."), code="wrong")}
        )
    _check_new_password(user, new_password1, new_password2)
    with transaction.atomic():
        user.set_password(new_password1)
        user.save()
        record_access(user, AccessEvent.Action.PASSWORD_CHANGED, user)


def set_password_from_reset(user: User, new_password1: str, new_password2: str) -> None:
    """Set the password of `user` from a reset link (the link was checked by the caller)."""
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    _check_new_password(user, new_password1, new_password2)
    with transaction.atomic():
        user.set_password(new_password1)
        user.save()
        record_access(user, AccessEvent.Action.PASSWORD_RESET, user)


# --- reset links ---------------------------------------------------------------------------------


def reset_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "account:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )


def _language_of(user: User) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def _send_link(user: User, base_url: str, *, by_manager: bool, language: str | None = None) -> None:
    hours = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
    with translation.override(language or _language_of(user)):
        context = {
            "user": user,
            "link": base_url.rstrip("/") + reset_path(user),
            "hours": hours,
            "by_manager": by_manager,
        }
        subject = " ".join(render_to_string("account/email/password_reset_subject.txt", context).split())
        body = render_to_string("account/email/password_reset_body.txt", context)
    send_mail(subject, body, None, [user.email])


def _can_receive_link(user: User) -> bool:
    return bool(user.is_active and user.email)


def request_reset(identifier: Any, base_url: str, *, language: str | None = None) -> int:
    """E-mail a reset link to the accounts matching `identifier` (username or e-mail, any case) that are
    active, have a usable password and an e-mail address. Returns how many (never shown to the asker)."""
    text = str(identifier or "").strip()
    if not text:
        raise _field_error("identifier", _("Enter your username or your e-mail address."), "required")
    if len(text) > 254:
        raise _field_error("identifier", _("Enter your username or your e-mail address."), "invalid")
    sent = 0
    for user in User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text), is_active=True):
        if not (_can_receive_link(user) and user.has_usable_password()):
            continue
        # The asker's language when they asked from the login page: they read that page.
        _send_link(user, base_url, by_manager=False, language=language)
        record_access(user, AccessEvent.Action.PASSWORD_RESET_SENT, user, purpose=FROM_LOGIN_PAGE)
        sent += 1
    return sent


def send_reset_by_manager(actor: Any, user: User, base_url: str) -> None:
    """E-mail `user` a link to set a new password, at the request of a user manager of their organisation."""
    from reintegra.access.services import _check_manages

    _check_manages(actor, user.organisation, user.roles)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated: reactivate it before sending a link."), code="inactive")
    if not user.email:
        raise ValidationError(
            _("This user has no e-mail address. Add one (Django admin, Users) before sending a link."),
            code="no_email",
        )
    _send_link(user, base_url, by_manager=True)
    record_access(actor, AccessEvent.Action.PASSWORD_RESET_SENT, user, purpose=BY_MANAGER)


def manageable_users(actor: Any) -> QuerySet[User]:
    """The users `actor` may send a link to: their organisation's (a system administrator: everyone)."""
    if not permissions.has_any(actor, Capability.MANAGE_USERS):
        return User.objects.none()
    users = User.objects.select_related("organisation").prefetch_related("role_assignments").order_by("username")
    if Role.ADMIN in actor.roles:
        return users
    if not actor.organisation_id:
        return User.objects.none()
    return users.filter(organisation_id=actor.organisation_id)


def manageable_user(actor: Any, pk: Any) -> User | None:
    """One of the users `actor` may send a link to, or None."""
    return manageable_users(actor).filter(pk=pk).first()


def role_codes(user: User) -> Iterable[str]:
    return sorted(a.role for a in user.role_assignments.all())


# --- the user's language -------------------------------------------------------------------------


def note_language(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver: remember the language the user reads the site in, for their e-mails."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes and getattr(user, "language", language) != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
