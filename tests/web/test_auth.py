"""Log in and out, sessions, API tokens, roles and CSRF."""

from __future__ import annotations

import os
import stat

import pytest
from itsdangerous import URLSafeTimedSerializer

from ecocity.errors import InputError
from ecocity.web.db import add_user, authenticate, database, list_users
from ecocity.web.deps import TOKEN_SALT
from ecocity.web.settings import SECRET_FILE, WebSettings

from web_helpers import PASSWORD, csrf_of, log_in


def test_pages_redirect_anonymous_users_to_the_login_page(client):
    response = client.get("/runs", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/runs"


@pytest.mark.parametrize("path", ["/api/districts", "/api/runs", "/api/jobs", "/api/me", "/api/districts/small"])
def test_the_api_answers_401_to_anonymous_requests(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "log in first"


def test_login_and_logout(client):
    token = log_in(client, "viewer")
    assert client.get("/api/me").json()["role"] == "viewer"
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/me").status_code == 401


def test_a_wrong_password_is_refused_with_a_message(client):
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "viewer", "password": "wrong password",
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert client.get("/api/me").status_code == 401


def test_login_without_the_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_the_login_redirect_stays_on_this_site(client):
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/"}, follow_redirects=False)  # fmt: skip
    assert response.headers["location"] == "/"


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)  # fmt: skip
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_a_token_authenticates_api_requests(client):
    response = client.post("/api/token", json={"username": "editor", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 12 * 3600
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "editor"


def test_a_token_for_a_wrong_password_is_refused(client):
    response = client.post("/api/token", json={"username": "editor", "password": "nope nope"})
    assert response.status_code == 401


def test_a_forged_or_expired_token_is_refused(client, monkeypatch):
    forged = URLSafeTimedSerializer("another key", salt=TOKEN_SALT).dumps({"u": "admin"})
    assert client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 86400)  # a day ago
        expired = URLSafeTimedSerializer("test-secret-key", salt=TOKEN_SALT).dumps({"u": "admin"})
    assert client.get("/api/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_token_request_validation_is_a_422_with_a_message(client):
    response = client.post("/api/token", json={"username": "", "password": "x"})
    assert response.status_code == 422
    assert "username" in response.json()["detail"]


def test_passwords_are_stored_as_argon2id_hashes(settings, app):
    db = database(settings.db_url)
    with db.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users WHERE username = 'viewer'").scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(db, "viewer", PASSWORD).role == "viewer"
    assert authenticate(db, "viewer", PASSWORD + "x") is None
    assert authenticate(db, "nobody", PASSWORD) is None


def test_bad_new_users_are_input_errors(settings, app):
    db = database(settings.db_url)
    with pytest.raises(InputError, match="exists already"):
        add_user(db, "viewer", PASSWORD, "viewer")
    with pytest.raises(InputError, match="at least 8 characters"):
        add_user(db, "short", "1234", "viewer")
    with pytest.raises(InputError, match="role must be one of viewer, editor, admin"):
        add_user(db, "boss", PASSWORD, "owner")
    assert [u.username for u in list_users(db)] == ["admin", "editor", "viewer"]


def test_the_generated_secret_key_is_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("ECOCITY_SECRET_KEY", raising=False)
    settings = WebSettings(workspace=tmp_path)
    key = settings.resolved_secret()
    path = settings.state_dir / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert WebSettings(workspace=tmp_path).resolved_secret() == key
    monkeypatch.setenv("ECOCITY_SECRET_KEY", "from-the-environment")
    assert WebSettings(workspace=tmp_path).resolved_secret() == "from-the-environment"


def test_htmx_posts_carry_the_csrf_header(as_role):
    browser, token = as_role("editor")
    page = browser.get("/").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page


def test_a_state_folder_that_cannot_be_written_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ECOCITY_SECRET_KEY", raising=False)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(InputError, match="cannot keep the dashboard's secret key here"):
        WebSettings(workspace=tmp_path, state_dir=blocked / "state").resolved_secret()


def test_responses_forbid_framing_and_sniffing(client):
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
