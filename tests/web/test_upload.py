"""Uploading a district as a zip: stored only when the whole district loads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from web_helpers import csrf_of

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"


def _zip(prefix: str = "", replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(SMALL.rglob("*")):
            if path.is_file():
                relative = path.relative_to(SMALL).as_posix()
                archive.writestr(prefix + relative, (replace or {}).get(relative, path.read_bytes()))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _post(client, token: str, data: bytes, filename: str = "district.zip", name: str | None = None):
    form = {"name": name} if name else {}
    return client.post("/api/districts", files={"file": (filename, data, "application/zip")}, data=form,
                       headers={"X-CSRF-Token": token})  # fmt: skip


def _districts(workspace: Path) -> list[str]:
    return sorted(p.name for p in workspace.iterdir())


def test_a_zipped_district_folder_is_added(as_role, workspace):
    editor, token = as_role("editor")
    response = _post(editor, token, _zip(prefix="block2/"))
    assert response.status_code == 201, response.text
    assert response.json()["key"] == "block2" and response.json()["name"] == "Tongzhou test block"
    assert (workspace / "block2" / "subcatchments.geojson").is_file()
    assert [d["key"] for d in editor.get("/api/districts").json()] == ["block2", "small"]


def test_a_zip_with_the_files_at_its_top_takes_the_given_name(as_role, workspace):
    editor, token = as_role("editor")
    response = _post(editor, token, _zip(), name="block3")
    assert response.status_code == 201 and (workspace / "block3" / "district.toml").is_file()


def test_a_district_that_does_not_load_is_refused_whole(as_role, workspace):
    editor, token = as_role("editor")
    before = _districts(workspace)
    broken = _zip(prefix="broken/", replace={"subcatchments.geojson": b'{"type": "FeatureCollection", "features": 7}'})
    response = _post(editor, token, broken)
    assert response.status_code == 422
    assert "the district does not load" in response.json()["detail"]
    assert "subcatchments.geojson" in response.json()["detail"]
    assert ".upload-" not in response.json()["detail"]  # no temporary path in the message
    assert _districts(workspace) == before  # nothing stored, no staging folder left


def test_unsafe_or_malformed_archives_are_refused(as_role, workspace):
    editor, token = as_role("editor")
    before = _districts(workspace)
    cases = {
        b"not a zip at all": "is not a zip archive",
        _zip(prefix="evil/", extra={"../escape.txt": b"x"}): "unsafe path '../escape.txt'",
        _zip(prefix="a/", extra={"b/readme.txt": b"x"}): "has no district.toml at its top",
    }
    for data, message in cases.items():
        response = _post(editor, token, data)
        assert response.status_code == 422 and message in response.json()["detail"], response.text
    bad_name = _post(editor, token, _zip(), name="../x")
    assert bad_name.status_code == 422 and "cannot name a district" in bad_name.json()["detail"]
    assert _districts(workspace) == before
    assert not (workspace.parent / "escape.txt").exists()


def test_a_taken_name_is_a_409(as_role, workspace):
    editor, token = as_role("editor")
    response = _post(editor, token, _zip(prefix="small/"))
    assert response.status_code == 409 and "has a district 'small' already" in response.json()["detail"]


def test_viewers_and_anonymous_users_cannot_upload(as_role, client):
    viewer, token = as_role("viewer")
    assert _post(viewer, token, _zip(prefix="x/")).status_code == 403
    assert client.post("/api/districts", files={"file": ("d.zip", _zip(), "application/zip")}).status_code == 401


def test_the_districts_page_form_uploads_and_redirects(as_role, workspace):
    editor, _ = as_role("editor")
    page = editor.get("/")
    assert 'action="/districts/upload"' in page.text
    response = editor.post("/districts/upload", files={"file": ("block4.zip", _zip(), "application/zip")},
                           data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/districts/block4"
