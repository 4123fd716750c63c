"""The sealed package between installations: JWS (ES256) nested in JWE (ECDH-ES+A256KW / A256GCM), with
joserfc; no cryptography is written here. Imports nothing from Django (docs/handover.md).

Claims: `jti` (unique package id), `iat` / `exp` (seconds since the epoch), `iss` (the sender's
installation id: the thumbprint of its signing key), `aud` (the recipient's installation id), `kind`
("handover" or "status") and `body`. `open_package` checks everything but replay (the caller remembers ids)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

SIG_ALG = "ES256"
KEY_ALG = "ECDH-ES+A256KW"
ENC_ALG = "A256GCM"
TYPE = "reintegra-handover+jwt"
# How far the sender's clock may be ahead of ours.
CLOCK_SKEW = 300
# A package is a few kilobytes; anything much larger is refused before any work.
MAX_TOKEN = 1_000_000


class PackageError(Exception):
    """The package is refused; `code` says why (no content of the package in the message)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def generate_keys() -> tuple[dict[str, Any], dict[str, Any]]:
    """A new (private, public) JWK set: one signing key, one key-agreement key, both P-256."""
    sig = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": SIG_ALG}, auto_kid=True)
    enc = ECKey.generate_key("P-256", parameters={"use": "enc", "alg": KEY_ALG}, auto_kid=True)
    private = {"keys": [sig.as_dict(private=True), enc.as_dict(private=True)]}
    public = {"keys": [sig.as_dict(private=False), enc.as_dict(private=False)]}
    return private, public


def _key(jwks: dict[str, Any], use: str) -> ECKey:
    for item in (jwks or {}).get("keys", []):
        if isinstance(item, dict) and item.get("use") == use:
            key = ECKey.import_key(item)
            if key.as_dict().get("crv") == "P-256":
                return key
    raise PackageError("bad_key", f"no P-256 {use} key")


def check_public_jwks(jwks: Any) -> dict[str, Any]:
    """The public JWK set as stored for a partner: both keys present, no private part. Raises PackageError."""
    if not isinstance(jwks, dict):
        raise PackageError("bad_key")
    try:
        sig, enc = _key(jwks, "sig"), _key(jwks, "enc")
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise PackageError("bad_key") from exc
    if any("d" in item for item in jwks.get("keys", []) if isinstance(item, dict)):
        raise PackageError("private_key")
    return {"keys": [sig.as_dict(private=False), enc.as_dict(private=False)]}


def installation_id(public_jwks: dict[str, Any]) -> str:
    """The id of an installation: the RFC 7638 thumbprint of its signing key."""
    return _key(public_jwks, "sig").thumbprint()


def fingerprint(public_jwks: dict[str, Any]) -> str:
    """What two people compare over the phone: SHA-256 of both thumbprints, in groups of four hex digits."""
    material = f"{_key(public_jwks, 'sig').thumbprint()}.{_key(public_jwks, 'enc').thumbprint()}"
    digest = hashlib.sha256(material.encode()).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True)
class Opened:
    jti: str
    issuer: str
    issued_at: int
    kind: str
    body: dict[str, Any]


def seal(
    *,
    private_jwks: dict[str, Any],
    recipient_public_jwks: dict[str, Any],
    jti: str,
    kind: str,
    body: dict[str, Any],
    lifetime_seconds: int,
    now: int | None = None,
) -> str:
    """Sign `body` with our signing key, then encrypt the JWS for the recipient's key-agreement key."""
    issued = int(now if now is not None else time.time())
    sig = _key(private_jwks, "sig")
    claims = {
        "jti": jti,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "iss": sig.thumbprint(),
        "aud": installation_id(recipient_public_jwks),
        "kind": kind,
        "body": body,
    }
    inner = jws.serialize_compact(
        {"alg": SIG_ALG, "kid": sig.thumbprint(), "typ": TYPE},
        json.dumps(claims, separators=(",", ":"), sort_keys=True).encode(),
        sig,
        algorithms=[SIG_ALG],
    )
    header = {"alg": KEY_ALG, "enc": ENC_ALG, "cty": "JWT", "kid": _key(recipient_public_jwks, "enc").thumbprint()}
    return jwe.encrypt_compact(
        header, inner.encode(), _key(recipient_public_jwks, "enc"), algorithms=[KEY_ALG, ENC_ALG]
    )


def open_package(
    token: str,
    *,
    private_jwks_list: list[dict[str, Any]],
    sender_keys: Callable[[str], dict[str, Any] | None],
    now: int | None = None,
) -> Opened:
    """Decrypt with one of our keys, find the sender by the signing key id (`sender_keys(kid)`: its
    registered public JWK set, None when unknown), verify the signature, check audience and lifetime."""
    if not isinstance(token, str) or token.count(".") != 4 or len(token) > MAX_TOKEN:
        raise PackageError("malformed")
    plaintext = None
    ours = ""
    for private in private_jwks_list:
        try:
            plaintext = jwe.decrypt_compact(token, _key(private, "enc"), algorithms=[KEY_ALG, ENC_ALG]).plaintext
        except (JoseError, ValueError, TypeError):
            continue
        ours = _key(private, "sig").thumbprint()
        break
    if plaintext is None:
        raise PackageError("cannot_decrypt")
    try:
        kid = jws.extract_compact(plaintext).protected.get("kid")
    except (JoseError, ValueError, TypeError) as exc:
        raise PackageError("bad_signature") from exc
    sender_public_jwks = sender_keys(kid) if isinstance(kid, str) and kid else None
    if sender_public_jwks is None:
        raise PackageError("unknown_sender")
    try:
        signed = jws.deserialize_compact(plaintext, _key(sender_public_jwks, "sig"), algorithms=[SIG_ALG])
        claims = json.loads(signed.payload)
    except (JoseError, ValueError, TypeError) as exc:
        raise PackageError("bad_signature") from exc
    return _check_claims(claims, ours, installation_id(sender_public_jwks), now)


def _check_claims(claims: Any, ours: str, sender: str, now: int | None) -> Opened:
    if not isinstance(claims, dict) or not isinstance(claims.get("body"), dict):
        raise PackageError("malformed")
    moment = int(now if now is not None else time.time())
    if claims.get("aud") != ours:
        raise PackageError("cannot_decrypt")
    if claims.get("iss") != sender:
        raise PackageError("unknown_sender")
    issued, expires, jti = claims.get("iat"), claims.get("exp"), claims.get("jti")
    if not isinstance(issued, int) or not isinstance(expires, int) or not isinstance(jti, str) or not jti:
        raise PackageError("malformed")
    if issued > moment + CLOCK_SKEW:
        raise PackageError("not_yet_valid")
    if expires < moment:
        raise PackageError("expired")
    kind = claims.get("kind")
    if kind not in ("handover", "status"):
        raise PackageError("malformed")
    return Opened(jti=jti[:64], issuer=sender, issued_at=issued, kind=str(kind), body=claims["body"])
