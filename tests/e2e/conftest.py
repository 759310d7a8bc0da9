"""Fixtures of the end-to-end browser tests: the real dashboard (``ecocity serve`` in a
subprocess, on a free port, over a temporary workspace and SQLite database, with an editor
created by ``ecocity users add --password-stdin``) and Debian's Chromium driven by Playwright.

The workspace holds two districts:

* ``small``: the five-subcatchment test district of ``tests/data/districts/small`` (two days of
  5-min rainfall), without results, so that a scenario run started from the page finishes in
  seconds;
* ``tongzhou``: a copy of ``examples/tongzhou`` whose latest results are the trimmed Tongzhou
  document of ``tests/web/data/results_tongzhou.json`` (stormwater, wastewater plant and building
  portfolio sections; see ``tests/web/data/SOURCES.md``), so that every page has content for the
  screenshots without computing anything.

Screenshots go to ``tests/e2e/artifacts/`` (git-ignored), or to ``$ECOCITY_E2E_ARTIFACTS``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from e2e_support import EDITOR, PASSWORD, Server

TESTS = Path(__file__).parents[1]
SMALL = TESTS / "data" / "districts" / "small"
TONGZHOU_RESULTS = TESTS / "web" / "data" / "results_tongzhou.json"
TONGZHOU = TESTS.parent / "examples" / "tongzhou"
EXAMPLE_PORTFOLIO = TESTS.parent / "examples" / "buildings"
ARTIFACTS_ENV = "ECOCITY_E2E_ARTIFACTS"
SERVER_START_S = 120.0
"""Longest wait for the server to answer (imports and the migrations on a busy CI box). [s]"""


def chromium_executable() -> str | None:
    """Debian's Chromium (``chromium`` on the PATH, else ``/usr/bin/chromium``), or None."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).is_file() and os.access(found, os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str) -> list[str]:
    """The ``ecocity`` command of this interpreter (no reliance on the PATH)."""
    return [sys.executable, "-c", "from ecocity.cli import main; main()", *args]


def _workspace(root: Path) -> Path:
    folder = root / "workspace"
    shutil.copytree(SMALL, folder / "small")
    tongzhou = folder / "tongzhou"
    shutil.copytree(TONGZHOU, tongzhou, ignore=shutil.ignore_patterns("ecocity-out", "*.db"))
    (tongzhou / "ecocity-out").mkdir()
    shutil.copy(TONGZHOU_RESULTS, tongzhou / "ecocity-out" / "results.json")
    (tongzhou / "buildings.toml").write_text(
        f'portfolio = "{EXAMPLE_PORTFOLIO.as_posix()}"\nyear = 2024\n', encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``ecocity serve`` on a free port; stopped (SIGTERM, then SIGKILL) at the end."""
    root = tmp_path_factory.mktemp("e2e")
    workspace = _workspace(root)
    db = root / "web.db"
    env = {**os.environ, "ECOCITY_SECRET_KEY": "e2e-secret-key-not-for-production"}
    added = subprocess.run(
        _cli("users", "add", EDITOR, "--role", "editor", "--password-stdin", "--db", str(db)),
        input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    port = _free_port()
    log = root / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            _cli("serve", "--port", str(port), "--workspace", str(workspace), "--db", str(db), "--workers", "1"),
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    started = Server(f"http://127.0.0.1:{port}", workspace, log)
    try:
        _wait_until_up(started, process)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_until_up(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ecocity serve exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/login", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"ecocity serve did not answer within {SERVER_START_S:.0f} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the screenshots go (created)."""
    folder = Path(os.environ.get(ARTIFACTS_ENV) or Path(__file__).parent / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian Chromium under Playwright (its own browsers are not downloaded)."""
    executable = chromium_executable()
    if executable is None:
        pytest.skip("no chromium found (apt-get install chromium fonts-noto-cjk; .ci/run does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def logged_in_state(browser, server: Server) -> dict:  # type: ignore[no-untyped-def]
    """The editor's session (cookies), logged in once through the login form."""
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    log_in(page)
    state = context.storage_state()
    context.close()
    return state


def log_in(page) -> None:  # type: ignore[no-untyped-def]
    """Log in through the login form as the editor; land on the districts page."""
    page.goto("/login")
    page.fill("input[name=username]", EDITOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture(scope="session")
def editor_context(browser, server: Server, logged_in_state: dict):  # type: ignore[no-untyped-def]
    """One browser context of the logged-in editor (1280 × 900) for the page tests: its cache
    keeps the vendored scripts (Plotly.js is 4 MB) between pages."""
    context = browser.new_context(base_url=server.url, storage_state=logged_in_state,
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)  # fmt: skip
    context.set_default_timeout(60_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def _shared_page(editor_context):  # type: ignore[no-untyped-def]
    new = editor_context.new_page()
    problems: list[str] = []
    new.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
           if message.type == "error" else None)  # fmt: skip
    new.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    new.on("response", lambda response: problems.append(f"HTTP {response.status} {response.url}")
           if response.status >= 400 else None)  # fmt: skip
    new.problems = problems
    yield new
    new.close()


@pytest.fixture
def page(_shared_page):  # type: ignore[no-untyped-def]
    """The editor's browser page (shared by the tests, in the editor's session); its console
    errors, page errors and failed responses of this test are in ``page.problems``."""
    _shared_page.problems.clear()
    return _shared_page
