"""A dashboard over a one-district workspace whose latest results are the trimmed Tongzhou
document of ``data/results_tongzhou.json`` (see ``data/SOURCES.md``), with a viewer and an
editor; shared by the comparison, plant and buildings page tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from ecocity.web import db
from ecocity.web.app import create_app
from ecocity.web.db import add_user
from ecocity.web.settings import WebSettings
from web_helpers import PASSWORD, log_in

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results_tongzhou.json"
KEY = "tongzhou"
EXAMPLE_PORTFOLIO = Path(__file__).parents[2] / "examples" / "buildings"


def document() -> dict:
    """A fresh copy of the fixture's results document."""
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def workspace(root: Path, results: dict | None = None, *, portfolio: Path | None = None) -> WebSettings:
    """A workspace under ``root`` with district ``tongzhou`` whose CLI results are ``results``
    (default: the fixture); ``portfolio`` links a building portfolio folder (buildings.toml)."""
    folder = root / KEY
    (folder / "ecocity-out").mkdir(parents=True)
    (folder / "district.toml").write_text('[district]\nname = "Tongzhou pilot area (illustrative)"\n'
                                          'crs = "EPSG:4548"\n', encoding="utf-8")
    target = folder / "ecocity-out" / "results.json"
    if results is None:
        shutil.copy(RESULTS, target)
    else:
        target.write_text(json.dumps(results), encoding="utf-8")
    if portfolio is not None:
        (folder / "buildings.toml").write_text(f'portfolio = "{portfolio.as_posix()}"\nyear = 2024\n',
                                               encoding="utf-8")
    return WebSettings(workspace=root, secret_key="test-secret-key-of-the-page-tests", workers=1)


def cheap_hashes(patch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest for the tests' users (the hashing is tested in test_auth.py; at
    the defaults each hash and each login costs about a second on a shared machine)."""
    patch.setattr(db, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def client(settings: WebSettings) -> TestClient:
    """An anonymous test client of the dashboard, which has users ``viewer`` and ``editor``."""
    app = create_app(settings)
    for role in ("viewer", "editor"):
        add_user(app.state.db, role, PASSWORD, role)
    return TestClient(app)


def token(test_client: TestClient, role: str) -> dict[str, str]:
    """The ``Authorization`` header of a bearer token for the user ``role``."""
    answer = test_client.post("/api/token", json={"username": role, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def logged_in(settings: WebSettings, role: str) -> tuple[TestClient, str]:
    """A client of a fresh app logged in through the form as ``role``, and its CSRF token."""
    test_client = client(settings)
    return test_client, log_in(test_client, role)
