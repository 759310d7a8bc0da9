"""Helpers of the dashboard tests (imported by the tests and conftest)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse 42"


def csrf_of(html: str) -> str:
    """The CSRF token of a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` in through the login form; return the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)
