"""The application factory: :func:`create_app` wires the repository, the API, the web form and
the guards together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from matcher import __version__
from matcher.service import api, web
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

    @app.get("/healthz", tags=["health"], summary="200 once the database answers")
    async def healthz() -> Any:
        if await run_in_threadpool(state.repository.ping):
            return {"status": "ok"}
        return JSONResponse(status_code=503, content={"status": "database unreachable"})

    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    return app
