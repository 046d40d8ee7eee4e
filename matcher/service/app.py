"""The application factory: :func:`create_app` wires the repository, the API, the web form and
the guards together."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from matcher import __version__
from matcher.service import api, openapi, web
from matcher.service.repository import Repository
from matcher.service.security import GuardMiddleware
from matcher.service.settings import ServiceSettings
from matcher.service.state import ServiceState

__all__ = ["create_app"]


def _warm_up(state: ServiceState) -> None:
    """Load the taxonomy and build its resolvers, so no early request waits for them."""
    from matcher.service.roles import check_role, describe_terms, to_cells

    fields = check_role(to_cells({"occupation": "birøkter", "skills_trained": "breed insects",
                                  "offers": "mentor", "slots": 1}), "warm-up")
    describe_terms(fields, state.taxonomy)
    state.terms.complete("bir", "occupation")


_PYDANTIC_RULES = (("Input should be", "must be"), ("String should have", "must have"),
                   ("Field required", "is required"))


def _rule(message: str, kind: str) -> str:
    if kind.startswith("int_parsing"):  # also a number too long to read
        return "must be a valid integer"
    for theirs, ours in _PYDANTIC_RULES:
        if message.startswith(theirs):
            return ours + message[len(theirs):]
    return f"is not valid ({message})"


async def bad_parameters(_request: Request, exc: Exception) -> Response:
    """A query or path parameter that breaks its rule: 422 in the service's own problem shape
    (field, rule, value), as a bad role field is answered."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        field = where[-1] if where else "request"
        rule = _rule(str(error.get("msg", "")), str(error.get("type", "")))
        value = error.get("input")
        shown = None if value is None or isinstance(value, dict) else str(value)[:200]
        place = f"{where[0]} parameter" if len(where) > 1 else "request"
        message = f"{place} '{field}': {rule}" + (f", got {shown!r}" if shown is not None else "")
        problems.append({"field": field, "rule": rule, "value": shown, "message": message})
    return JSONResponse(status_code=422, content={"detail": "the request is not valid",
                                                  "problems": problems})


def _routes(routes: Any) -> Any:
    """Every route, inside included routers too."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        regex, found = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and found and regex.match(request.url.path):
            methods |= set(found)
    return sorted(methods | {"OPTIONS"}) if methods else []


async def http_problem(request: Request, exc: Exception) -> Response:
    """405 and OPTIONS answered with the full ``Allow``; every other HTTP error as FastAPI does."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allow = ", ".join(_allowed(request))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"allow": allow})
        return JSONResponse(status_code=405, content={"detail": "method not allowed"},
                            headers={"allow": allow})
    return await http_exception_handler(request, exc)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the service.

    The database schema is migrated (Alembic, to ``head``) here, before anything is served; the
    taxonomy is loaded when the server starts, so the first request does not wait for it.

    Parameters
    ----------
    settings : ServiceSettings, optional
        Default: ``ServiceSettings()`` (a SQLite file ``matcher.db`` in the current folder).
    """
    settings = settings or ServiceSettings()
    state = ServiceState(repository=Repository(settings.db), settings=settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, state)
        try:
            yield
        finally:
            state.repository.dispose()

    app = FastAPI(
        title="matcher role posting service",
        version=__version__,
        description="Social enterprises post and manage their own roles; NAV caseworkers read "
                    "the open roles and export them for `matcher match`.",
        lifespan=lifespan,
        # the documentation page is served from the package, not a CDN: it must work offline
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = state
    app.include_router(api.router)
    app.include_router(web.router)
    app.add_exception_handler(web.BadForm, web.bad_form)
    app.add_exception_handler(RequestValidationError, bad_parameters)
    app.add_exception_handler(StarletteHTTPException, http_problem)
    static = resources.files("matcher.service").joinpath("static")
    app.mount("/static/swagger-ui", StaticFiles(directory=str(swagger_ui_path)),
              name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    health = {"type": "object", "required": ["status"],
              "properties": {"status": {"type": "string"}}}

    @app.get("/healthz", tags=["health"], summary="200 once the database answers",
             responses={200: {"description": "The database answers.",
                              "content": {"application/json": {"schema": health}}},
                        503: {"description": "The database does not answer.",
                              "content": {"application/json": {"schema": health}}}})
    async def healthz() -> Any:
        if await run_in_threadpool(state.repository.ping):
            return {"status": "ok"}
        return JSONResponse(status_code=503, content={"status": "database unreachable"})

    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.openapi = functools.partial(_openapi, app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with its own 422 shape replaced by the one the service sends (and
    dropped where nothing can break a rule: a role id is any text, an unknown one a 404)."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                answer = operation.get("responses", {}).get("422")
                if answer is None or "HTTPValidationError" not in json.dumps(answer):
                    continue
                checked = [p for p in operation.get("parameters", [])
                           if p["in"] != "path" or p.get("schema", {}).get("type") != "string"]
                if checked:
                    operation["responses"]["422"] = openapi.answers(200, None, 422)[422]
                else:
                    del operation["responses"]["422"]
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        if "components" in document and not schemas:
            document["components"].pop("schemas", None)
        app.openapi_schema = document
    return app.openapi_schema
