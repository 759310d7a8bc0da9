"""``ecocity report``: a results document rendered as it is, a district folder through the store."""

from __future__ import annotations

import io
import re
import json
import shutil
from pathlib import Path

import pypdf
import pytest

from ecocity.errors import InputError

DATA = Path(__file__).parent / "data"
SMALL = Path(__file__).resolve().parents[1] / "data" / "districts" / "small"


def run(*args):
    """(exit status, stdout, InputError message) of the CLI in this process, as ``ecocity.cli.main``."""
    from typer.testing import CliRunner

    from ecocity.cli import _register, app

    if not any(getattr(c, "name", None) == "report" for c in app.registered_commands):
        _register()
    result = CliRunner().invoke(app, [str(a) for a in args])
    if isinstance(result.exception, InputError):
        return 2, result.stdout, str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, ""


def test_a_results_document_is_rendered_as_html_without_assessing(tmp_path):
    results = tmp_path / "results.json"
    shutil.copy(DATA / "results_small.json", results)
    code, out, err = run("report", results, "--lang", "zh", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["report"] == str(tmp_path / "report.html") and payload["simulated"] == []
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "年径流总量控制率" in html and "Plotly.newPlot" in html and 'id="wastewater"' in html


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "docx"), r"field '--format': expected one of html, pdf, got 'docx'"),
    (("--lang", "da"), r"field '--lang': expected en or zh, got 'da'"),
    (("--years", "5"), r"field '--years': --years applies to a district folder"),
])
def test_bad_options_are_input_errors(args, message):
    code, _, err = run("report", DATA / "results_small.json", *args)
    assert code == 2
    assert re.search(message, err), err


def test_a_file_that_is_not_a_results_document_is_named(tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"district": 1', encoding="utf-8")
    code, _, err = run("report", bad)
    assert code == 2 and "notes.json: not valid JSON (line 1" in err
    bad.write_text('{"district": 1}', encoding="utf-8")
    assert "field 'scenarios': expected a results document" in run("report", bad)[2]
    assert "no such district folder or results document" in run("report", tmp_path / "nowhere")[2]


@pytest.mark.slow
def test_a_district_folder_is_assessed_and_written_as_pdf_then_read_from_the_store(tmp_path):
    district = tmp_path / "small"
    shutil.copytree(SMALL, district)
    out = tmp_path / "small.pdf"
    code, stdout, err = run("report", district, "--format", "pdf", "--out", out, "--workers", 1, "--json")
    assert code == 0, err
    assert json.loads(stdout)["simulated"]
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Tongzhou test block" in text and "Capture-ratio curve" in text
    code, stdout, err = run("report", district, "--out", tmp_path / "again.html", "--json")
    assert code == 0 and json.loads(stdout)["simulated"] == [] and json.loads(stdout)["cached"]
