"""Jobs started from the dashboard: access, validation, the lifecycle of a real (small) run,
and recovery after a restart."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient

from ecocity.errors import InputError

from ecocity.store import Store
from ecocity.store.web_tables import JobRow
from ecocity.web.app import create_app
from ecocity.web.db import database
from ecocity.web.jobs import INTERRUPTED, RUNNERS

ASSESS = {"kind": "assess", "district": "small", "scenario": "green-roofs"}


def _wait(client: TestClient, job_id: str, timeout_s: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def test_a_viewer_cannot_start_a_job(as_role):
    viewer, token = as_role("viewer")
    response = viewer.post("/api/jobs", json=ASSESS, headers={"X-CSRF-Token": token})
    assert response.status_code == 403
    assert response.json()["detail"] == "needs the editor role"


def test_anonymous_requests_cannot_start_a_job(client):
    response = client.post("/api/jobs", json=ASSESS)
    assert response.status_code == 401 and response.json()["detail"] == "log in first"


def test_a_session_post_without_the_csrf_header_is_refused(as_role):
    editor, _token = as_role("editor")
    response = editor.post("/api/jobs", json=ASSESS)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_bad_job_requests_are_422_with_a_message(as_role):
    editor, token = as_role("editor")
    headers = {"X-CSRF-Token": token}
    kind = editor.post("/api/jobs", json={**ASSESS, "kind": "bake"}, headers=headers)
    assert kind.status_code == 422 and "kind" in kind.json()["detail"]
    path = editor.post("/api/jobs", json={**ASSESS, "district": "../etc"}, headers=headers)
    assert path.status_code == 422 and "district" in path.json()["detail"]
    unknown = editor.post("/api/jobs", json={**ASSESS, "district": "nowhere"}, headers=headers)
    assert unknown.status_code == 404 and "no district 'nowhere'" in unknown.json()["detail"]
    years = editor.post("/api/jobs", json={**ASSESS, "options": {"years": -1}}, headers=headers)
    assert years.status_code == 422 and "options.years must be a positive number" in years.json()["detail"]
    huge = editor.post("/api/jobs", json={**ASSESS, "options": {"years": 1e308}}, headers=headers)
    assert huge.status_code == 422 and "options.years must be a positive number" in huge.json()["detail"]
    extra = editor.post("/api/jobs", json={**ASSESS, "options": {"colour": "red"}}, headers=headers)
    assert extra.status_code == 422 and "unknown options for a assess job: colour" in extra.json()["detail"]
    scenario = editor.post("/api/jobs", json={**ASSESS, "scenario": "golf course"}, headers=headers)
    assert scenario.status_code == 422
    assert "unknown scenario 'golf course'; the district has baseline, green-roofs, sponge mix" in scenario.json()["detail"]
    assert editor.get("/api/jobs").json() == []  # nothing was queued


def test_an_unknown_job_is_404(as_role):
    viewer, _ = as_role("viewer")
    assert viewer.get("/api/jobs/0123").status_code == 404


@pytest.mark.slow  # two SWMM runs of the small district: ~13 s on a busy box
def test_an_assess_job_runs_to_done_and_lands_in_the_store(as_role, settings):
    editor, token = as_role("editor")
    response = editor.post("/api/jobs", json=ASSESS, headers={"X-CSRF-Token": token})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running") and job["username"] == "editor"
    done = _wait(editor, job["id"])
    assert done["status"] == "done", done["message"]
    assert done["progress"] == 1.0 and len(done["run_ids"]) == 2  # baseline + green-roofs
    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        assert {r.id for r in store.runs()} == set(done["run_ids"])
    # the district now shows the job's results, on the page and in the API
    detail = editor.get("/api/districts/small").json()
    assert [s["name"] for s in detail["scenarios"]] == ["baseline", "green-roofs"]
    assert "capture_ratio" in detail["map_indicators"]
    assert editor.get("/runs").status_code == 200
    run = editor.get(f"/api/runs/{done['run_ids'][0]}").json()
    assert run["status"] == "complete" and any(i["name"] == "capture_ratio" for i in run["indicators"])
    # the htmx fragment of a finished job no longer polls
    fragment = editor.get(f"/jobs/{job['id']}/status").text
    assert "hx-trigger" not in fragment and "done" in fragment


def _fake_assess(settings, district, params, out_dir, progress):
    """A job's wiring without SWMM: progress in two steps, then done or the failure asked for."""
    for done in (0, 1, 2, 0, 1):  # scenarios, then (a second count) the buildings
        progress(done, 2)
    if params.get("scenarios") == ["sponge mix"]:
        raise InputError("the rainfall file is empty", field="rainfall")
    if params.get("scenarios") == ["baseline"]:
        raise ZeroDivisionError("division by zero")
    return ["run-1"]


