"""The district report as PDF: sections, contents with page numbers, Chinese text, figures.

Built from the stored results document ``data/results_small.json`` (see ``data/SOURCES.md``:
the fixture district of conftest.py, a one-day BSM2 plant run and a hand-made six-building
portfolio), so no SWMM or plant run is needed. Text is extracted with pypdf.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdf
import pytest

from ecocity.errors import InputError
from ecocity.report import report_html, static_figures
from ecocity.report.labels import Labels
from ecocity.report.pdf import report_pdf, typeset
from ecocity.report.render import SECTIONS

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results_small.json"
# Figures of the fixture: indicator bars, 4 scenario maps, capture curve, water balance, hyetograph,
# 2 hydrographs (P = 3, 50 yr), costs; plant energy and GHG; buildings map, EUI, 1 savings chart.
N_FIGURES = 16


def _results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def static_html() -> dict[str, str]:
    """The English and the Chinese report as the static HTML WeasyPrint typesets."""
    results = _results()
    return {lang: report_html(results, language=lang, static=True) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def documents(static_html):
    """The laid-out pages (weasyprint Documents) of the English and the Chinese report."""
    return {lang: typeset(html) for lang, html in static_html.items()}


@pytest.fixture(scope="module")
def pdfs(documents) -> dict[str, pypdf.PdfReader]:
    return {lang: pypdf.PdfReader(io.BytesIO(document.write_pdf())) for lang, document in documents.items()}


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


@pytest.fixture(scope="module")
def texts(pdfs) -> dict[str, str]:
    """The text of each PDF, pages joined by newlines (extracted once)."""
    return {lang: "\n".join(page.extract_text() for page in reader.pages) for lang, reader in pdfs.items()}


def _contents(text: str, heading: str) -> str:
    start = text.index(heading)
    return text[start:start + 3000]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_section_is_in_the_contents_with_its_page_and_as_a_numbered_heading(pdfs, texts, language):
    reader = pdfs[language]
    labels = Labels(language)
    text = texts[language]
    contents = _contents(text, labels.text("contents"))
    pages = len(reader.pages)
    shown = [s for s in SECTIONS if s.shown(_results())]
    assert len(shown) >= 12  # the sponge-city sections, the plant, the buildings, the sources
    for number, section in enumerate(shown, start=1):
        title = labels.text(section.title)
        entry = re.search(re.escape(title) + r"\s*\.{5,}\s*(\d+)", contents)
        assert entry, f"{title} not in the contents"
        assert 1 <= int(entry[1]) <= pages
        assert f"{number} {title}" in text.replace("\n", " ")
    assert 8 <= pages <= 30


def test_pages_are_a4_and_numbered(pdfs):
    reader = pdfs["en"]
    width_pt, height_pt = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (width_pt, height_pt) == pytest.approx((595.3, 841.9), abs=0.5)  # A4 = 210 × 297 mm
    last = len(reader.pages)
    assert f"{last} / {last}" in reader.pages[-1].extract_text()
    assert "2 / " in reader.pages[1].extract_text()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_nothing_sticks_out_of_the_page_on_the_right(documents, language):
    """Wide tables (buildings, sources) wrap inside the A4 text width instead of overflowing."""
    for number, page in enumerate(documents[language].pages, start=1):
        page_box = page._page_box
        right_pt = page_box.margin_width() - page_box.margin_right
        for box in _boxes(page_box):
            if box is page_box or not hasattr(box, "position_x"):
                continue
            assert box.position_x + box.margin_width() <= right_pt + 1.0, (number, type(box).__name__)


def test_chinese_text_extracts_from_the_zh_pdf(texts):
    text = texts["zh"].replace("\n", "")  # a Chinese line breaks anywhere
    for words in ("年径流总量控制率", "目录", "汇总：片区指标", "污水处理厂", "能源自给率", "数据来源",
                  "建筑：能耗、对标与节能量", "已核对标准原文"):
        assert words in text, words
    assert "Annual runoff capture ratio" not in text


def _image_objects(reader: pypdf.PdfReader) -> set:
    """The image XObjects the pages use (by object number; not decoded)."""
    found = set()
    for page in reader.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                found.add(ref.idnum)
    return found


def test_the_figures_are_images_in_the_pdf(pdfs):
    for reader in pdfs.values():
        assert len(_image_objects(reader)) == N_FIGURES


def test_every_cited_source_is_listed_with_its_confidence(texts):
    text = texts["en"].replace("\n", " ")
    for source in _results()["sources"]:
        assert source["value"][:12] in text
        assert source["confidence"] in text
    assert "verified in the standard's own text" in text  # the meaning of a V mark


def test_the_static_document_runs_no_javascript_and_draws_every_figure_as_png(static_html):
    html = static_html["en"]
    assert "<script" not in html
    assert html.count('src="data:image/png;base64,') == N_FIGURES
    assert "@page" in html and "target-counter" in html


def test_figures_for_chinese_warn_when_no_cjk_font_is_installed(monkeypatch):
    monkeypatch.setattr(static_figures, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font"), static_figures.figure_style("zh"):
        pass


def test_the_cjk_font_is_noto_sans_cjk_sc_when_installed():
    font = static_figures.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed here (fonts-noto-cjk)")
    assert font in static_figures.CJK_FONTS


def test_a_document_without_scenarios_is_an_input_error():
    with pytest.raises(InputError, match="scenarios"):
        report_pdf({"scenarios": []})
