"""Secrets: API tokens, web passwords and session cookies, kept only as salted hashes.

- An API token is ``<token id>.<32 random bytes as URL-safe text>``, shown once by
  ``matcher accounts add`` or ``matcher accounts token``. It is stored as
  ``sha256$<salt>$<hash>``: a 256-bit random secret cannot be guessed, so a fast salted hash is
  as safe as a slow one and keeps every API call cheap. The id in front finds the one hash to
  check; anything that is not exactly that shape (ASCII digits without a leading zero, within
  the 32-bit id column, a dot, 43 URL-safe characters) is refused before the database is asked.
- A web password, which a person chose and may be guessable, is stored as
  ``scrypt$<salt>$<hash>`` (16-byte salt, n=2**14, r=8, p=1), and login attempts are rate
  limited. A login for a name that does not exist, or an account without a password, checks
  the password against :data:`DUMMY_HASH` instead, so every failed login costs one scrypt and
  its timing does not tell which names exist.
- A session cookie is 32 random bytes; the database keeps its SHA-256 (a random 256-bit value
  needs no salt or slow hash: it cannot be guessed from its hash).

Comparisons use :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

__all__ = [
    "TOKEN_ID_MAX",
    "check_secret",
    "check_token",
    "dummy_hash",
    "hash_secret",
    "hash_token",
    "new_session_id",
    "new_token",
    "session_hash",
    "split_token",
]

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_PREFIX = "scrypt"
#: the largest token id (the id column is 32 bits)
TOKEN_ID_MAX = 2**31 - 1
_TOKEN = re.compile(r"([1-9][0-9]{0,9})\.[A-Za-z0-9_-]{43}")


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


@functools.cache
def dummy_hash() -> str:
    """A password hash no password is known for: what a failed login is checked against when
    there is no real hash to check, so that it costs what a wrong password costs."""
    return hash_secret(secrets.token_urlsafe(32))


def check_secret(secret: str, stored: str | None) -> bool:
    """Whether ``secret`` matches a value made by :func:`hash_secret`.

    Without a stored hash the secret is checked against :func:`dummy_hash` (and fails), so the
    answer takes as long either way.
    """
    if not stored:
        check_secret(secret, dummy_hash())
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


def new_token(token_id: int) -> str:
    """A new API token: ``<token id>.<43 random URL-safe characters>``."""
    return f"{token_id}.{secrets.token_urlsafe(32)}"


def split_token(token: str) -> int | None:
    """The token id a token claims, or ``None`` for anything not shaped like a token.

    Examples
    --------
    >>> split_token("12." + "a" * 43)
    12
    >>> [split_token(t) for t in ("²." + "a" * 43, "012." + "a" * 43, "2147483648." + "a" * 43)]
    [None, None, None]
    """
    found = _TOKEN.fullmatch(token)
    if found is None or int(found.group(1)) > TOKEN_ID_MAX:
        return None
    return int(found.group(1))


def new_session_id() -> str:
    """A new session cookie value."""
    return secrets.token_urlsafe(32)


def session_hash(session_id: str) -> str:
    """What the database keeps of a session cookie."""
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()
