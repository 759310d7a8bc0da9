"""Alembic migrations of the store: a fresh database, stamping a store made by ``Store.open``,
refusing foreign databases, and the same on a real PostgreSQL server (a throw-away cluster)."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import Store, hash_inputs, versions
from ecocity.store.migrate import current_revision, head_revision, make_engine, upgrade

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ALL_TABLES = {"alembic_version", "ecocity_meta", "runs", "indicators", "series", "users", "jobs"}


def _result() -> AreaResult:
    return AreaResult(area="stormwater", scenario="baseline",
                      indicators=(Indicator(name="capture_ratio", value=0.61, unit="-", scope="district",
                                            target=0.85, passed=False, source="test"),),
                      series={}, figures={"engine": {"swmm": "5.2.4"}})  # fmt: skip


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_fresh_sqlite_database_gets_every_table(tmp_path):
    db = tmp_path / "web.db"
    assert upgrade(db) == head_revision() == "0003"
    assert _tables(str(db)) == ALL_TABLES
    with Store.open(db) as store:  # the CLI's store accepts it: schema version 1, its tables present
        run_id = store.save(_result(), district="d", input_hash=hash_inputs("a"), versions=versions(), wall_time_s=1.0)
        assert store.load(run_id).indicators[0].value == 0.61


def test_upgrading_twice_changes_nothing(tmp_path):
    db = tmp_path / "web.db"
    upgrade(db)
    assert upgrade(db) == "0003"


def test_a_store_made_by_store_open_is_stamped_not_rebuilt(tmp_path):
    db = tmp_path / "ecocity.db"
    with Store.open(db) as store:
        run_id = store.save(_result(), district="d", input_hash=hash_inputs("b"), versions=versions(), wall_time_s=2.0)
    assert "alembic_version" not in _tables(str(db))
    assert upgrade(db) == "0003"
    assert _tables(str(db)) == ALL_TABLES
    with Store.open(db) as store:
        assert [r.id for r in store.runs()] == [run_id]
        assert store.load(run_id).indicators[0].name == "capture_ratio"


def test_a_database_of_something_else_is_refused(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(InputError, match=r"not an ecocity database: it holds other tables \(invoices\)"):
        upgrade(db)


def test_a_store_of_another_schema_version_is_refused(tmp_path):
    db = tmp_path / "ecocity.db"
    with Store.open(db):
        pass
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE ecocity_meta SET value = '7' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="schema version 7"):
        upgrade(db)


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        upgrade(tmp_path)


# --- PostgreSQL: a throw-away cluster ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as ``nobody`` then, keeping only the
    right to pass through folders (pytest's temporary root is private to root, mode 0700)."""
    if os.getuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): cannot start PostgreSQL as nobody")
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"]  # fmt: skip


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    if not (PG_BIN / "initdb").is_file() or not (PG_BIN / "pg_ctl").is_file():
        pytest.skip(f"PostgreSQL 15 server binaries not found in {PG_BIN} (Debian's postgresql-15)")
    prefix = _as_server_user()
    folder = tmp_path_factory.mktemp("postgres")
    if prefix:
        shutil.chown(folder, user="nobody")
    data, port = folder / "data", _free_port()
    subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "ecocity",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                    "-o", options, "start"], check=True, capture_output=True, timeout=120)  # fmt: skip
    try:
        yield f"postgresql+psycopg://ecocity@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=120)  # fmt: skip


@pytest.mark.slow  # initdb + server start + migrations: ~12 s on a busy box
def test_postgresql_upgrade_store_and_dashboard(postgres_url, tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from ecocity.web import db as web_db

    monkeypatch.setattr(web_db, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    started = time.monotonic()
    assert upgrade(postgres_url) == "0003"
    assert _tables(postgres_url) == ALL_TABLES
    assert upgrade(postgres_url) == "0003"
    with Store.open(postgres_url, series_dir=tmp_path / "series") as store:
        run_id = store.save(_result(), district="d", input_hash=hash_inputs("pg"), versions=versions(),
                            wall_time_s=3.0)  # fmt: skip
        assert store.find(hash_inputs("pg"), "stormwater").id == run_id
        assert store.load(run_id).indicators[0].value == 0.61
    # the dashboard on the same server: a user, a token, the runs API
    from fastapi.testclient import TestClient

    from ecocity.web.app import create_app
    from ecocity.web.db import add_user, database
    from ecocity.web.settings import WebSettings

    settings = WebSettings(workspace=tmp_path, db_url=postgres_url, secret_key="k", state_dir=tmp_path / "state")
    client = TestClient(create_app(settings))
    add_user(database(postgres_url), "pg-editor", "a long password", "editor")
    token = client.post("/api/token", json={"username": "pg-editor", "password": "a long password"}).json()
    runs = client.get("/api/runs", headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert [r["id"] for r in runs] == [run_id]
    engine = make_engine(postgres_url)
    assert current_revision(engine) == "0003" and engine.dialect.name == "postgresql"
    engine.dispose()
    assert time.monotonic() - started < 60


@pytest.mark.slow  # shares the throw-away cluster above
def test_postgresql_0002_to_0003_keeps_users_and_counts_concurrent_failures(postgres_url):
    """Revision 0003 on PostgreSQL: users of a 0002 database start at 0 failures, unlocked; eight
    threads failing 25 times each lose no count (one ``UPDATE … SET n = n + 1`` per failure) and
    the 100th failure locks the account (NIST SP 800-63B §5.2.2)."""
    import threading

    from sqlalchemy import text

    from ecocity.web.account_lock import account_state, admit, record_failure
    from ecocity.web.db import Database

    admin = make_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE DATABASE lock_test"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/lock_test"
    assert upgrade(url, "0002") == "0002"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (username, password_hash, role, created_at) "
                                "VALUES ('alice', 'x', 'editor', now())"))  # fmt: skip
    engine.dispose()
    assert upgrade(url) == "0003"
    db = Database(url)
    try:
        state = account_state(db, "alice")
        assert (state.failed_logins, state.locked_at) == (0, None)
        threads = [threading.Thread(target=lambda: [record_failure(db, "alice") for _ in range(25)])
                   for _ in range(8)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        state = account_state(db, "alice")
        assert state.failed_logins == 200 and state.locked
        assert not admit(db, "alice")
    finally:
        db.close()
