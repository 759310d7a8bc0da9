"""User administration (admin role): list users, add one, unlock a locked account; page and API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ecocity.errors import InputError
from ecocity.web import account_lock
from ecocity.web.account_lock import AccountState, account_states, unlock
from ecocity.web.db import User, add_user
from ecocity.web.deps import check_csrf, get_db, render, require_role
from ecocity.web.schemas import Me

router = APIRouter()


class NewUser(BaseModel):
    """A user to add: name, password (8 characters or more), role."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: Literal["viewer", "editor", "admin"] = "viewer"


class UserState(Me):
    """A user, its consecutive failed log-ins and, when locked, since when (UTC)."""

    failed_logins: int = 0
    locked_at: dt.datetime | None = None


def _me(user: User) -> Me:
    return Me(username=user.username, role=user.role, created_at=user.created_at)  # type: ignore[arg-type]


def _user_state(state: AccountState) -> UserState:
    return UserState(username=state.username, role=state.role, created_at=state.created_at,  # type: ignore[arg-type]
                     failed_logins=state.failed_logins, locked_at=state.locked_at)  # fmt: skip


def _unlock(request: Request, name: str, admin: User) -> AccountState:
    try:
        return unlock(get_db(request), name, by=admin.username)
    except InputError as err:
        raise HTTPException(status_code=404, detail=str(err)) from err


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, user: User = Depends(require_role("admin"))) -> Response:
    context = {"users": account_states(get_db(request)), "nav": "users",
               "max_failures": account_lock.MAX_CONSECUTIVE_FAILURES}  # fmt: skip
    return render(request, "users.html", context)


@router.post("/admin/users", include_in_schema=False, dependencies=[Depends(check_csrf)])
def add_user_from_page(
    request: Request,
    username: str = Form(max_length=64),
    password: str = Form(max_length=1024),
    role: str = Form(default="viewer", max_length=16),
    user: User = Depends(require_role("admin")),
) -> Response:
    add_user(get_db(request), username, password, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name:path}/unlock", include_in_schema=False, dependencies=[Depends(check_csrf)])
def unlock_from_page(request: Request, name: str, user: User = Depends(require_role("admin"))) -> Response:
    _unlock(request, name, user)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/api/users", response_model=list[UserState], tags=["users"])
def api_users(request: Request, user: User = Depends(require_role("admin"))) -> list[UserState]:
    """Every user, role, consecutive failed log-ins and lock time (admin only)."""
    return [_user_state(state) for state in account_states(get_db(request))]


@router.post("/api/users", response_model=Me, status_code=201, tags=["users"], dependencies=[Depends(check_csrf)])
def api_add_user(request: Request, body: NewUser, user: User = Depends(require_role("admin"))) -> Me:
    """Add a user (admin only); 422 when the name is taken or the input is bad."""
    return _me(add_user(get_db(request), body.username, body.password, body.role))


@router.post("/api/users/{name:path}/unlock", response_model=UserState, tags=["users"],
             dependencies=[Depends(check_csrf)])  # fmt: skip
def api_unlock_user(request: Request, name: str, user: User = Depends(require_role("admin"))) -> UserState:
    """Unlock an account locked after 100 consecutive failed log-ins, and reset its count
    (admin only; 404 when no user has this name)."""
    return _user_state(_unlock(request, name, user))
