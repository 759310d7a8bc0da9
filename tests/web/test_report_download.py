"""The district page's report links: the latest results as the HTML report and the PDF
(``ecocity report``), in the page's language, over the trimmed Tongzhou results (data/SOURCES.md)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

import pages_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        pages_app.cheap_hashes(patch)
        settings = pages_app.workspace(tmp_path_factory.mktemp("report"))
        test_client = pages_app.client(settings)
        yield test_client, pages_app.token(test_client, "viewer")


def test_the_district_page_links_its_report_as_pdf_and_html(site):
    client, auth = site
    page = client.get("/districts/tongzhou?lang=zh", headers=auth)
    assert page.status_code == 200
    assert "区域报告" in page.text
    assert "/districts/tongzhou/report.pdf?lang=zh" in page.text


def test_the_pdf_report_downloads_with_chinese_text(site):
    client, auth = site
    answer = client.get("/districts/tongzhou/report.pdf?lang=zh", headers=auth)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert "attachment" in answer.headers["content-disposition"]
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "年径流总量控制率" in text  # the capture-ratio indicator's name in labels.toml


def test_the_html_report_is_the_self_contained_report(site):
    client, auth = site
    answer = client.get("/districts/tongzhou/report.html?lang=en", headers=auth)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "combined_85" in answer.text and "<script" in answer.text


def test_unknown_format_or_district_is_404_with_a_message(site):
    client, auth = site
    assert client.get("/districts/tongzhou/report.docx", headers=auth).status_code == 404
    missing = client.get("/districts/nowhere/report.pdf", headers=auth)
    assert missing.status_code in (404, 422) and "nowhere" in missing.text


def test_anonymous_visitors_get_no_report(site):
    client, _ = site
    answer = client.get("/districts/tongzhou/report.pdf", follow_redirects=False)
    assert answer.status_code in (302, 303, 307, 401)
