"""The dashboard's FastAPI app: ``create_app(settings)``.

Page and API routes live in ``ecocity.web.routes.*``, each module exposing ``router``; add a
module to :data:`ROUTERS` to mount it.
"""

from __future__ import annotations

import importlib
import math
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator
from importlib import resources

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from ecocity import __version__
from ecocity.errors import InputError
from ecocity.store.migrate import upgrade
from ecocity.web import i18n
from ecocity.web.db import database
from ecocity.web.deps import LANG_COOKIE, is_api, render
from ecocity.web.settings import WebSettings

ROUTERS: list[str] = [
    "ecocity.web.routes.auth",
    "ecocity.web.routes.districts",
    "ecocity.web.routes.runs",
    "ecocity.web.routes.jobs",
    "ecocity.web.routes.upload",
    "ecocity.web.routes.admin",
    "ecocity.web.routes.compare",
    "ecocity.web.routes.plant",
    "ecocity.web.routes.buildings",
]
"""Route modules mounted by :func:`create_app`, in order (each exposes ``router``)."""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
"""Sent with every response: no MIME sniffing, no framing (click-jacking), no URLs to others."""
SESSION_COOKIE = "ecocity_session"
SESSION_MAX_AGE_S = 12 * 3600


def create_app(settings: WebSettings) -> FastAPI:
    """The dashboard over ``settings.workspace``, its database upgraded to the newest schema.

    Jobs left ``running`` by a previous server are marked ``failed: interrupted``.
    """
    upgrade(settings.db_url)
    db = database(settings.db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()
        if getattr(app.state, "store", None) is not None:
            app.state.store.close()
        db.close()

    app = FastAPI(
        title="ecocity dashboard",
        version=__version__,
        description="Districts, runs and jobs of ecocity, as pages and as a JSON API under /api/.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.secret = settings.resolved_secret()
    from ecocity.web.jobs import JobRunner

    app.state.jobs = JobRunner(settings, db)
    app.state.jobs.recover()

    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.https_only,
    )

    @app.middleware("http")
    async def remember_language(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        chosen = request.query_params.get("lang")
        if chosen in i18n.LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
        return response

    static = resources.files("ecocity.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module_name in ROUTERS:
        app.include_router(importlib.import_module(module_name).router)
    _error_handlers(app)
    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def input_error(request: Request, err: InputError) -> Response:
        from ecocity.web.results import UnknownDistrict

        status = 404 if isinstance(err, UnknownDistrict) else 422
        if is_api(request):
            return JSONResponse({"detail": str(err)}, status_code=status)
        return render(request, "error.html", {"status": status, "message": str(err)}, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        if err.status_code in (301, 302, 303, 307) and err.headers and "Location" in err.headers:
            return RedirectResponse(err.headers["Location"], status_code=err.status_code)
        if is_api(request) or request.headers.get("hx-request"):
            return JSONResponse({"detail": err.detail}, status_code=err.status_code, headers=err.headers)
        return render(
            request, "error.html", {"status": err.status_code, "message": str(err.detail)},
            status_code=err.status_code,
        )  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}"
            for e in err.errors()
        ]
        message = "; ".join(problems) or "invalid input"
        if is_api(request):
            return JSONResponse(
                {"detail": message, "errors": jsonable(err.errors())}, status_code=422
            )
        return render(request, "error.html", {"status": 422, "message": message}, status_code=422)


def jsonable(value: object) -> object:
    """Validation errors as plain JSON: their ``ctx`` may hold exceptions, and the echoed input
    may hold NaN or Infinity (Python's JSON parser accepts them; JSON has none): those as text."""
    from fastapi.encoders import jsonable_encoder

    return _finite(jsonable_encoder(value, custom_encoder={Exception: str}))


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
