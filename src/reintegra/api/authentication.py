"""The API's token check (`REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`). Kept apart from the views of
`reintegra.api.auth`: DRF imports authentication classes while its own views module is still loading."""

import binascii
import re
from hmac import compare_digest
from typing import Any

from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from reintegra.web import page_rows

# What a token looks like: the prefix and hexadecimal digits. Anything else is refused before any lookup.
_TOKEN_SHAPE = re.compile(rb"[A-Za-z0-9_]{16,128}")


class TokenAuthentication(KnoxTokenAuthentication):  # type: ignore[misc]  # knox ships no types
    """knox's token check (only a digest is stored; expired tokens are deleted when presented), refusing
    malformed tokens with a 401 rather than a 500, and noting when a token was last used."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        from reintegra.access import api_tokens

        if not _TOKEN_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        presented = _with_roles(token.decode()[: CONSTANTS.TOKEN_KEY_LENGTH])
        if presented is None:
            user, auth_token = super().authenticate_credentials(token)
        else:
            user, auth_token = self._check(token.decode(), presented)
        api_tokens.touch(auth_token)
        return user, auth_token

    def _check(self, token: str, presented: list[Any]) -> tuple[Any, Any]:
        """knox's check of the tokens that share the presented one's key (`knox.auth.authenticate_credentials`),
        on tokens read with their user's roles."""
        for auth_token in presented:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                checked: tuple[Any, Any] = self.validate_user(auth_token)
                return checked
        raise exceptions.AuthenticationFailed(_("Invalid token."))

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


def _with_roles(key: str) -> list[Any] | None:
    """The tokens of this key (knox's query: the user joined) with their user's role codes in the same statement,
    compiled once per connection (`web.page_rows`); each user's `roles` (`access.models.User.roles`, read on
    every request by the permission check) set from them instead of a statement of its own. None: read as knox
    does."""
    from reintegra.access.backends import ROLE_CODES, role_codes, set_roles
    from reintegra.access.models import ApiToken

    def shaped(keys: list[Any]) -> QuerySet[Any]:
        tokens: QuerySet[Any] = ApiToken.objects.filter(token_key=keys[0]).select_related("user")
        with_codes: QuerySet[Any] = tokens.annotate(**{ROLE_CODES: role_codes(OuterRef("user_id"))})
        return with_codes

    found = page_rows.instances("api-token", ApiToken._default_manager.db, shaped, [key], (["\x00a"], ["\x00b"]))
    if found is None:
        return None
    for auth_token in found:
        set_roles(auth_token.user, auth_token)
    return found
