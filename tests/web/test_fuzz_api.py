"""Fuzzing the dashboard's inputs: no request, however malformed, may answer a server error.

* schemathesis 4 generates requests for every operation of the app's own OpenAPI schema
  (``/openapi.json``, in-process through the ASGI transport), authenticated as an editor, and
  checks ``not_a_server_error``; path parameters ``name`` are half the time the workspace's real
  district, so the handlers behind the 404 are reached too;
* hypothesis posts random JSON documents to ``POST /api/jobs`` and random form fields to the
  district page's run form and the plant-variant form.

Bounded and derandomized (a fixed number of examples, the same ones each run) so that it stays in
``make test``. Jobs are recorded but not executed: the runner's worker is replaced by a no-op, so
that a valid fuzzed job does not start an assessment in the background.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

import pages_app  # noqa: E402
from web_helpers import PASSWORD, log_in  # noqa: E402

EXAMPLES = 20
"""Examples per operation (schemathesis) and per property (hypothesis)."""

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


class _NoPool:
    """Stands in for the job runner's thread pool: takes every job, runs none, and survives the
    ASGI lifespan's shutdown (schemathesis ends the app's lifespan between its tests)."""

    def submit(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None

    def shutdown(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory):
    """The dashboard over the Tongzhou fixture workspace (results + example portfolio), with a
    viewer and an editor, cheap Argon2 hashes, and a job runner that records but never runs."""
    from argon2 import PasswordHasher

    from ecocity.web import db
    from ecocity.web.app import create_app
    from ecocity.web.db import add_user
    from ecocity.web.login_limit import LoginLimiter

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        root = tmp_path_factory.mktemp("fuzz-workspace")
        app = create_app(pages_app.workspace(root, portfolio=pages_app.EXAMPLE_PORTFOLIO))
        for role in ("viewer", "editor"):
            add_user(app.state.db, role, PASSWORD, role)
        app.state.jobs._pool = _NoPool()  # record the job, do not run it
        # schemathesis sends wrong passwords to /api/token; the login rate limit (test_auth.py)
        # would then refuse the later fixtures' log-ins from the same test-client address
        app.state.login_limiter = LoginLimiter(max_failures=10**9)
        yield app


@pytest.fixture(scope="module")
def editor_headers(fuzz_app) -> dict[str, str]:
    from fastapi.testclient import TestClient

    return pages_app.token(TestClient(fuzz_app), "editor")


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):  # type: ignore[no-untyped-def]
        if not path_parameters or "name" not in path_parameters:
            return st.just(path_parameters)
        return st.sampled_from([pages_app.KEY, path_parameters["name"]]).map(
            lambda name: {**path_parameters, "name": name}
        )

    return schema


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_operation_answers_a_server_error(api_schema, editor_headers, mode):
    """Every operation of /openapi.json, with valid (positive) and schema-violating (negative)
    inputs: never a 5xx. All operations are run; the failures are listed together."""
    from schemathesis import GenerationMode

    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the schema lost its operations"
    if mode == "negative":  # only a body or a constrained query can be violated (paths are any text)
        operations = [op for op in operations if len(op.body) or len(op.query)]
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def call(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=editor_headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            call()
        except Unsatisfiable:  # no input can violate this operation's schema (negative mode)
            continue
        except Exception as err:  # noqa: BLE001 - collected, reported below
            failures.append(f"{operation.label}: {err}")
    assert not failures, "\n\n".join(failures)


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
JOB_OPTIONS = st.dictionaries(
    st.sampled_from(["years", "days", "report", "language", "plant", "control", "x"]), JSON_VALUES, max_size=4
)
JOB_BODIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["assess", "plant", "portfolio"]) | JSON_VALUES,
         "district": st.sampled_from([pages_app.KEY, "../etc", "small", ""]) | JSON_VALUES},
        optional={"scenarios": JSON_VALUES, "scenario": JSON_VALUES, "options": JOB_OPTIONS | JSON_VALUES},
    ),  # fmt: skip
)


@FUZZ_SETTINGS
@given(body=JOB_BODIES)
def test_random_job_requests_are_accepted_or_refused_never_500(fuzz_app, editor_headers, body):
    """``POST /api/jobs`` with random JSON (NaN and infinities included): 202, 4xx, never 5xx."""
    from fastapi.testclient import TestClient

    raw = json.dumps(body)  # allow_nan: Python writes NaN/Infinity, which Starlette parses
    response = TestClient(fuzz_app, raise_server_exceptions=False).post(
        "/api/jobs", content=raw, headers={**editor_headers, "content-type": "application/json"}
    )
    assert response.status_code < 500, (raw, response.text)
    if response.status_code == 202:
        assert response.json()["status"] == "queued"
    elif response.status_code == 422:
        assert response.json()["detail"], "a refusal names the problem"


@pytest.mark.parametrize("raw", ['{"kind": "assess", "district": Infinity}', '{"kind": NaN, "district": "tongzhou"}'])
def test_non_finite_number_in_a_job_body_is_a_422(fuzz_app, editor_headers, raw):
    """Found by this fuzz test (a 500 before b365f43): a body Python's json accepts (NaN,
    Infinity) but JSON does not is refused with a message."""
    from fastapi.testclient import TestClient

    response = TestClient(fuzz_app, raise_server_exceptions=False).post(
        "/api/jobs", content=raw, headers={**editor_headers, "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text


FORM_TEXT = st.text(max_size=40) | st.sampled_from(["nan", "inf", "-1", "1e309", "0", "1", "0.5", " 2 "])


@pytest.fixture(scope="module")
def editor_page(fuzz_app):
    """A TestClient logged in through the form as the editor, and its CSRF token."""
    from fastapi.testclient import TestClient

    client = TestClient(fuzz_app, raise_server_exceptions=False)
    return client, log_in(client, "editor")


@FUZZ_SETTINGS
@given(years=FORM_TEXT, scenario=FORM_TEXT)
def test_run_form_with_random_fields_never_500(editor_page, years, scenario):
    """The district page's run form (htmx POST) with any text in its fields."""
    client, csrf = editor_page
    response = client.post(
        f"/districts/{pages_app.KEY}/run",
        data={"years": years, "scenario": scenario, "csrf_token": csrf},
        headers={"hx-request": "true"},
    )  # fmt: skip
    assert response.status_code < 500, (years, scenario, response.text[:500])


