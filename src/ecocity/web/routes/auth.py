"""Log in and out (session cookie), API tokens, who am I; failed logins are rate-limited
(:mod:`ecocity.web.login_limit`: 429 with ``Retry-After``) and, after 100 in a row, lock the
account until an admin unlocks it (:mod:`ecocity.web.account_lock`)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ecocity.web.account_lock import admit, record_failure
from ecocity.web.db import User, authenticate
from ecocity.web.deps import (
    CSRF_SESSION_KEY,
    check_csrf,
    get_db,
    get_settings,
    issue_token,
    lang_of,
    render,
    require_user,
)
from ecocity.web.i18n import translate
from ecocity.web.login_limit import LoginLimiter
from ecocity.web.schemas import Me, Token, TokenRequest

router = APIRouter()


TOO_MANY = "Too many failed log-in attempts. Try again in {minutes} min."


def login_limiter(request: Request) -> LoginLimiter:
    """The app's failed-login counter (one per server process, made on first use)."""
    state = request.app.state
    if getattr(state, "login_limiter", None) is None:
        state.login_limiter = LoginLimiter()
    return state.login_limiter


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_password(request: Request, username: str, password: str) -> tuple[User | None, int]:
    """The user when the password matches and the account is not locked, and 0; None and 0
    for a wrong password or a locked account (the same answer, after the same Argon2 work, so
    a requester cannot tell a lock from a wrong password); or None and the seconds to wait when
    the user name or the client address had too many recent failures (the password unchecked)."""
    limiter = login_limiter(request)
    wait_s = limiter.retry_after_s(username, _address(request))
    if wait_s:
        return None, wait_s
    db = get_db(request)
    user = authenticate(db, username, password)
    if user is None:
        record_failure(db, username)  # consecutive failures in the database (NIST's cap)
    elif not admit(db, username):  # locked: refused as a wrong password
        user = None
    if user is None:
        limiter.failed(username, _address(request))
    else:
        limiter.succeeded(username)
    return user, 0


def _too_many(request: Request, wait_s: int) -> str:
    return translate(TOO_MANY, lang_of(request), minutes=max(1, math.ceil(wait_s / 60)))


def _safe_next(target: str | None) -> str:
    """Only a local path (no scheme, no host) may be the page after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False, dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    username: str = Form(max_length=64),
    password: str = Form(max_length=1024),
    next: str = Form(default="/"),
) -> Response:
    user, wait_s = _check_password(request, username, password)
    if wait_s:
        page = render(request, "login.html", {"next": _safe_next(next), "error": _too_many(request, wait_s)},
                      status_code=429)  # fmt: skip
        page.headers["Retry-After"] = str(wait_s)
        return page
    if user is None:
        message = translate("Wrong user name or password.", lang_of(request))
        return render(request, "login.html", {"next": _safe_next(next), "error": message}, status_code=401)
    request.session.clear()  # a fresh session (and CSRF token) on login
    request.session["user"] = user.username
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    request.session.pop("user", None)
    request.session.pop(CSRF_SESSION_KEY, None)
    return RedirectResponse("/login", status_code=303)


@router.post("/api/token", response_model=Token, tags=["auth"])
def token(request: Request, body: TokenRequest) -> Token:
    """A bearer token for the user name and password (401 when they do not match; 429 with
    ``Retry-After`` after too many failures for the name or from the address)."""
    user, wait_s = _check_password(request, body.username, body.password)
    if wait_s:
        raise HTTPException(status_code=429, detail=_too_many(request, wait_s), headers={"Retry-After": str(wait_s)})
    if user is None:
        raise HTTPException(status_code=401, detail="wrong user name or password")
    return Token(access_token=issue_token(request, user), expires_in=get_settings(request).token_max_age_s)


@router.get("/api/me", response_model=Me, tags=["auth"])
def me(user: User = Depends(require_user)) -> Me:
    """The user of the request."""
    return Me(username=user.username, role=user.role, created_at=user.created_at)  # type: ignore[arg-type]
