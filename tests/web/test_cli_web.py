"""``ecocity users``, ``ecocity db upgrade`` and ``ecocity serve --help``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ecocity.cli import _register, app
from ecocity.errors import InputError
from ecocity.store import Store
from ecocity.store.migrate import head_revision

_register()
runner = CliRunner()


def test_users_are_added_and_listed(tmp_path):
    db = str(tmp_path / "web.db")
    added = runner.invoke(app, ["users", "add", "alice", "--role", "editor", "--password-stdin", "--db", db],
                          input="a long password\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "--db", db, "--json"])
    assert [(u["username"], u["role"]) for u in json.loads(listed.stdout)["users"]] == [("alice", "editor")]


def test_a_short_password_is_an_input_error(tmp_path):
    result = runner.invoke(app, ["users", "add", "bob", "--password-stdin", "--db", str(tmp_path / "w.db")],
                           input="short\n")  # fmt: skip
    assert isinstance(result.exception, InputError)
    with pytest.raises(InputError, match="at least 8 characters"):
        raise result.exception


@pytest.mark.slow  # a fresh interpreter importing every command group: ~10 s on a busy box
def test_a_bad_role_exits_2_with_one_line_not_a_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ecocity.cli", "users", "add", "bob", "--role", "owner", "--password-stdin",
         "--db", str(tmp_path / "web.db")], input="long enough\n", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    assert "role must be one of viewer, editor, admin" in done.stderr and "Traceback" not in done.stderr


def test_db_upgrade_stamps_a_store_made_by_assess(tmp_path):
    with Store.open(tmp_path / "ecocity.db"):
        pass
    done = runner.invoke(app, ["db", "upgrade", "--db", str(tmp_path / "ecocity.db")])
    assert done.exit_code == 0, done.output
    assert f"at revision {head_revision()}" in done.stdout


def test_serve_names_its_options():
    shown = runner.invoke(app, ["serve", "--help"])
    assert shown.exit_code == 0
    for option in ("--host", "--port", "--db", "--workspace"):
        assert option in shown.stdout


@pytest.mark.slow  # a real server process: start-up ~10 s on a busy box
def test_serve_starts_a_server_that_upgrades_its_database(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "ecocity.cli", "serve", "--workspace", str(tmp_path),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    assert response.status == 200 and "csrf_token" in response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the server did not answer within 120 s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    listed = runner.invoke(app, ["db", "current", "--db", str(tmp_path / "ecocity-web.db")])
    assert listed.stdout.startswith(head_revision())
