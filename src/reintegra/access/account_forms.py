"""Forms of the account pages: they only parse; the rules are in `access.accounts` and `access.api_tokens`."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from reintegra.access import api_tokens
from reintegra.web.forms import ServiceErrorsMixin


def _rules_text() -> str:
    return " ".join(password_validation.password_validators_help_texts())


# The password validators' rules as plain text (the HTML list would sit inside a paragraph).
_rules = lazy(_rules_text, str)


def _password(label: Any, autocomplete: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete, "maxlength": "128"}),
        **kwargs,
    )


class PasswordChangeForm(ServiceErrorsMixin, forms.Form):
    old_password = _password(_("Current password"), "current-password")
    new_password1 = _password(_("New password"), "new-password", help_text=_rules())
    new_password2 = _password(_("New password again"), "new-password")


class SetPasswordForm(ServiceErrorsMixin, forms.Form):
    """The page a reset link opens (Django's PasswordResetConfirmView passes the user)."""

    new_password1 = _password(_("New password"), "new-password", help_text=_rules())
    new_password2 = _password(_("New password again"), "new-password")

    def __init__(self, user: object, *args: object, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class PasswordResetRequestForm(ServiceErrorsMixin, forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter your username or your e-mail address.")},
    )


class TokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("What the token is for, e.g. the script or device that uses it."),
        max_length=api_tokens.NAME_MAX_LENGTH,
        required=False,
    )
    password = _password(_("Your password"), "current-password", help_text=_("Asked again to create a token."))


class CodeForm(forms.Form):
    """One code from an authenticator app; `access.two_factor` checks it (format, match, throttling)."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "input--code",
                "maxlength": "12",
            }
        ),
        error_messages={"required": _("Enter the code shown in your authenticator app.")},
    )