@FUZZ_SETTINGS
@given(fields=st.dictionaries(st.sampled_from(["plant", "control", "days", "sludge_age_d", "x"]), FORM_TEXT, max_size=4))
def test_plant_variant_form_with_random_fields_never_500(editor_page, fields):
    """The plant page's variant form (htmx POST) with any fields."""
    client, csrf = editor_page
    response = client.post(
        f"/districts/{pages_app.KEY}/plant/variant", data={**fields, "csrf_token": csrf},
        headers={"hx-request": "true"},
    )  # fmt: skip
    assert response.status_code < 500, (fields, response.text[:500])


def _upload_operations(app) -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, file fields, other fields) of the API operations taking a
    multipart/form-data body (uploads); ``{name}`` is the fixture district, other path
    parameters ``x``."""
    spec = app.openapi()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "multipart/form-data" not in content:
                continue
            schema = content["multipart/form-data"].get("schema", {})
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            properties = schema.get("properties", {})
            files = [k for k, v in properties.items() if json.dumps(v).count("binary") or "contentMediaType" in v]
            others = [k for k in properties if k not in files]
            concrete = re.sub(r"\{[^}]+\}", "x", path.replace("{name}", pages_app.KEY))
            found.append((method.upper(), concrete, files or ["file"], others))
    return found


def test_random_uploads_never_500(fuzz_app, editor_headers):
    """Every upload operation of the API with random file contents and names and random text in
    its other form fields."""
    from fastapi.testclient import TestClient

    operations = _upload_operations(fuzz_app)
    if not operations:
        pytest.skip("the API has no upload (multipart/form-data) operation yet")
    client = TestClient(fuzz_app, raise_server_exceptions=False)

    @FUZZ_SETTINGS
    @given(payload=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode),
           filename=st.text(max_size=30), text=FORM_TEXT)  # fmt: skip
    def upload(payload: bytes, filename: str, text: str) -> None:
        for method, path, files, others in operations:
            response = client.request(
                method, path, files={f: (filename or "x", payload) for f in files},
                data={k: text for k in others}, headers=editor_headers,
            )  # fmt: skip
            assert response.status_code < 500, (method, path, filename, payload[:100], response.text[:500])

    upload()


SMALL_DISTRICT = Path(__file__).parents[1] / "data" / "districts" / "small"
MEMBER_NAMES = st.sampled_from([
    "district.toml", "subcatchments.geojson", "rain.csv", "scenarios/a.toml", "top/district.toml",
    "top/rain.csv", "../district.toml", "/abs/district.toml", "a\\b.toml", "c:district.toml", "scenarios/",
]) | st.text(max_size=20)  # fmt: skip
MEMBER_DATA = st.sampled_from([
    (SMALL_DISTRICT / "district.toml").read_bytes(), (SMALL_DISTRICT / "subcatchments.geojson").read_bytes(),
    (SMALL_DISTRICT / "rain.csv").read_bytes()[:3000], b"[district]\nname = 1\n", b"\xff\xfe\x00",
    b'{"type": "FeatureCollection", "features": [{}]}', b"",
]) | st.binary(max_size=300)  # fmt: skip


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``members`` (duplicate names kept: an archive may hold them)."""
    import io
    import warnings
    import zipfile

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name"
        for name, data in members:
            archive.writestr(name or "x", data)
    return buffer.getvalue()


