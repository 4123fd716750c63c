"""The API's token check (`REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`). Kept apart from the views of
`reintegra.api.auth`: DRF imports authentication classes while its own views module is still loading."""

import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions

# What a token looks like: the prefix and hexadecimal digits. Anything else is refused before any lookup.
_TOKEN_SHAPE = re.compile(rb"[A-Za-z0-9_]{16,128}")


class TokenAuthentication(KnoxTokenAuthentication):  # type: ignore[misc]  # knox ships no types
    """knox's token check (only a digest is stored; expired tokens are deleted when presented), refusing
    malformed tokens with a 401 rather than a 500, and noting when a token was last used."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        from reintegra.access import api_tokens

        if not _TOKEN_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        api_tokens.touch(auth_token)
        return user, auth_token

    def _cleanup_token(self, auth_token: Any) -> bool:
        """Whether the token presented has expired (then deleted). knox also reads every other token of the user
        on each request to delete the expired ones: a statement per API request for tokens that are refused
        anyway; they are deleted when presented, or when the user is issued a new one (`api_tokens.issue`)."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True
