"""Write the district report: one self-contained HTML file, or a PDF.

The figures and tables come from pure functions (:mod:`~ecocity.report.figures`,
:mod:`~ecocity.report.maps`, :mod:`~ecocity.report.tables`); this module only puts them into
the jinja2 template (autoescaped) with plotly.js inlined, so the file opens offline. For the
PDF (:mod:`~ecocity.report.pdf`) the same template is rendered with ``static=True``: the
figures are matplotlib PNGs (:mod:`~ecocity.report.static_figures`) and a print stylesheet
replaces the JavaScript.

The template is one partial per section (``templates/sections/<name>.html``), listed in
:data:`SECTIONS` with its anchor, title and when it is shown; the sections are numbered in
that order and the table of contents is made from the same list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from plotly.offline import get_plotlyjs

from ecocity.errors import InputError
from ecocity.report import figures, maps, tables
from ecocity.report.labels import Labels

REPORT_FILE_NAME = "report.html"
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                  "toImageButtonOptions": {"format": "png", "scale": 2}}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ecocity.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Section:
    """One section of the report: its anchor (HTML id), title (a label key), template and
    whether it is shown for a results document."""

    anchor: str
    title: str
    template: str
    shown: Callable[[dict], bool] = lambda results: True


#: The report's sections in order (the header, with the contents, first).
SECTIONS: list[Section] = [
    Section("header", "header", "sections/header.html"),
    Section("summary", "summary", "sections/summary.html"),
    Section("map", "map", "sections/map.html"),
    Section("capture-curve", "capture_curve", "sections/capture_curve.html"),
    Section("water-balance", "water_balance", "sections/water_balance.html"),
    Section("storms", "storms", "sections/storms.html"),
    Section("sub-areas", "sub_areas", "sections/sub_areas.html"),
    Section("flooding", "flooding", "sections/flooding.html"),
    Section("costs", "costs", "sections/costs.html"),
    Section("wastewater", "wastewater", "sections/wastewater.html", lambda r: bool(r.get("wastewater"))),
    Section("buildings", "buildings", "sections/buildings.html", lambda r: bool(r.get("buildings"))),
    Section("climate", "climate", "climate.html", lambda r: bool(r.get("climate"))),
    Section("optimisation", "optimisation", "optimisation.html", lambda r: bool(r.get("optimisation"))),
    Section("sources", "sources", "sections/sources.html"),
]


def _check(results: dict) -> None:
    scenarios = results.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        raise InputError("results must hold a non-empty list of scenarios", field="scenarios")
    for k, scenario in enumerate(scenarios):
        if not isinstance(scenario, dict) or not scenario.get("name"):
            raise InputError("every scenario needs a name", record=f"scenarios[{k}]", field="name")


def _figures(results: dict, labels: Labels) -> dict:
    """Every figure the template draws, by section; an absent input gives no figure."""
    periods = figures.return_periods_yr(results)
    return {
        "indicator_bars": figures.indicator_bars_figure(results, labels),
        "maps": maps.map_figures(results, labels),
        "capture_curve": figures.capture_curve_figure(results, labels) if results.get("capture_curve") else None,
        "water_balance": figures.water_balance_figure(results, labels)
        if any(s.get("water_balance_mm") for s in results["scenarios"]) else None,
        "hyetograph": figures.hyetograph_figure(results, labels) if results.get("design_storm") else None,
        "hydrographs": [figures.hydrograph_figure(results, p, labels) for p in periods],
        "costs": figures.cost_figure(results, labels)
        if any(s.get("cost") for s in results["scenarios"]) else None,
        **_plant_figures(results.get("wastewater"), labels),
        **_building_figures(results.get("buildings"), labels),
    }


def _building_figures(section: dict | None, labels: Labels) -> dict:
    """The buildings section's map, EUI chart and one savings chart per building with savings."""
    if not section or not section.get("buildings"):
        return {"buildings_map": None, "buildings_eui": None, "buildings_savings": []}
    from ecocity.report import buildings_figures as bf

    language = labels.language
    return {"buildings_map": bf.portfolio_map(section, language),
            "buildings_eui": bf.eui_chart(section, language),
            "buildings_savings": [(row["building_id"], bf.savings_chart(row, language))
                                  for row in section["buildings"]
                                  if row.get("savings") and row["savings"].get("daily")]}