def test_job_lifecycle_done_failed_and_internal_error(as_role, monkeypatch):
    monkeypatch.setitem(RUNNERS, "assess", _fake_assess)
    editor, token = as_role("editor")
    headers = {"X-CSRF-Token": token}
    done = _wait(editor, editor.post("/api/jobs", json=ASSESS, headers=headers).json()["id"])
    assert (done["status"], done["progress"], done["run_ids"]) == ("done", 1.0, ["run-1"])
    assert done["started_at"] <= done["finished_at"]
    failed = _wait(editor, editor.post("/api/jobs", json={**ASSESS, "scenario": "sponge mix"}, headers=headers).json()["id"])
    assert failed["status"] == "failed" and "the rainfall file is empty" in failed["message"]
    bug = _wait(editor, editor.post("/api/jobs", json={**ASSESS, "scenario": "baseline"}, headers=headers).json()["id"])
    assert bug["status"] == "failed" and bug["message"] == "internal error: ZeroDivisionError: division by zero"
    assert failed["progress"] == 0.99  # the second step's restart did not take the share back
    listed = editor.get("/api/jobs").json()
    assert [j["id"] for j in listed] == [bug["id"], failed["id"], done["id"]]  # newest first


def test_the_district_page_form_starts_a_job_that_polls(as_role, monkeypatch):
    monkeypatch.setitem(RUNNERS, "assess", _fake_assess)
    editor, token = as_role("editor")
    response = editor.post("/districts/small/run", data={"csrf_token": token, "scenario": "green-roofs",
                                                          "years": "abc"})  # fmt: skip
    assert response.status_code == 422 and "years must be a number" in response.text
    response = editor.post("/districts/small/run", data={"csrf_token": token, "scenario": "green-roofs"})
    assert response.status_code == 202
    assert 'hx-trigger="every 1s"' in response.text
    job_id = response.text.split('id="job-')[1].split('"')[0]
    assert _wait(editor, job_id)["status"] == "done"


def test_running_jobs_become_failed_interrupted_on_restart(settings, app):
    db = database(settings.db_url)
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        session.add(JobRow(id="a" * 32, kind="assess", district="small", params={}, status="running",
                           progress=0.4, message="running", username="editor", created_at=now,
                           out_dir="x", run_ids=[]))  # fmt: skip
    create_app(settings)  # a new server on the same database
    with db.session() as session:
        row = session.get(JobRow, "a" * 32)
        assert (row.status, row.message) == ("failed", INTERRUPTED)


