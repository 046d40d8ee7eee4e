"""Limits and protections around every request.

- :class:`GuardMiddleware` (pure ASGI): refuses a body over the limit with 413 before reading
  more of it, adds the security headers to every answer, and logs one line per request with the
  method, the route template, the status, the time and the account id: never a client address,
  a query string, a body or a name. It is also the last resort: an exception no handler took
  answers a plain 500 that echoes nothing, and is logged as its type and the code locations it
  passed through, without its message (which could quote the input).
- :class:`LoginLimiter`: failed logins in a sliding window per client address, per account name
  from that address, and per account name from browsers that never logged in to it; beyond the
  limit a login answers 429 whatever the password. A browser that logged in to an account
  before carries a device cookie (OWASP's "device cookies"), so someone guessing a known name
  from elsewhere cannot lock its owner out. The client address is the TCP peer's unless
  ``matcher serve --forwarded-allow-ips`` names the proxy to believe.
- CSRF: every HTML form carries a token that must equal the ``matcher_csrf`` cookie (double
  submit); both are random per browser. Cookies are ``SameSite=Strict`` besides.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "DEVICE_COOKIE",
    "GuardMiddleware",
    "LoginLimiter",
    "csrf_ok",
    "new_csrf_token",
]

log = logging.getLogger("matcher.service")

CSRF_COOKIE = "matcher_csrf"
DEVICE_COOKIE = "matcher_device"
CSRF_FIELD = "csrf"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The /docs page serves Swagger UI from the package (no CDN) and starts it with an inline script.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
             "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]
_PLAIN_PATHS = ("/docs", "/redoc", "/openapi.json", "/static/")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class GuardMiddleware:
    """Body size limit, security headers and the request log line."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, int] = {"code": 500}
        path = scope.get("path", "")
        csp = _DOCS_CSP if path in ("/docs", "/redoc") else _CSP

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["started"] = 1
                status["code"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                headers += [*_HEADERS, (b"content-security-policy", csp.encode())]
                message["headers"] = headers
            await send(message)

        try:
            if scope["method"] in _BODY_METHODS:
                body = await self._read_body(scope, receive)
                if body is None:
                    await _json_answer(send_guarded, 413, {
                        "detail": f"request body larger than {self.max_body_bytes} bytes"})
                    return
                replayed = False

                async def receive_body() -> Message:
                    nonlocal replayed
                    if replayed:
                        return await receive()
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}

                await self.app(scope, receive_body, send_guarded)
            else:
                await self.app(scope, receive, send_guarded)
        except Exception as exc:
            _log_unhandled(exc)
            if not status.get("started"):
                await _json_answer(send_guarded, 500, {"detail": "internal error; it is logged"})
            status["code"] = 500
        finally:
            # the route's template (/api/roles/{role_id}); Starlette's own routes (docs,
            # static files) have none, and their path holds no data
            route = getattr(scope.get("route"), "path", None)
            if route is None:
                route = path if path.startswith(_PLAIN_PATHS) else "-"
            account = scope.get("state", {}).get("account_id")
            log.info("%s %s %d %.1fms account=%s", scope["method"], route, status["code"],
                     (time.perf_counter() - started) * 1000, account if account else "-")

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    if int(value) > self.max_body_bytes:
                        return None
                except ValueError:
                    return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _log_unhandled(exc: BaseException) -> None:
    """Log an unhandled exception by its type and where it passed, never its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                        for f in reversed(frames[-8:]))
    log.error("unhandled %s.%s at %s", type(exc).__module__, type(exc).__qualname__, where)


async def _json_answer(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


class LoginLimiter:
    """Failed logins in a sliding window, per key; and the devices trusted for an account."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, collections.deque[float]] = {}
        self._devices: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def _device_key(device: str, name: str) -> str:
        return hashlib.sha256(f"{device}\x00{name}".encode("utf-8", "replace")).hexdigest()

    def keys(self, client: str, name: str, device: str | None) -> tuple[str, ...]:
        """The keys a login attempt counts under: the address, the name from that address,
        and (unless the browser holds a device cookie trusted for this name) the name."""
        folded = name.casefold()
        keys = (f"ip:{client}", f"name-ip:{folded}\x00{client}")
        if device and self._device_key(device, folded) in self._devices:
            return keys
        return (*keys, f"name:{folded}")

    def trust(self, device: str, name: str) -> None:
        """Remember that this device cookie logged in to account ``name``."""
        with self._lock:
            if len(self._devices) > 100_000:  # bound memory; trusted devices start over
                self._devices.clear()
            self._devices.add(self._device_key(device, name.casefold()))

    def _recent(self, key: str, now: float) -> collections.deque[float]:
        failures = self._failures.setdefault(key, collections.deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> float:
        """Seconds until a login may be tried again under these keys; 0 when allowed."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    wait = max(wait, failures[0] + self.window_s - now)
        return wait

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 100_000:  # bound memory under a flood of names
                self._failures.clear()
            for key in keys:
                self._recent(key, now).append(now)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, submitted: object) -> bool:
    """Whether a form's CSRF field matches the browser's CSRF cookie."""
    if not cookie or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())