def _plant_figures(plant: dict | None, labels: Labels) -> dict:
    """The plant-wide section's Sankey of the energy flows and GHG bars (a BSM2 plant only)."""
    if not plant or not plant.get("energy") or not plant.get("ghg") or "gas_energy_kwh_per_d" not in plant["energy"]:
        return {"plant_energy": None, "plant_ghg": None}
    from ecocity.report.plant_energy import energy_sankey, ghg_bars

    def plain(figure) -> dict:
        return json.loads(figure.to_json())

    return {"plant_energy": plain(energy_sankey(plant["energy"], labels.language)),
            "plant_ghg": plain(ghg_bars(plant["ghg"], labels.language))}  # fmt: skip


def _building_rows(section: dict | None, labels: Labels) -> list[dict]:
    if not section or not section.get("buildings"):
        return []
    from ecocity.report.buildings_figures import table_rows

    return table_rows(section, labels.language)


def _climate(results: dict, labels: Labels) -> list[dict]:
    """The climate-change section's figures and tables ([] without a ``climate`` section)."""
    if not results.get("climate"):
        return []
    from ecocity.report.climate_figures import climate_view

    return climate_view(results, labels)


def _optimisation(results: dict, labels: Labels) -> dict | None:
    """The optimisation section's view (None without an ``optimisation`` key)."""
    if not results.get("optimisation"):
        return None
    from ecocity.report.optimisation import optimisation_view

    return optimisation_view(results, labels.language)


def _static_png(language: str) -> Callable[[dict], str]:
    """The PDF's drawing of a plotly figure that has no matplotlib drawing of its own."""

    def draw(figure: dict) -> str:
        from ecocity.report.static_figures import figure_style, plotly_png

        with figure_style(language):
            return plotly_png(figure)

    return draw


def report_html(results: dict, *, language: str = "en", static: bool = False) -> str:
    """The report for ``results`` as one HTML document (a string).

    With ``static`` the figures are PNG images drawn with matplotlib and the print stylesheet
    is included: the document WeasyPrint turns into the PDF (no JavaScript).

    Raises
    ------
    InputError
        If ``results`` has no scenarios, a scenario has no name, or ``language`` is not
        ``"en"`` or ``"zh"``.
    """
    _check(results)
    labels = Labels(language)
    scenarios = results["scenarios"]
    if static:
        from ecocity.report.static_figures import report_figures

        drawn = report_figures(results, labels)
    else:
        drawn = _figures(results, labels)
    return _environment().get_template("report.html").render(
        L=labels,
        lang="zh-CN" if language == "zh" else "en",
        results=results,
        scenarios=scenarios,
        header=tables.header(results, labels),
        summary=tables.summary_rows(results, labels),
        measures=[(s, tables.measure_rows(s, labels)) for s in scenarios],
        sub_areas=tables.sub_area_tables(results, labels),
        scope_label=lambda scope: tables.scope_label(scope, labels),
        flooding=tables.flooding_table(results),
        costs=tables.cost_rows(results, labels),
        lid_balance=tables.lid_balance_rows(results, labels),
        lid_balance_header=tables.lid_balance_header(labels),
        cost_by_lid=tables.cost_by_lid_rows(results, labels),
        sources=tables.source_rows(results, labels),
        figures=drawn,
        static=static,
        static_png=_static_png(language),
        sections=[s for s in SECTIONS if s.shown(results)],
        buildings=_building_rows(results.get("buildings"), labels),
        opt=_optimisation(results, labels),
        climate=_climate(results, labels),
        plotly_config=_PLOTLY_CONFIG,
        plotly_js="" if static else get_plotlyjs(),
    )


def render_report(results: dict, path: Path, *, language: str = "en") -> Path:
    """Write the sponge-city assessment report of ``results`` as one self-contained HTML file.

    Parameters
    ----------
    results
        What ``ecocity assess`` writes as ``results.json`` (district, capture curve, scenarios
        with indicators, water balance, costs, design storms and flooding, map, sources). Optional
        parts that are missing or null are shown as "—".
    path
        The HTML file to write; if it is an existing folder, ``report.html`` inside it. Missing
        parent folders are created.
    language
        ``"en"`` (English) or ``"zh"`` (中文).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        If ``results`` has no scenarios, a scenario has no name, or the language is unknown.
    """
    path = Path(path)
    target = path / REPORT_FILE_NAME if path.is_dir() else path
    html = report_html(results, language=language)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
