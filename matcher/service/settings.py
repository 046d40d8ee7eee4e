"""The service's settings: one frozen, validated record, checked before the server starts."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.errors import ConfigError
from matcher.validate import Constraint, Interval, validate_params

__all__ = ["ServiceSettings"]

#: what each setting may be (checked in this order)
_CONSTRAINTS: dict[str, list[Constraint | type | None]] = {
    "max_body_bytes": [Interval(int, 1024, None)],
    "login_attempts": [Interval(int, 1, None)],
    "login_window_s": [Interval(float, 0.0, None, closed="neither")],
    "session_hours": [Interval(float, 0.0, None, closed="neither")],
}


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """How the role posting service runs.

    Attributes
    ----------
    db : str
        A database URL (``sqlite:///roles.db``, ``postgresql://user@host/db``) or a path to a
        SQLite file. Default ``matcher.db`` in the current folder.
    max_body_bytes : int
        Larger request bodies answer 413 before they are read to the end.
    login_attempts : int
        Failed logins allowed per client address, and per account name, within
        ``login_window_s``; the next answers 429.
    login_window_s : float
    session_hours : float
        How long a web login lasts.
    secure_cookies : bool
        Mark cookies ``Secure`` (set it when the service is behind HTTPS).
    """

    db: str = "matcher.db"
    max_body_bytes: int = 64 * 1024
    login_attempts: int = 5
    login_window_s: float = 60.0
    session_hours: float = 8.0
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        validate_params("ServiceSettings", {name: getattr(self, name) for name in _CONSTRAINTS},
                        _CONSTRAINTS, error=ConfigError)
