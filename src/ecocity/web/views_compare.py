"""Scenario comparison: the view model of ``/districts/{name}/compare`` and its JSON API.

Pure functions over a results document (``results.json``, :mod:`ecocity.results`): the district
indicators of every scenario against the targets, and the difference of two scenarios
(b − a, absolute and relative, and which of the two meets each target). The page's text comes
from the report's bilingual labels (:class:`~ecocity.report.labels.Labels`) and its number
formats (:mod:`ecocity.report.formatting`); the figures are the report's plotly builders.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np

from ecocity.report import figures, formatting, tables
from ecocity.report.formatting import DASH
from ecocity.report.labels import Labels, indicator_sort_key
from ecocity.web.i18n import translate

#: Formats whose values are ratios [-]: their difference is in percentage points.
_RATIO_FORMATS = {"percent"}
_POINTS = {"en": "pp", "zh": "个百分点"}


class UnknownScenario(LookupError):
    """A scenario name the results document does not hold (the message names the known ones)."""


def scenario_names(document: dict) -> list[str]:
    """Names of the document's scenarios, the baseline first."""
    return [str(s["name"]) for s in document.get("scenarios") or []]


def find_scenario(document: dict, name: str) -> dict:
    """The scenario called ``name``.

    Raises
    ------
    UnknownScenario
        No scenario of that name; the message lists the known names.
    """
    for scenario in document.get("scenarios") or []:
        if scenario.get("name") == name:
            return scenario
    known = ", ".join(scenario_names(document)) or "none"
    raise UnknownScenario(f"no scenario {name!r} in the results; known scenarios: {known}")


def default_pair(document: dict) -> tuple[str, str]:
    """The pair a comparison opens with: the baseline and the first other scenario (or itself)."""
    names = scenario_names(document)
    if not names:
        raise UnknownScenario("the results hold no scenarios")
    return names[0], names[1] if len(names) > 1 else names[0]


def _district_indicators(scenario: dict) -> dict[str, dict]:
    return {i["name"]: i for i in scenario.get("indicators") or [] if i.get("scope", "district") == "district"}


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# --- JSON API ------------------------------------------------------------------------------------


def scenarios_payload(document: dict) -> dict[str, Any]:
    """``/api/districts/{name}/scenarios``: every scenario's district indicators, measures and cost.

    Values are in the units the indicators name (ratios as fractions [-], volumes [m³], costs
    [yuan]); ``passed`` is None where an indicator has no target.
    """
    district = document.get("district") or {}
    return {
        "district": district.get("name"),
        "targets": district.get("targets") or {},
        "scenarios": [
            {"name": s["name"], "description": s.get("description") or "", "run_id": s.get("run_id"),
             "cached": bool(s.get("cached")), "measures": list(s.get("measures") or []),
             "indicators": list(_district_indicators(s).values()), "cost": s.get("cost")}
            for s in document.get("scenarios") or []
        ],
    }  # fmt: skip


def _change(a_passed: bool | None, b_passed: bool | None) -> str:
    """How meeting the target changes from a to b: ``now_meets``, ``no_longer_meets``,
    ``both_meet``, ``neither_meets`` or ``no_target``."""
    if a_passed is None and b_passed is None:
        return "no_target"
    if bool(a_passed) and bool(b_passed):
        return "both_meet"
    if b_passed and not a_passed:
        return "now_meets"
    if a_passed and not b_passed:
        return "no_longer_meets"
    return "neither_meets"


def _better(difference: float | None, direction: str | None) -> bool | None:
    """Whether b is better than a for an indicator whose target direction is ``direction``."""
    if difference is None or direction not in (">=", "<=") or difference == 0.0:
        return None
    return difference > 0.0 if direction == ">=" else difference < 0.0


def compare_payload(document: dict, a: str, b: str) -> dict[str, Any]:
    """``/api/districts/{name}/compare?a=&b=``: the district indicators of ``a`` and ``b``.

    Each row: ``name``, ``unit``, ``target``, ``direction`` (``">="``: higher is better),
    ``a`` / ``b`` (``value``, ``passed``), ``difference`` (b − a, in the indicator's unit),
    ``relative`` ((b − a)/|a| [-], None when a is 0 or missing), ``better`` (b better than a
    by the target's direction, None without one or when equal) and ``change`` in meeting
    the target (see :func:`_change`). Also the capital costs [yuan] of both.

    Raises
    ------
    UnknownScenario
        ``a`` or ``b`` is not a scenario of the document.
    """
    first, second = find_scenario(document, a), find_scenario(document, b)
    ia, ib = _district_indicators(first), _district_indicators(second)
    labels = Labels("en")
    order = labels.indicator_order()
    rows = []
    for name in sorted(set(ia) | set(ib), key=lambda n: indicator_sort_key(n, order)):
        x, y = ia.get(name) or {}, ib.get(name) or {}
        va, vb = _number(x.get("value")), _number(y.get("value"))
        difference = None if va is None or vb is None else vb - va
        relative = None if difference is None or va == 0.0 else difference / abs(va)
        direction = labels.indicator(name).direction
        target = x.get("target") if x.get("target") is not None else y.get("target")
        rows.append({
            "name": name, "unit": x.get("unit") or y.get("unit") or "", "target": target, "direction": direction,
            "a": {"value": va, "passed": x.get("passed")}, "b": {"value": vb, "passed": y.get("passed")},
            "difference": difference, "relative": relative, "better": _better(difference, direction),
            "change": _change(x.get("passed"), y.get("passed")),
        })  # fmt: skip
    cost_a, cost_b = first.get("cost") or {}, second.get("cost") or {}
    return {"a": a, "b": b, "rows": rows,
            "capital_yuan_mid": {"a": cost_a.get("capital_yuan_mid"), "b": cost_b.get("capital_yuan_mid")}}


