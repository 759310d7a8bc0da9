"""``ecocity programme check`` and ``ecocity programme report`` through typer's CliRunner."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from ecocity.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "programme-bjcph"


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(*args) -> Done:
    """The CLI in this process; an InputError gives exit 2 and its message, as ``ecocity.cli.main``."""
    from typer.testing import CliRunner

    from ecocity.cli import _register, app

    if not any(group.name == "programme" for group in app.registered_groups):
        _register()
    result = CliRunner().invoke(app, [str(a) for a in args])
    if isinstance(result.exception, InputError):
        return Done(2, result.stdout, str(result.exception))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, "")


def test_check_summarises_a_valid_folder(programme_dir):
    done = run("programme", "check", programme_dir, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["partners"], summary["activities"], summary["indicators"]) == (2, 4, 4)
    assert summary["model_linked"] == ["capture", "self_sufficiency", "saved"]
    assert summary["missing_model_results"] == [] and summary["ok"]


def test_check_reports_a_bad_row_with_exit_2(programme_dir):
    text = (programme_dir / "activities.csv").read_text(encoding="utf-8").replace("Tongzhou,12", "Tongzhou,-3")
    (programme_dir / "activities.csv").write_text(text, encoding="utf-8")
    done = run("programme", "check", programme_dir)
    assert done.returncode == 2
    assert "activities.csv, record 'row 3', field 'participants'" in done.stderr


def test_report_html_in_english_has_every_section_and_the_indicator_values(programme_dir, tmp_path):
    out = tmp_path / "r.html"
    done = run("programme", "report", programme_dir, "--year", 2018, "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["report"] == str(out)
    treated = next(i for i in payload["indicators"] if i["id"] == "treated")
    assert (treated["value"], treated["met"]) == (0.93, False)
    html = out.read_text(encoding="utf-8")
    for anchor in ("description", "activities", "indicators", "lessons", "partners", "sources"):
        assert f'id="{anchor}"' in html
    assert "3 activities with 57 participants in 2018." in html  # 30 + 12 + 15
    assert 'data-indicator="capture"' in html and "93.0 %" in html and "11.b" in html
    assert "Plan the workshops early." in html and 'id="illustrative-badge"' in html
    assert html.count('src="data:image/png;base64,') == 3  # activities by month, progress, values by year
    assert "<script" not in html


def test_report_html_in_chinese(programme_dir, tmp_path):
    out = tmp_path / "r.html"
    assert run("programme", "report", programme_dir, "--year", 2018, "--lang", "zh", "--out", out).returncode == 0
    html = out.read_text(encoding="utf-8")
    for words in ("2018 年度成果报告", "主要活动", "指标完成情况", "经验与教训", "尽早规划研讨会。", "北京市水务局", "研讨会"):
        assert words in html, words


def test_report_outside_the_programme_years_is_an_input_error(programme_dir):
    done = run("programme", "report", programme_dir, "--year", 2025)
    assert done.returncode == 2 and "2025 is outside the programme's years 2017–2019" in done.stderr


def test_report_pdf_in_chinese_has_the_sections_and_the_charts(programme_dir, tmp_path):
    out = tmp_path / "r.pdf"
    assert run("programme", "report", programme_dir, "--year", 2018, "--format", "pdf", "--lang", "zh",
               "--out", out).returncode == 0
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for words in ("目录", "项目概况", "主要活动", "指标完成情况", "经验与教训", "合作伙伴", "试点规划年径流总量控制率"):
        assert words in text, words
    assert len({image.name for page in reader.pages for image in page.images}) == 3


@pytest.mark.slow
def test_the_example_programme_report_2018_in_both_languages(tmp_path):
    folder = tmp_path / "programme-bjcph"
    shutil.copytree(EXAMPLE, folder)
    assert run("programme", "check", folder).returncode == 0
    for language in ("en", "zh"):
        out = tmp_path / f"bjcph-2018-{language}.pdf"
        done = run("programme", "report", folder, "--year", 2018, "--format", "pdf", "--lang", language, "--out", out)
        assert done.returncode == 0, done.stderr
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
        assert ("Strategic Sector Cooperation" if language == "en" else "战略部门合作") in text
