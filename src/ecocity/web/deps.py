"""What every route uses: settings, the database, the current user, role checks, CSRF,
templates and the page language. This is the contract the dashboard's page modules build on.

Pages are server-rendered: ``render(request, "page.html", {...})``. Templates get ``_``
(translate), ``fmt_number(value, digits=0)``, ``fmt_percent(value, digits=1)``, ``lang``,
``labels`` (the report's bilingual indicator labels), ``user`` and ``csrf_token``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ecocity.report.labels import Labels
from ecocity.store.web_tables import ROLES
from ecocity.web import i18n
from ecocity.web.db import Database, User, get_user
from ecocity.web.settings import WebSettings

TOKEN_SALT = "ecocity-api-token"
CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LANG_COOKIE = "lang"


def get_settings(request: Request) -> WebSettings:
    """The app's :class:`WebSettings`."""
    return request.app.state.settings


def get_db(request: Request) -> Database:
    """The app's :class:`Database`."""
    return request.app.state.db


def lang_of(request: Request) -> str:
    """The page language, ``"en"`` or ``"zh"`` (``?lang=``, cookie, Accept-Language)."""
    return i18n.pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt=TOKEN_SALT)


def issue_token(request: Request, user: User) -> str:
    """A signed bearer token naming ``user`` (its age is checked on use)."""
    return _serializer(request).dumps({"u": user.username})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_user(request: Request) -> User | None:
    """The user of this request: a valid bearer token, else the session; None if neither."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    token = _bearer(request)
    if token is not None:
        try:
            data = _serializer(request).loads(
                token, max_age=get_settings(request).token_max_age_s
            )
        except (BadSignature, SignatureExpired):
            data = None
        if isinstance(data, dict) and isinstance(data.get("u"), str):
            user = get_user(get_db(request), data["u"])
    elif "session" in request.scope and request.session.get("user"):
        user = get_user(get_db(request), str(request.session["user"]))
    request.state.user = user
    return user


def is_api(request: Request) -> bool:
    """True for the JSON API (``/api/...``): 401 instead of a redirect to the login page."""
    return request.url.path.startswith("/api/")


def require_user(request: Request) -> User:
    """A logged-in user; else 401 (API) or a redirect to /login (pages)."""
    user = current_user(request)
    if user is not None:
        return user
    if is_api(request):
        raise HTTPException(
            status_code=401, detail="log in first", headers={"WWW-Authenticate": "Bearer"}
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(status_code=303, headers={"Location": f"/login?next={_quote(target)}"})


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def require_role(role: str) -> Callable[..., User]:
    """A dependency admitting users of ``role`` or above; others get 403."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def dependency(user: User = Depends(require_user)) -> User:
        if not user.can(role):
            raise HTTPException(status_code=403, detail=f"needs the {role} role")
        return user

    return dependency


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request of a cookie session without this session's CSRF token
    (form field ``csrf_token`` or header ``X-CSRF-Token``). Bearer-token requests carry no
    cookie, so they need none; an API request with neither is left to ``require_user`` (401)."""
    if _bearer(request) is not None:
        return
    if is_api(request) and not request.session.get("user"):
        return  # no credentials at all: the user dependency answers 401
    expected = request.session.get(CSRF_SESSION_KEY)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token; reload the page")


def _page_context(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "lang": lang,
        "_": lambda message, **values: i18n.translate(message, lang, **values),
        "fmt_number": lambda value, digits=0: i18n.fmt_number(value, lang, digits),
        "fmt_percent": lambda value, digits=1: i18n.fmt_percent(value, lang, digits),
        "labels": Labels(lang),
        "user": current_user(request),
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "languages": i18n.LANGUAGES,
    }


def _make_templates() -> Jinja2Templates:
    from importlib import resources

    folder = resources.files("ecocity.web").joinpath("templates")
    engine = Jinja2Templates(directory=str(folder), context_processors=[_page_context])
    # English fall-backs for templates rendered outside a request.
    engine.env.globals.update(
        _=lambda message, **values: i18n.translate(message, "en", **values),
        fmt_number=lambda value, digits=0: i18n.fmt_number(value, "en", digits),
        fmt_percent=lambda value, digits=1: i18n.fmt_percent(value, "en", digits),
        lang="en",
    )
    return engine


templates = _make_templates()


def render(
    request: Request, page: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """The template ``page`` rendered for this request (language, user, CSRF token added)."""
    return templates.TemplateResponse(request, page, context or {}, status_code=status_code)
