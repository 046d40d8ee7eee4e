"""What every request shares: the repository, the settings, the taxonomy, the login limiter;
and the dependencies that find the account a request acts for."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBearer

from matcher.service.repository import Account, Repository
from matcher.service.security import LoginLimiter
from matcher.service.settings import ServiceSettings
from matcher.service.terms import TermIndex
from matcher.taxonomy import Taxonomy, load_taxonomy

__all__ = ["SESSION_COOKIE", "ServiceState", "api_account", "get_state", "web_account"]

SESSION_COOKIE = "matcher_session"


@dataclass
class ServiceState:
    repository: Repository
    settings: ServiceSettings
    limiter: LoginLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = LoginLimiter(self.settings.login_attempts, self.settings.login_window_s)

    @functools.cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy()

    @functools.cached_property
    def terms(self) -> TermIndex:
        return TermIndex(self.taxonomy)


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def _remember(request: Request, account: Account | None) -> Account | None:
    if account is not None:
        request.state.account_id = account.id  # the request log names the account by id only
    return account


def web_account(request: Request) -> Account | None:
    """The account of a logged-in browser, or ``None``."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    return _remember(request, get_state(request).repository.account_by_session(session))


# documents the scheme in OpenAPI; the header itself is read below (a malformed one is a 401,
# never the framework's 403)
_bearer = HTTPBearer(auto_error=False, description="An API token: `matcher accounts add` or "
                     "`matcher accounts token` prints one. A browser logged in to the web form "
                     "may also read (GET) with its session cookie.")


def api_account(request: Request, _scheme: Annotated[Any, Depends(_bearer)] = None) -> Account:
    """The account of an API call: a bearer token, or (for reads only) a browser's session."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    account: Account | None = None
    if scheme.lower() == "bearer" and token.strip():
        account = get_state(request).repository.account_by_token(token.strip())
    elif not header and request.method == "GET":
        account = web_account(request)
    if account is None:
        raise HTTPException(401, "a valid API token is required (Authorization: Bearer TOKEN)",
                            headers={"www-authenticate": "Bearer"})
    return _remember(request, account)  # type: ignore[return-value]
