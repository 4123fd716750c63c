"""Spam protection of the public forms, without third-party captchas (docs/public.md):

- a rate limit per client address, counted in the cache under a keyed hash of the address (the address
  itself is never stored, in the cache or the database);
- a honeypot field that people do not see and robots fill in;
- a simple challenge: a sum of two small numbers, signed with the site's key and valid for an hour, so the
  server keeps no state between showing the form and receiving it.

The services call `check` (web and API refuse alike, one rule path)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from reintegra.validation import FieldErrors

SALT = "reintegra.public.challenge"
CHALLENGE_MAX_AGE = 3600  # seconds
WINDOW = 3600  # seconds of the rate limit's window
HONEYPOT = "website"  # the field's name: robots fill in anything called like that


def rate_limit() -> int:
    """Submissions per address and hour (all public forms together)."""
    return int(getattr(settings, "REINTEGRA_PUBLIC_FORMS_PER_HOUR", 10))


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


@dataclass(frozen=True)
class Submission:
    """What every public form carries besides its own fields."""

    address: str  # the client address: hashed here, never stored
    challenge_token: str = ""
    challenge_answer: str = ""
    honeypot: str = ""


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(4)}, salt=SALT, compress=True)
    return Challenge(_("How much is %(a)s plus %(b)s? (in figures)") % {"a": a, "b": b}, token)


def address_key(address: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"public-forms:{digest}"


def _challenge_ok(token: str, answer: str) -> bool:
    try:
        expected = signing.loads(token, salt=SALT, max_age=CHALLENGE_MAX_AGE)["s"]
    except (signing.BadSignature, KeyError, TypeError):
        return False
    return answer.strip() == str(expected)


def check(errors: FieldErrors, submission: Submission) -> None:
    """Adds the refusals of the honeypot and the challenge to `errors`; counts the submission against the
    address's limit and refuses it (`rate_limited`) past the limit."""
    if submission.honeypot:
        errors.add(HONEYPOT, _("Leave this field empty."), "honeypot")
    if not _challenge_ok(submission.challenge_token, submission.challenge_answer):
        errors.add("challenge_answer", _("The answer to the question is not right: try the new question."), "challenge")
    key = address_key(submission.address)
    cache.add(key, 0, WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, WINDOW)
        count = 1
    if count > rate_limit():
        errors.add("__all__", _("Too many messages from this address. Wait an hour and try again."), "rate_limited")