def test_random_district_zips_are_stored_whole_or_not_at_all(fuzz_app, editor_headers):
    """``POST /api/districts`` with zips of random members (names with ``..``, absolute, drive
    letters, bad TOML, broken GeoJSON, the small district's real files mixed in): 201, 409 or a
    4xx naming the problem, never 5xx; and a refused upload leaves the workspace as it was."""
    from fastapi.testclient import TestClient

    if ("POST", "/api/districts") not in {(m, p) for m, p, _, _ in _upload_operations(fuzz_app)}:
        pytest.skip("the API has no district upload (POST /api/districts) yet")
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    workspace = Path(fuzz_app.state.settings.workspace)

    def contents() -> set[str]:
        return {str(p.relative_to(workspace)) for p in workspace.rglob("*")
                if ".ecocity-web" not in p.parts and not p.name.startswith("ecocity-web.db")}  # fmt: skip

    @FUZZ_SETTINGS
    @given(members=st.lists(st.tuples(MEMBER_NAMES, MEMBER_DATA), max_size=5),
           name=st.none() | st.sampled_from(["fuzzed", pages_app.KEY, "../x", ""]) | st.text(max_size=12))  # fmt: skip
    def upload(members: list[tuple[str, bytes]], name: str | None) -> None:
        before = contents()
        response = client.post("/api/districts", files={"file": ("district.zip", _zip(members))},
                               data={} if name is None else {"name": name}, headers=editor_headers)  # fmt: skip
        assert response.status_code < 500, (members, name, response.text[:500])
        if response.status_code != 201:
            assert response.json().get("detail"), "a refusal names the problem"
            assert contents() == before, "a refused upload changed the workspace"

    upload()


def test_fuzz_workspace_is_the_tongzhou_fixture(fuzz_app, editor_headers):
    """The fuzzed app really serves the fixture district (else the fuzz only meets 404s)."""
    from fastapi.testclient import TestClient

    answer = TestClient(fuzz_app).get("/api/districts", headers=editor_headers)
    assert answer.status_code == 200
    assert [d["key"] for d in answer.json()] == [pages_app.KEY]
    assert Path(fuzz_app.state.settings.workspace, pages_app.KEY, "district.toml").is_file()