# --- page ------------------------------------------------------------------------------------------


def _signed(text: str, difference: float) -> str:
    return text if difference < 0 or text == DASH else f"+{text}"


def format_difference(difference: float | None, unit: str, fmt: str | None, language: str) -> str:
    """b − a in the indicator's format with its sign; ratios in percentage points ("+12.3 pp")."""
    if difference is None:
        return DASH
    if fmt in _RATIO_FORMATS or (fmt is None and unit in {"-", ""}):
        return _signed(f"{100.0 * difference:,.1f} {_POINTS[language]}", difference)
    return _signed(formatting.value(difference, unit, fmt, language), difference)


def difference_rows(document: dict, a: str, b: str, labels: Labels) -> list[dict[str, Any]]:
    """The difference table of the page: per district indicator, formatted text for a, b,
    b − a, relative change, the pass/fail status of each and the change in meeting the target."""
    rows = []
    for row in compare_payload(document, a, b)["rows"]:
        label = labels.indicator(row["name"])
        unit, lang = row["unit"], labels.language

        def cell(side: dict, _label=label, _unit=unit, _lang=lang) -> dict[str, str]:
            status = "none" if side["passed"] is None else ("pass" if side["passed"] else "fail")
            return {"text": formatting.value(side["value"], _unit, _label.format, _lang), "status": status}

        relative = row["relative"]
        rows.append({
            "name": row["name"], "label": label.text,
            "target": formatting.target(row["target"], unit, label.format, label.direction, lang),
            "a": cell(row["a"]), "b": cell(row["b"]),
            "difference": format_difference(row["difference"], unit, label.format, lang),
            "relative": DASH if relative is None else _signed(formatting.percent(relative), relative),
            "better": {True: "better", False: "worse", None: "none"}[row["better"]],
            "change": row["change"],
        })  # fmt: skip
    return rows


def equivalent_depths_mm(document: dict) -> list[tuple[int, str, float, float | None]]:
    """Per scenario: (index, name, district capture ratio [-], equivalent design rainfall depth [mm]).

    The equivalent depth is where the district's capture-ratio curve reaches the scenario's
    capture ratio (linear interpolation; the curve rises with depth): the design rainfall depth
    the scenario controls, as GB/T 51345-2018 relates the two. None above the curve's range.
    """
    curve = document.get("capture_curve") or {}
    depth, ratio = list(curve.get("depth_mm") or []), list(curve.get("capture_ratio") or [])
    out = []
    for index, scenario in enumerate(document.get("scenarios") or []):
        value = _number((_district_indicators(scenario).get("capture_ratio") or {}).get("value"))
        if value is None:
            continue
        equivalent = None
        if len(depth) > 1 and ratio[0] <= value <= ratio[-1]:
            equivalent = float(np.interp(value, ratio, depth))
        out.append((index, str(scenario["name"]), value, equivalent))
    return out


def capture_curve_with_scenarios(document: dict, labels: Labels) -> dict:
    """The report's capture-ratio curve with each scenario's capture ratio marked at its
    equivalent design rainfall depth (:func:`equivalent_depths_mm`)."""
    figure = figures.capture_curve_figure(document, labels)
    for index, name, value, depth_mm in equivalent_depths_mm(document):
        if depth_mm is None:
            continue
        figure["data"].append({
            "type": "scatter", "mode": "markers", "x": [depth_mm], "y": [value],
            "name": translate("{scenario}: {ratio}, equivalent design depth {depth} mm", labels.language,
                              scenario=escape(name, quote=False), ratio=formatting.percent(value),
                              depth=formatting.number(depth_mm, 1)),
            "marker": {"size": 11, "color": figures.scenario_colour(index), "symbol": "diamond",
                       "line": {"width": 1, "color": "white"}},
        })  # fmt: skip
    return figure


def page_figures(document: dict, labels: Labels) -> dict[str, Any]:
    """The page's plotly figures: capture-ratio curve (with the scenarios marked), design storm,
    one hydrograph per return period, and costs; an absent input gives None (or no hydrograph)."""
    scenarios = document.get("scenarios") or []
    return {
        "capture_curve": capture_curve_with_scenarios(document, labels) if document.get("capture_curve") else None,
        "hyetograph": figures.hyetograph_figure(document, labels) if document.get("design_storm") else None,
        "hydrographs": [figures.hydrograph_figure(document, p, labels) for p in figures.return_periods_yr(document)],
        "costs": figures.cost_figure(document, labels) if any(s.get("cost") for s in scenarios) else None,
    }


def sub_area_rows(document: dict, labels: Labels) -> list[tuple[str, list[tables.IndicatorRow]]]:
    """Per drainage sub-area: its own indicators across the scenarios (its subcatchments'
    are left to the map)."""
    out = []
    for group, rows in tables.sub_area_tables(document, labels):
        own = [row for row in rows if row.scope.startswith("sub_area:")]
        if own:
            out.append((group, own))
    return out


def page_context(document: dict, labels: Labels, a: str, b: str) -> dict[str, Any]:
    """Everything the comparison template shows, for scenarios ``a`` and ``b``.

    Raises
    ------
    UnknownScenario
        ``a`` or ``b`` is not a scenario of the document.
    """
    for name in (a, b):
        find_scenario(document, name)
    return {
        "scenario_names": scenario_names(document),
        "a": a,
        "b": b,
        "summary": tables.summary_rows(document, labels),
        "sub_areas": sub_area_rows(document, labels),
        "differences": difference_rows(document, a, b, labels),
        "costs": tables.cost_rows(document, labels),
        "figures": page_figures(document, labels),
        "header": tables.header(document, labels),
        "notes": list(document.get("notes") or []),
    }
