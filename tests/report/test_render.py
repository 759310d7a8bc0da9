"""The written report: one self-contained file, every section, the marks the results carry."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from ecocity import InputError
from ecocity.report import render_report, report_html
from ecocity.report.labels import Labels

SECTION_KEYS = ("header", "summary", "map", "capture_curve", "water_balance", "storms",
                "sub_areas", "flooding", "costs", "sources")


class _Page(HTMLParser):
    """Collects external references, headings and the status of indicator cells."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.headings: list[str] = []
        self.rows: dict[str, list[str]] = {}  # summary-table indicator → cell statuses
        self._heading: list[str] | None = None
        self._in_summary = False
        self._row: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (tag == "script" and attrs.get("src")) or (tag == "link" and attrs.get("href")) \
                or (tag in ("img", "iframe") and attrs.get("src")):
            self.external.append(f"{tag}: {attrs}")
        if tag == "h2":
            self._heading = []
        if tag == "table" and attrs.get("id") == "summary-table":
            self._in_summary = True
        if self._in_summary and tag == "tr" and "data-indicator" in attrs:
            self._row = attrs["data-indicator"]
            self.rows[self._row] = []
        if self._row and tag == "td" and "data-status" in attrs:
            self.rows[self._row].append(attrs["data-status"])

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        if tag == "table":
            self._in_summary = False
            self._row = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


@pytest.fixture
def page(results, tmp_path):
    path = render_report(results, tmp_path / "out" / "report.html")
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_report_is_written_where_asked(results, tmp_path):
    path = render_report(results, tmp_path / "a" / "b" / "report.html")
    assert path == tmp_path / "a" / "b" / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert render_report(results, tmp_path) == tmp_path / "report.html"  # a folder: report.html in it


def test_report_is_self_contained(results, page):
    assert page.external == []
    html = report_html(results)
    assert "Plotly.newPlot(" in html and "@import" not in html and "@font-face" not in html


def test_every_section_heading_in_order(page):
    labels = Labels("en")
    expected = [f"{k} {labels.text(key)}" for k, key in enumerate(SECTION_KEYS, start=1)]
    assert page.headings == expected


def test_every_scenario_is_named(results):
    html = report_html(results)
    for scenario in results["scenarios"]:
        assert f"<th scope=\"col\">{scenario['name']}" in html
        assert scenario["description"] in html


def test_summary_marks_follow_the_results_passed_values(results, page):
    expected: dict[str, list[str]] = {}
    for scenario in results["scenarios"]:
        for item in scenario["indicators"]:
            if item["scope"] == "district":
                status = {True: "pass", False: "fail", None: "none"}[item["passed"]]
                expected.setdefault(item["name"], []).append(status)
    assert page.rows == expected
    assert {"pass", "fail", "none"} <= {s for row in expected.values() for s in row}


def test_pass_and_fail_carry_a_printable_mark(results):
    html = report_html(results)
    baseline, combined = (next(i["value"] for i in results["scenarios"][k]["indicators"]
                               if i["name"] == "capture_ratio") for k in (0, 3))
    assert f'data-status="fail">{100 * baseline:.1f} % <span class="mark">✘</span>' in html
    assert f'data-status="pass">{100 * combined:.1f} % <span class="mark">✔</span>' in html


def test_synthetic_rainfall_shows_the_badge(results):
    assert "SYNTHETIC rainfall — illustrative" in report_html(results)
    results["district"]["rainfall"]["synthetic"] = False
    assert "SYNTHETIC" not in report_html(results)


def test_chinese_report_has_chinese_labels(results, tmp_path):
    html = render_report(results, tmp_path / "report.html", language="zh").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for text in ("海绵城市评估报告", "汇总：片区指标", "年径流总量控制率", "排口峰值流量削减率 (P = 3 年)",
                 "合成降雨 — 仅作示意", "万元", "数据来源"):
        assert text in html
    assert "Summary: district indicators" not in html


def test_user_text_is_escaped(results):
    results["scenarios"][1]["name"] = "<script>alert(1)</script>"
    results["scenarios"][1]["description"] = "roofs & <b>yards</b>"
    html = report_html(results)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "roofs &amp; &lt;b&gt;yards&lt;/b&gt;" in html


def test_missing_optional_parts_render_as_dash(results):
    results["district"]["targets"]["tss_reduction"] = None
    for scenario in results["scenarios"]:
        scenario["flooding"] = None
        scenario["cost"] = None
        scenario["design_storms"] = []
    results["scenarios"][2]["water_balance_mm"] = None
    results["sources"] = []
    results["map"] = None
    del results["capture_curve"], results["design_storm"]
    html = report_html(results)
    assert "TSS load reduction: <b>—</b>" in html
    for text in ("No flooding results.", "No cost results.", "No design-storm runs in these results.",
                 "No sources listed."):
        assert text in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_results_holding_only_named_scenarios_still_render(language):
    html = report_html({"scenarios": [{"name": "baseline"}, {"name": "plan A"}]}, language=language)
    assert "plan A" in html and "—" in html


def test_flooding_without_flooded_nodes_says_so(results):
    for scenario in results["scenarios"]:
        scenario["flooding"]["nodes"] = []
    html = report_html(results)
    assert "no node floods" in html and "0 m³" in html


def test_unknown_indicator_is_shown_by_its_key(results):
    results["scenarios"][0]["indicators"].append(
        {"name": "groundwater_recharge_mm", "value": 41.5, "unit": "mm", "scope": "district",
         "target": None, "passed": None, "source": "test"})
    assert "groundwater_recharge_mm" in report_html(results)


def test_sub_area_tables_group_subcatchments_under_their_sub_area(results):
    html = report_html(results)
    for sub_area in ("North", "Centre", "South"):
        assert f'data-sub-area="{sub_area}"' in html
    assert 'data-scope="subcatchment:S10"' in html.split('data-sub-area="South"')[1]


def test_results_without_scenarios_are_an_input_error(results):
    results["scenarios"] = []
    with pytest.raises(InputError, match="field 'scenarios'"):
        report_html(results)


def test_report_renders_a_lid_without_guide_unit_cost(results):
    combined = results["scenarios"][3]["cost"]["by_lid"]
    assert any(i["yuan_low"] is None for i in combined)  # the fixture's infiltration trench
    html = report_html(results)
    assert "Infiltration trench (no Guide unit cost)" in html


def test_report_renders_subcatchments_without_polygons(results):
    results["map"]["subcatchments"][0]["polygon"] = []
    assert "1 of 12 subcatchments have no outline" in report_html(results)
    for sub in results["map"]["subcatchments"]:
        sub["polygon"] = []
    assert 'id="map"' in report_html(results)
