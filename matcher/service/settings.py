"""The service's settings: one frozen, validated record, checked before the server starts."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.errors import ConfigError

__all__ = ["ServiceSettings"]


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
        checks = [
            ("max_body_bytes", self.max_body_bytes >= 1024, "an integer >= 1024"),
            ("login_attempts", self.login_attempts >= 1, "an integer >= 1"),
            ("login_window_s", self.login_window_s > 0, "a number > 0"),
            ("session_hours", self.session_hours > 0, "a number > 0"),
        ]
        for name, ok, rule in checks:
            if not ok:
                raise ConfigError(f"The '{name}' parameter of ServiceSettings must be {rule}. "
                                  f"Got {getattr(self, name)!r} instead.")
