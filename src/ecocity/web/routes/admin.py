"""User administration (admin role): list users, add one; page and API."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ecocity.web.db import User, add_user, list_users
from ecocity.web.deps import check_csrf, get_db, render, require_role
from ecocity.web.schemas import Me

router = APIRouter()


class NewUser(BaseModel):
    """A user to add: name, password (8 characters or more), role."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: Literal["viewer", "editor", "admin"] = "viewer"


def _me(user: User) -> Me:
    return Me(username=user.username, role=user.role, created_at=user.created_at)  # type: ignore[arg-type]


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, user: User = Depends(require_role("admin"))) -> Response:
    return render(request, "users.html", {"users": list_users(get_db(request)), "nav": "users"})


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


@router.get("/api/users", response_model=list[Me], tags=["users"])
def api_users(request: Request, user: User = Depends(require_role("admin"))) -> list[Me]:
    """Every user and role (admin only)."""
    return [_me(u) for u in list_users(get_db(request))]


@router.post("/api/users", response_model=Me, status_code=201, tags=["users"], dependencies=[Depends(check_csrf)])
def api_add_user(request: Request, body: NewUser, user: User = Depends(require_role("admin"))) -> Me:
    """Add a user (admin only); 422 when the name is taken or the input is bad."""
    return _me(add_user(get_db(request), body.username, body.password, body.role))
