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
