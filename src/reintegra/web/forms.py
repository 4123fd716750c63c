"""Forms of the account pages (two-factor authentication)."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
