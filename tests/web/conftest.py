"""Fixtures of the dashboard tests: a workspace with one small district, an app on a fresh
SQLite database, users of each role, and logged-in clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ecocity.web.app import create_app
from ecocity.web.db import add_user, database
from ecocity.web.settings import WebSettings
from web_helpers import PASSWORD, log_in

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"
ROLES = ("viewer", "editor", "admin")


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2id still, at its smallest cost: the default costs ~1 s per hash on a busy CI box."""
    from argon2 import PasswordHasher

    from ecocity.web import db

    monkeypatch.setattr(db, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace folder holding the small test district as ``small/``."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    shutil.copytree(SMALL, folder / "small")
    return folder


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """An empty database at the newest revision, copied by each test (migrating takes ~0.3 s)."""
    from ecocity.store.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "ecocity-web.db"
    upgrade(path)
    return path


@pytest.fixture
def settings(workspace: Path, migrated_db: Path) -> WebSettings:
    shutil.copyfile(migrated_db, workspace / "ecocity-web.db")
    return WebSettings(workspace=workspace, secret_key="test-secret-key", workers=1)


@pytest.fixture
def app(settings: WebSettings):
    application = create_app(settings)
    db = database(settings.db_url)
    for role in ROLES:
        add_user(db, role, PASSWORD, role)
    return application


@pytest.fixture
def client(app):
    """An anonymous client."""
    return TestClient(app)


@pytest.fixture
def as_role(app):
    """``as_role("editor")``: a client logged in with that role, and its CSRF token."""

    def make(role: str) -> tuple[TestClient, str]:
        test_client = TestClient(app)
        return test_client, log_in(test_client, role)

    return make
