"""Secrets: API tokens, web passwords and session cookies, kept only as salted hashes.

- An API token is ``<account id>.<32 random bytes as URL-safe text>``, shown once by
  ``matcher accounts add``. It is stored as ``sha256$<salt>$<hash>``: a 256-bit random secret
  cannot be guessed, so a fast salted hash is as safe as a slow one and keeps every API call
  cheap. The id in front finds the one hash to check.
- A web password, which a person chose and may be guessable, is stored as
  ``scrypt$<salt>$<hash>`` (16-byte salt, n=2**14, r=8, p=1), and login attempts are rate
  limited.
- A session cookie is 32 random bytes; the database keeps its SHA-256 (a random 256-bit value
  needs no salt or slow hash: it cannot be guessed from its hash).

Comparisons use :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = [
    "check_secret",
    "check_token",
    "hash_secret",
    "hash_token",
    "new_session_id",
    "new_token",
    "session_hash",
    "split_token",
]

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_PREFIX = "scrypt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN, maxmem=64 * 1024 * 1024
    )


def hash_secret(secret: str) -> str:
    """A salted scrypt hash of ``secret``, as ``scrypt$<salt>$<hash>``."""
    salt = secrets.token_bytes(16)
    return f"{_PREFIX}${_b64(salt)}${_b64(_scrypt(secret, salt))}"


def check_secret(secret: str, stored: str | None) -> bool:
    """Whether ``secret`` matches a value made by :func:`hash_secret`."""
    if not stored:
        return False
    try:
        prefix, salt, digest = stored.split("$")
        if prefix != _PREFIX:
            return False
        return hmac.compare_digest(_scrypt(secret, _unb64(salt)), _unb64(digest))
    except (ValueError, UnicodeError):
        return False


def hash_token(token: str) -> str:
    """A salted SHA-256 hash of an API token, as ``sha256$<salt>$<hash>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.sha256(salt + token.encode("utf-8")).digest()
    return f"sha256${_b64(salt)}${_b64(digest)}"


def check_token(token: str, stored: str | None) -> bool:
    """Whether ``token`` matches a value made by :func:`hash_token`."""
    if not stored:
        return False
    try:
        prefix, salt, digest = stored.split("$")
        if prefix != "sha256":
            return False
        mine = hashlib.sha256(_unb64(salt) + token.encode("utf-8", "replace")).digest()
        return hmac.compare_digest(mine, _unb64(digest))
    except (ValueError, UnicodeError):
        return False


def new_token(account_id: int) -> str:
    """A new API token for an account: ``<account id>.<43 random URL-safe characters>``."""
    return f"{account_id}.{secrets.token_urlsafe(32)}"


def split_token(token: str) -> int | None:
    """The account id a token claims, or ``None`` for a malformed token."""
    head, dot, rest = token.partition(".")
    if not dot or not head.isdigit() or len(head) > 12 or not rest:
        return None
    return int(head)


def new_session_id() -> str:
    """A new session cookie value."""
    return secrets.token_urlsafe(32)


def session_hash(session_id: str) -> str:
    """What the database keeps of a session cookie."""
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()
