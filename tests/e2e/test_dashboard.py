"""The dashboard in a real browser (headless Debian Chromium, Playwright), against the real
server (``ecocity serve``): the issue's scenario — log in, open a district, switch to 中文, start
a scenario run and see it finish, open the comparison, download — and screenshots of the main
pages in English and Chinese as test artefacts."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from ecocity.web.i18n import translate
from e2e_support import EDITOR, PASSWORD, Server

# The module takes 3 min on the shared 2-core box (load 17; ≈ 38 s CPU of tests, server and
# browser together): out of `make test`, run by `make test-slow` and by `.ci/run` after `make test`.
pytestmark = pytest.mark.slow

RUN_FINISH_MS = 120_000
"""Longest wait for the small district's run (two days of rain, one scenario; ~5 s idle). [ms]"""

PAGES = {
    "districts": "/",
    "district-map": "/districts/tongzhou",
    "compare": "/districts/tongzhou/compare",
    "plant": "/districts/tongzhou/plant",
    "buildings": "/districts/tongzhou/buildings",
    "runs": "/runs",
}
"""The main pages and their paths (the Tongzhou fixture district has every section)."""


def zh(message: str) -> str:
    """The Chinese of a dashboard message (from its catalogue)."""
    text = translate(message, "zh")
    assert text != message, f"no Chinese for {message!r}"
    return text


def test_log_in_run_a_scenario_in_chinese_and_compare(browser, server: Server, artifacts: Path) -> None:
    """The issue's scenario, step by step, as an editor in a fresh browser."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)  # fmt: skip
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # Log in (an anonymous visit is sent to the login form first).
        page.goto("/")
        page.wait_for_url(re.compile(r"/login"))
        page.fill("input[name=username]", EDITOR)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        assert page.locator("header .user").inner_text().startswith(EDITOR)

        # Open the small district: its map draws the five subcatchments.
        page.click("text=Tongzhou test block")
        page.wait_for_url("**/districts/small")
        page.wait_for_selector("#map path.leaflet-interactive", state="attached")
        assert page.locator("#map path.leaflet-interactive").count() == 5

        # Switch to Chinese: the labels and the html language follow, and the choice is kept.
        page.click("header .langs a[hreflang=zh]")
        page.wait_for_url("**/districts/small?lang=zh")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert zh("Start a run") in page.locator("main h2").all_inner_texts()
        assert page.locator("nav.main").inner_text().split()[0] == zh("Districts")
        page.goto("/districts/small")  # no ?lang=: the cookie keeps 中文
        assert page.locator("html").get_attribute("lang") == "zh-CN"

        # Start a run of one scenario over 1 year of rainfall (the file holds 2 days) and see it finish.
        page.select_option("form.run select[name=scenario]", "green-roofs")
        page.fill("form.run input[name=years]", "1")
        page.click(f"form.run button:has-text('{zh('Run the assessment')}')")
        job = page.locator("#job-area .job").first
        job.wait_for()
        page.wait_for_selector("#job-area .job.job-done, #job-area .job.job-failed", timeout=RUN_FINISH_MS)
        status = page.locator("#job-area .job").first
        assert "job-done" in (status.get_attribute("class") or ""), status.inner_text()
        assert status.locator(".status").inner_text() == zh("done")

        # The run survives a reload: the job is listed done and its results fill the table.
        page.click(f"#job-area .job-done a:has-text('{zh('Show the results')}')")
        page.wait_for_load_state()
        assert page.locator("#job-area .job.job-done").count() >= 1
        headers = page.locator("main table.data thead th").all_inner_texts()
        assert any(h.startswith("baseline") for h in headers), headers
        assert any(h.startswith("green-roofs") for h in headers), headers

        # Open the comparison from the navigation: baseline against green-roofs, in Chinese.
        page.click(f"nav.main a:has-text('{zh('Scenario comparison')}')")
        page.wait_for_url("**/districts/small/compare")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        body = page.locator("main").inner_text()
        assert "baseline" in body and "green-roofs" in body
        page.screenshot(path=str(artifacts / "scenario-compare-small-zh.png"), full_page=True)

        # Download what the comparison offers: its JSON (the page's API link), with the session.
        link = page.locator("main a[href^='/api/districts/small/compare']").first
        answer = context.request.get(link.get_attribute("href"))
        assert answer.status == 200
        payload = answer.json()
        assert {payload["a"], payload["b"]} == {"baseline", "green-roofs"}, payload.keys()
        assert not errors, errors
    finally:
        context.close()


def test_district_report_pdf_downloads(page, artifacts: Path) -> None:
    """The district page offers its report as a PDF (a link whose target ends in .pdf or says
    PDF); the download is a PDF with Chinese text when the page is in Chinese."""
    page.goto("/districts/tongzhou?lang=zh")
    link = page.locator("main a[href*='pdf' i], main a:has-text('PDF')")
    if link.count() == 0:
        pytest.xfail("the district page has no PDF link yet (W1/W2: link ecocity report --format pdf)")
    with page.expect_download(timeout=120_000) as download:
        link.first.click()
    target = artifacts / "district-report-tongzhou-zh.pdf"
    download.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-"), data[:20]
    from pypdf import PdfReader

    text = "".join(p.extract_text() or "" for p in PdfReader(target).pages)
    assert re.search(r"[\u4e00-\u9fff]", text), "no Chinese text extracted from the PDF"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_main_page_renders_without_errors(page, artifacts: Path, name: str, lang: str) -> None:
    """Each main page in each language: answers, runs its scripts without an error, loads no
    missing asset, draws its map or figures; its full-page screenshot is saved."""
    response = page.goto(f"{PAGES[name]}?lang={lang}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    if name == "district-map":
        page.wait_for_selector("#map path.leaflet-interactive", state="attached")
    if page.locator(".js-plotly-plot").count():
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", page.locator("main").inner_text()), "no Chinese on the page"
    page.screenshot(path=str(artifacts / f"{name}-{lang}.png"), full_page=True)
    assert not page.problems, page.problems


def test_server_refuses_anonymous_reads_and_runs(server: Server) -> None:
    """The served API: an anonymous read is a 401, an anonymous run is refused (403: the CSRF
    check comes first) and no job is created."""
    assert httpx.get(f"{server.url}/api/jobs", timeout=10).status_code == 401
    answer = httpx.post(f"{server.url}/api/jobs", json={"kind": "assess", "district": "small"}, timeout=10)
    assert answer.status_code in (401, 403), answer.text
