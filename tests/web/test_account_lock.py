"""The account lock: 100 consecutive failed log-ins lock an account until an admin unlocks it.

Reference: NIST SP 800-63B §5.2.2 (*Rate Limiting (Throttling)*): the verifier SHALL limit
consecutive failed authentication attempts on a single account to no more than 100. Tests
through the log-in routes set the cap to 3 so that they stay fast; one test runs the real 100
on the store function.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
import threading

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ecocity.cli import _register, app as cli_app
from ecocity.errors import InputError
from ecocity.store.migrate import head_revision, upgrade
from ecocity.web import account_lock
from ecocity.web.account_lock import account_state, account_states, admit, record_failure, unlock
from ecocity.web.db import Database, authenticate, database
from ecocity.web.login_limit import LoginLimiter
from web_helpers import PASSWORD, csrf_of, log_in

_register()
runner = CliRunner()
WRONG = "not the password"


@pytest.fixture
def cap3(app, monkeypatch):
    """The cap set to 3 failures, the in-memory throttle (5 per 15 min) lifted."""
    monkeypatch.setattr(account_lock, "MAX_CONSECUTIVE_FAILURES", 3)
    app.state.login_limiter = LoginLimiter(max_failures=10**9)
    return 3


def _form_login(client: TestClient, username: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)  # fmt: skip


def _db(settings) -> Database:
    return database(settings.db_url)


def test_the_100th_consecutive_failure_locks_the_account(settings, app):
    db = _db(settings)
    assert account_lock.MAX_CONSECUTIVE_FAILURES == 100  # NIST SP 800-63B §5.2.2: no more than 100
    for _ in range(99):
        state = record_failure(db, "editor")
    assert state.failed_logins == 99 and not state.locked
    when = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    state = record_failure(db, "editor", now=when)
    assert state.failed_logins == 100 and state.locked_at == when
    later = record_failure(db, "editor", now=when + dt.timedelta(hours=1))
    assert later.failed_logins == 101 and later.locked_at == when  # the lock time stays the first
    assert not admit(db, "editor")  # locked: a right password is not admitted
    assert record_failure(db, "nobody") is None  # an unknown name changes nothing


def test_concurrent_failures_are_all_counted(settings, app):
    db = _db(settings)

    def fail_25_times() -> None:
        for _ in range(25):
            record_failure(db, "viewer", max_failures=60)

    threads = [threading.Thread(target=fail_25_times) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = account_state(db, "viewer")
    assert state.failed_logins == 100 and state.locked  # one UPDATE … SET n = n + 1: none lost


def test_the_cap_locks_the_account_through_the_login_routes(client, cap3, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="ecocity.web.account_lock"):
        for _ in range(cap3):
            assert _form_login(client, "editor", WRONG).status_code == 401
    assert "account 'editor' locked after 3 consecutive failed log-ins" in caplog.text
    state = account_state(_db(settings), "editor")
    assert state.failed_logins == 3 and state.locked
    # the right password is refused with the wrong password's answer: a requester cannot tell
    refused = _form_login(client, "editor", PASSWORD)
    assert refused.status_code == 401 and "Wrong user name or password." in refused.text
    api = client.post("/api/token", json={"username": "editor", "password": PASSWORD})
    assert api.status_code == 401 and api.json()["detail"] == "wrong user name or password"
    assert "locked" not in refused.text.lower() and "locked" not in api.text.lower()
    assert client.get("/api/me").status_code == 401
    assert account_state(_db(settings), "editor").failed_logins == 3  # a right password adds none
    log_in(TestClient(client.app), "viewer")  # other accounts are not affected


def test_a_locked_account_still_costs_the_argon2_check(client, cap3, monkeypatch):
    from ecocity.web.routes import auth

    for _ in range(cap3):
        _form_login(client, "editor", WRONG)
    checked = []

    def spy(db, username, password):
        checked.append(username)
        return authenticate(db, username, password)

    monkeypatch.setattr(auth, "authenticate", spy)
    assert _form_login(client, "editor", PASSWORD).status_code == 401
    assert checked == ["editor"]  # the same work as for a wrong password: no timing difference


def test_a_success_in_between_resets_the_count(client, cap3, settings):
    for _ in range(cap3 - 1):
        assert _form_login(client, "editor", WRONG).status_code == 401
    assert _form_login(client, "editor", PASSWORD).status_code == 303
    assert account_state(_db(settings), "editor").failed_logins == 0
    for _ in range(cap3 - 1):
        assert client.post("/api/token", json={"username": "editor", "password": WRONG}).status_code == 401
    state = account_state(_db(settings), "editor")
    assert state.failed_logins == cap3 - 1 and not state.locked
    assert client.post("/api/token", json={"username": "editor", "password": PASSWORD}).status_code == 200


def _lock(client: TestClient, username: str, cap: int) -> None:
    for _ in range(cap):
        _form_login(client, username, WRONG)
    assert _form_login(client, username, PASSWORD).status_code == 401


def test_unlock_on_the_command_line_restores_login(client, cap3, settings):
    _lock(client, "editor", cap3)
    listed = runner.invoke(cli_app, ["users", "list", "--db", settings.db_url, "--json"])
    users = {u["username"]: u for u in json.loads(listed.stdout)["users"]}
    assert users["editor"]["failed_logins"] == 3 and users["editor"]["locked_at"] is not None
    assert users["viewer"]["failed_logins"] == 0 and users["viewer"]["locked_at"] is None
    plain = runner.invoke(cli_app, ["users", "list", "--db", settings.db_url])
    assert re.search(r"^editor\s+editor\s+[-\d]+ [:\d]+\s+3 failed\s+locked since [-\d]+ [:\d]+ UTC$", plain.stdout,
                     flags=re.MULTILINE)  # fmt: skip
    done = runner.invoke(cli_app, ["users", "unlock", "editor", "--db", settings.db_url])
    assert done.exit_code == 0, done.output
    assert "unlocked user editor" in done.stdout
    assert _form_login(client, "editor", PASSWORD).status_code == 303
    unknown = runner.invoke(cli_app, ["users", "unlock", "nobody", "--db", settings.db_url])
    assert isinstance(unknown.exception, InputError)
    with pytest.raises(InputError, match="field 'username': no user is called 'nobody'"):
        raise unknown.exception


def test_unlock_through_the_api(client, cap3, as_role):
    _lock(client, "editor", cap3)
    admin, token = as_role("admin")
    listed = {u["username"]: u for u in admin.get("/api/users").json()}
    assert listed["editor"]["failed_logins"] == 3 and listed["editor"]["locked_at"] is not None
    done = admin.post("/api/users/editor/unlock", headers={"X-CSRF-Token": token})
    assert done.status_code == 200
    assert done.json()["username"] == "editor" and done.json()["failed_logins"] == 0
    assert done.json()["locked_at"] is None
    assert _form_login(client, "editor", PASSWORD).status_code == 303
    unknown = admin.post("/api/users/nobody/unlock", headers={"X-CSRF-Token": token})
    assert unknown.status_code == 404 and "no user is called 'nobody'" in unknown.json()["detail"]
    assert admin.post("/api/users/editor/unlock").status_code == 403  # a cookie session needs the CSRF token


def test_unlock_with_a_bearer_token(client, cap3):
    _lock(client, "viewer", cap3)
    issued = client.post("/api/token", json={"username": "admin", "password": PASSWORD}).json()
    done = client.post("/api/users/viewer/unlock", headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert done.status_code == 200 and done.json()["locked_at"] is None


def test_only_admins_may_unlock(client, cap3, as_role):
    _lock(client, "viewer", cap3)
    assert TestClient(client.app).post("/api/users/viewer/unlock").status_code == 401
    editor, token = as_role("editor")
    refused = editor.post("/api/users/viewer/unlock", headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and refused.json()["detail"] == "needs the admin role"
    page = editor.post("/admin/users/viewer/unlock", data={"csrf_token": token}, follow_redirects=False)
    assert page.status_code == 403
    assert _form_login(client, "viewer", PASSWORD).status_code == 401  # still locked


def test_the_users_page_shows_the_lock_and_unlocks(client, cap3, as_role):
    _lock(client, "editor", cap3)
    admin, _ = as_role("admin")
    page = admin.get("/admin/users")
    assert "Locked since" in page.text and 'action="/admin/users/editor/unlock"' in page.text
    assert "An account is locked after 3 failed log-ins in a row" in page.text
    chinese = admin.get("/admin/users?lang=zh").text
    assert "起锁定" in chinese and "解锁" in chinese and "连续登录失败次数" in chinese
    no_token = admin.post("/admin/users/editor/unlock", follow_redirects=False)
    assert no_token.status_code == 403
    done = admin.post("/admin/users/editor/unlock", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    assert "Locked since" not in admin.get("/admin/users?lang=en").text
    assert _form_login(client, "editor", PASSWORD).status_code == 303


def test_unlock_of_an_unknown_name_is_an_input_error(settings, app):
    with pytest.raises(InputError, match="field 'username': no user is called 'ghost'"):
        unlock(_db(settings), "ghost")


def test_the_migration_from_0002_keeps_the_users_unlocked_at_0(tmp_path):
    from ecocity.web import db as web_db

    path = tmp_path / "old.db"
    assert upgrade(path, "0002") == "0002"
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                           ("alice", web_db._HASHER.hash(PASSWORD), "editor", "2026-01-02 03:04:05"))  # fmt: skip
    assert upgrade(path) == head_revision() == "0003"
    db = Database(str(path))
    try:
        [alice] = account_states(db)
        assert (alice.username, alice.role, alice.failed_logins, alice.locked_at) == ("alice", "editor", 0, None)
        assert alice.created_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        assert authenticate(db, "alice", PASSWORD) is not None and admit(db, "alice")
        assert record_failure(db, "alice").failed_logins == 1
    finally:
        db.close()


def test_a_name_with_url_characters_is_unlocked_from_the_page(client, cap3, as_role, settings):
    from ecocity.web.db import add_user

    odd = "ops/team?x#1%"
    add_user(_db(settings), odd, PASSWORD, "viewer")
    _lock(client, odd, cap3)
    admin, _ = as_role("admin")
    page = admin.get("/admin/users").text
    action = re.search(r'action="(/admin/users/ops[^"]*/unlock)"', page)[1]
    assert action == "/admin/users/ops/team%3Fx%231%25/unlock"
    done = admin.post(action, data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303 and not account_state(_db(settings), odd).locked
