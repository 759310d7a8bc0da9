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


# --- login rate limit (OWASP Authentication Cheat Sheet; NIST SP 800-63B §5.2.2) ------------------


def _form_login(client, username: str, password: str, lang: str = "en"):
    token = csrf_of(client.get("/login").text)
    return client.post(f"/login?lang={lang}", data={"username": username, "password": password,
                                                    "csrf_token": token}, follow_redirects=False)  # fmt: skip


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app):
    from ecocity.web.login_limit import LoginLimiter

    fake = _Clock()
    app.state.login_limiter = LoginLimiter(clock=fake)
    return fake


def test_five_failures_for_a_user_name_give_429_with_retry_after_and_the_password_unchecked(
    client, clock, monkeypatch
):
    from ecocity.web.routes import auth

    for _ in range(5):
        assert _form_login(client, "editor", "wrong password").status_code == 401
        clock.now += 60
    checked = []
    monkeypatch.setattr(auth, "authenticate", lambda *args: checked.append(args))
    response = _form_login(client, "editor", PASSWORD, lang="zh")  # the right password, too late
    assert response.status_code == 429 and checked == []
    # the first failure was at t=1000 s, the window is 900 s: allowed again at t=1900, now t=1300
    assert response.headers["retry-after"] == "600"
    assert "登录失败次数过多，请 10 分钟后再试。" in response.text
    api = client.post("/api/token", json={"username": "editor", "password": PASSWORD})
    assert api.status_code == 429 and api.headers["retry-after"] == "600"
    assert api.json()["detail"] == "登录失败次数过多，请 10 分钟后再试。"  # the lang cookie ?lang=zh set
    client.cookies.clear()
    english = client.post("/api/token", json={"username": "editor", "password": PASSWORD})
    assert english.json()["detail"] == "Too many failed log-in attempts. Try again in 10 min."


def test_the_limit_lifts_when_the_failures_leave_the_window(client, clock):
    for _ in range(5):
        _form_login(client, "editor", "wrong password")
    assert _form_login(client, "editor", PASSWORD).status_code == 429
    clock.now += 900  # 15 min after the failures
    assert _form_login(client, "editor", PASSWORD).status_code == 303


def test_a_successful_login_resets_the_user_names_count(app, clock):
    from fastapi.testclient import TestClient

    from ecocity.web.login_limit import LoginLimiter

    limiter = LoginLimiter(clock=clock)
    app.state.login_limiter = limiter
    client = TestClient(app)
    for _ in range(4):
        assert _form_login(client, "editor", "wrong password").status_code == 401
    assert _form_login(client, "editor", PASSWORD).status_code == 303
    # the user name starts again at 0 failures; the address keeps its 4, so let another address try
    limiter._failures.pop("addr:testclient")
    for _ in range(5):
        assert _form_login(client, "editor", "wrong password").status_code == 401
    assert _form_login(client, "editor", "wrong password").status_code == 429


def test_five_failures_from_one_address_block_other_user_names(client, clock):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert _form_login(client, name, "wrong password").status_code == 401
    response = _form_login(client, "viewer", PASSWORD)
    assert response.status_code == 429 and int(response.headers["retry-after"]) == 900


def test_the_limiter_forgets_expired_and_oldest_keys_when_full(monkeypatch):
    from ecocity.web import login_limit

    monkeypatch.setattr(login_limit, "MAX_KEYS", 4)
    clock = _Clock()
    limiter = login_limit.LoginLimiter(clock=clock)
    limiter.failed("old", "10.0.0.1")
    clock.now += 901  # "old" and its address have left the window
    for name in ("n1", "n2", "n3"):
        limiter.failed(name, "10.0.0.2")
    assert "user:old" not in limiter._failures and len(limiter._failures) <= 4 + 2
    assert limiter.retry_after_s("n9", "10.0.0.2") == 0  # 3 failures from the address: still allowed