@pytest.mark.parametrize(("kind", "message"), [
    ("plant", "district 'small' names no plant (wastewater.toml)"),
    ("portfolio", "district 'small' names no building portfolio (buildings.toml)"),
])  # fmt: skip
def test_plant_and_portfolio_jobs_of_a_district_without_them_fail_with_a_message(as_role, kind, message):
    editor, token = as_role("editor")
    response = editor.post("/api/jobs", json={"kind": kind, "district": "small"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 202
    job = _wait(editor, response.json()["id"])
    assert job["status"] == "failed" and message in job["message"]


# --- cancelling, and progress in the page's language ---------------------------------------------


class _Gate:
    """A job kind that reports progress only when the test opens the gate (no SWMM)."""

    def __init__(self) -> None:
        import threading

        self.started, self.release, self.calls = threading.Event(), threading.Event(), []

    def __call__(self, settings, district, params, out_dir, progress):
        self.calls.append(params.get("scenarios"))
        progress(0, 4)
        self.started.set()
        for done in range(1, 5):
            assert self.release.wait(timeout=20), "the test never opened the gate"
            (out_dir / f"partial-{done}.json").write_text("{}")
            progress(done, 4)
        return ["run-gate"]


def _wait_status(client: TestClient, job_id: str, status: str, timeout_s: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is {job['status']}, not {status}, after {timeout_s} s")


def _queued_row(db, job_id: str, username: str, **values) -> None:
    now = dt.datetime.now(dt.UTC)
    row = {"id": job_id, "kind": "assess", "district": "small", "params": {}, "status": "queued",
           "progress": 0.0, "message": "queued", "username": username, "created_at": now, "out_dir": "x",
           "run_ids": [], **values}  # fmt: skip
    with db.session() as session:
        session.add(JobRow(**row))


def test_cancel_a_queued_job_and_a_running_one(as_role, monkeypatch):
    gate = _Gate()
    monkeypatch.setitem(RUNNERS, "assess", gate)
    editor, token = as_role("editor")
    headers = {"X-CSRF-Token": token}
    running = editor.post("/api/jobs", json=ASSESS, headers=headers).json()
    assert gate.started.wait(timeout=20)
    queued = editor.post("/api/jobs", json={**ASSESS, "scenario": "sponge mix"}, headers=headers).json()
    assert queued["status"] == "queued"  # one worker thread: it waits behind the running job

    response = editor.post(f"/api/jobs/{queued['id']}/cancel", headers=headers)
    assert response.status_code == 200
    job = response.json()
    assert (job["status"], job["cancelled_by"], job["message"]) == ("cancelled", "editor", "Cancelled by editor")
    assert job["finished_at"] is not None

    response = editor.post(f"/api/jobs/{running['id']}/cancel", headers=headers)
    assert response.status_code == 202  # running: it stops at its next progress report
    assert response.json()["status"] == "running" and response.json()["detail"]["key"] == "cancelling"
    gate.release.set()
    job = _wait_status(editor, running["id"], "cancelled")
    assert job["cancelled_by"] == "editor" and job["run_ids"] == [] and job["progress"] < 1.0
    time.sleep(0.3)  # the worker thread would have taken the queued job by now
    assert gate.calls == [["green-roofs"]]  # the cancelled queued job never started
    # a finished job: 409; the cancelled job's partial outputs are no results
    assert editor.post(f"/api/jobs/{running['id']}/cancel", headers=headers).status_code == 409
    fragment = editor.get(f"/jobs/{running['id']}/status").text
    assert "hx-trigger" not in fragment and "Show the results" not in fragment and "Cancelled by editor" in fragment
    assert editor.get("/api/districts/small/results").status_code == 404


def test_a_running_job_cancelled_through_another_process_stops(as_role, monkeypatch, settings):
    """Another server process marks the row *cancelling*; the job sees it at its next report."""
    from sqlalchemy import update

    from ecocity.web import jobs
    from ecocity.web.jobs import encode_message

    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_S", 0.0)
    gate = _Gate()
    monkeypatch.setitem(RUNNERS, "assess", gate)
    editor, token = as_role("editor")
    job_id = editor.post("/api/jobs", json=ASSESS, headers={"X-CSRF-Token": token}).json()["id"]
    assert gate.started.wait(timeout=20)
    with database(settings.db_url).session() as session:
        session.execute(update(JobRow).where(JobRow.id == job_id)
                        .values(message=encode_message("cancelling", user="admin")))  # fmt: skip
    gate.release.set()
    job = _wait_status(editor, job_id, "cancelled")
    assert job["cancelled_by"] == "admin" and job["run_ids"] == []


def test_who_may_cancel_a_job(as_role, settings):
    """Editors and admins any job; a viewer only the jobs it started (a former editor's); 403 else."""
    db = database(settings.db_url)
    _queued_row(db, "e" * 32, "editor")
    _queued_row(db, "v" * 32, "viewer")
    viewer, viewer_token = as_role("viewer")
    response = viewer.post(f"/api/jobs/{'e' * 32}/cancel", headers={"X-CSRF-Token": viewer_token})
    assert response.status_code == 403 and "editor role" in response.json()["detail"]
    assert viewer.post(f"/api/jobs/{'v' * 32}/cancel", headers={"X-CSRF-Token": viewer_token}).status_code == 200
    admin, admin_token = as_role("admin")
    response = admin.post(f"/api/jobs/{'e' * 32}/cancel", headers={"X-CSRF-Token": admin_token})
    assert response.status_code == 200 and response.json()["cancelled_by"] == "admin"


def test_cancel_codes_of_the_api_and_the_page_button(as_role, client, settings):
    db = database(settings.db_url)
    _queued_row(db, "q" * 32, "editor")
    _queued_row(db, "d" * 32, "editor", status="done", progress=1.0, message="done")
    assert client.post(f"/api/jobs/{'q' * 32}/cancel").status_code == 401
    editor, token = as_role("editor")
    assert editor.post(f"/api/jobs/{'q' * 32}/cancel").status_code == 403  # a session without CSRF token
    assert editor.post("/api/jobs/0123/cancel", headers={"X-CSRF-Token": token}).status_code == 404
    response = editor.post(f"/api/jobs/{'d' * 32}/cancel", headers={"X-CSRF-Token": token})
    assert response.status_code == 409 and "finished already (done)" in response.json()["detail"]
    page = editor.get("/runs").text
    assert f'hx-post="/jobs/{"q" * 32}/cancel"' in page and f'hx-post="/jobs/{"d" * 32}/cancel"' not in page
    response = editor.post(f"/jobs/{'q' * 32}/cancel?lang=zh", data={"csrf_token": token})
    assert response.status_code == 200
    assert "已取消" in response.text and "已由 editor 取消" in response.text and "hx-post" not in response.text
    viewer, _ = as_role("viewer")
    assert "/cancel" not in viewer.get("/runs").text  # no button for the editor's jobs


def test_progress_is_shown_in_the_page_language_and_old_rows_still_render(as_role, settings):
    from ecocity.web.jobs import encode_message

    db = database(settings.db_url)
    _queued_row(db, "p" * 32, "editor", status="running", progress=0.25,
                message=encode_message("progress", step=2, done=1234, total=5000))  # fmt: skip
    _queued_row(db, "o" * 32, "editor", status="running", message="step 1: 3/8 tasks")  # a row of 0.x
    _queued_row(db, "i" * 32, "editor", status="failed", message=INTERRUPTED)
    viewer, _ = as_role("viewer")
    # CLDR groups thousands with "," in both en-GB and zh-Hans-CN
    assert "Step 2: 1,234 of 5,000 tasks done" in viewer.get(f"/jobs/{'p' * 32}/status?lang=en").text
    chinese = viewer.get(f"/jobs/{'p' * 32}/status?lang=zh").text
    assert "第 2 步：已完成 1,234/5,000 项计算" in chinese and "运行中" in chinese
    assert "step 1: 3/8 tasks" in viewer.get(f"/jobs/{'o' * 32}/status?lang=zh").text
    assert "已中断：任务运行期间服务器停止" in viewer.get(f"/jobs/{'i' * 32}/status?lang=zh").text
    api = viewer.get(f"/api/jobs/{'p' * 32}").json()
    assert api["message"] == "Step 2: 1,234 of 5,000 tasks done"
    assert api["detail"] == {"key": "progress", "step": 2, "done": 1234, "total": 5000}


def test_every_job_message_has_a_chinese_translation():
    from ecocity.web.i18n import catalogue
    from ecocity.web.jobs import MESSAGES

    chinese = catalogue("zh")
    assert [text for text in [*MESSAGES.values(), INTERRUPTED, "cancelled"] if text not in chinese] == []
