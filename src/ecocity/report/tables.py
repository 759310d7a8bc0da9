"""The report's tables as plain rows of already formatted text, ready for the template.

Pure: a ``results`` dict and the :class:`~ecocity.report.labels.Labels` of one language in,
lists and dicts of strings out. Missing parts give "—" (or an empty list the template words as
"no results"), never an error. The template escapes every string.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ecocity.report import formatting
from ecocity.report.formatting import DASH
from ecocity.report.labels import Labels, indicator_sort_key


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and its status (``"pass"``, ``"fail"`` or ``"none"``)."""

    text: str
    status: str = "none"

    @property
    def mark(self) -> str:
        """✔ or ✘ (for printing in black and white), empty without a target."""
        return {"pass": "✔", "fail": "✘"}.get(self.status, "")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator across the scenarios."""

    name: str
    scope: str
    label: str
    target: str
    cells: tuple[Cell, ...]


def _natural_key(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _status(passed: bool | None) -> str:
    return "none" if passed is None else ("pass" if passed else "fail")


def header(results: dict, labels: Labels) -> dict:
    """District, area, subcatchments, rainfall, targets, date and versions as text."""
    district = results.get("district") or {}
    rain = district.get("rainfall") or {}
    targets = district.get("targets") or {}
    years = labels.text("years_unit")

    def period(key: str) -> str:
        value = targets.get(key)
        return DASH if value is None else f"{value:g} {years}"

    rainfall = rain.get("file") or DASH
    if rain.get("years") is not None and rain.get("step_min") is not None:
        rainfall += "; " + labels.text("rainfall_detail", years=rain["years"], step=rain["step_min"],
                                       mean=formatting.number(rain.get("annual_mean_mm"), 1))
    created = str(results.get("created_utc") or DASH).replace("T", " ").replace("Z", " UTC")
    engines = ", ".join(f"{name} {version}" for name, version in (results.get("engine") or {}).items())
    return {
        "district": district.get("name") or DASH,
        "crs": district.get("crs") or DASH,
        "area": formatting.area(district.get("area_m2")),
        "n_subcatchments": formatting.number(district.get("n_subcatchments")),
        "rainfall": rainfall,
        "synthetic": bool(rain.get("synthetic")),
        "targets": [
            (labels.text("target_capture_ratio"), formatting.target(
                targets.get("capture_ratio"), "-", "percent", ">=", labels.language)),
            (labels.text("target_tss_reduction"), formatting.target(
                targets.get("tss_reduction"), "-", "percent", ">=", labels.language)),
            (labels.text("target_pipe"), period("pipe_return_period_yr")),
            (labels.text("target_waterlogging"), period("waterlogging_return_period_yr")),
        ],
        "created": created,
        "versions": ", ".join(filter(None, [f"ecocity {results.get('ecocity_version', DASH)}", engines])),
    }


def _indicator_rows(results: dict, labels: Labels, scopes: list[str]) -> list[IndicatorRow]:
    """Rows for every (scope, indicator name) found in ``scopes``, columns in scenario order."""
    scenarios = results["scenarios"]
    found: dict[tuple[str, str], list[dict | None]] = {}
    for col, scenario in enumerate(scenarios):
        for item in scenario.get("indicators") or []:
            if item.get("scope", "district") in scopes:
                key = (item.get("scope", "district"), item["name"])
                found.setdefault(key, [None] * len(scenarios))[col] = item
    order = labels.indicator_order()
    keys = sorted(found, key=lambda k: (scopes.index(k[0]), indicator_sort_key(k[1], order)))
    rows = []
    for scope, name in keys:
        label = labels.indicator(name)
        items = found[(scope, name)]
        first = next(i for i in items if i is not None)
        target = next((i.get("target") for i in items if i is not None and i.get("target") is not None), None)
        cells = tuple(
            Cell(DASH) if item is None else
            Cell(formatting.value(item.get("value"), item.get("unit", ""), label.format, labels.language),
                 _status(item.get("passed")))
            for item in items)
        rows.append(IndicatorRow(name, scope, label.text, formatting.target(
            target, first.get("unit", ""), label.format, label.direction, labels.language), cells))
    return rows


def summary_rows(results: dict, labels: Labels) -> list[IndicatorRow]:
    """District indicators as rows, scenarios as columns."""
    return _indicator_rows(results, labels, ["district"])


def sub_area_tables(results: dict, labels: Labels) -> list[tuple[str, list[IndicatorRow]]]:
    """Per sub-area: its own indicators, then those of its subcatchments.

    Sub-areas come in the map's order. A subcatchment's sub-area comes from the map;
    subcatchments the map does not place are grouped under "—".
    """
    sub_area_of = {s["id"]: s.get("sub_area") or DASH for s in (results.get("map") or {}).get("subcatchments", [])}
    scopes_by_group: dict[str, set[str]] = defaultdict(set)
    for scenario in results["scenarios"]:
        for item in scenario.get("indicators") or []:
            kind, _, where = item.get("scope", "district").partition(":")
            if kind == "sub_area":
                scopes_by_group[where].add(item["scope"])
            elif kind == "subcatchment":
                scopes_by_group[sub_area_of.get(where, DASH)].add(item["scope"])
    map_order = list(dict.fromkeys(sub_area_of.values()))
    groups = sorted(scopes_by_group, key=lambda g: (map_order.index(g) if g in map_order else len(map_order),
                                                    _natural_key(g)))
    tables = []
    for group in groups:
        scopes = sorted(scopes_by_group[group], key=lambda s: (not s.startswith("sub_area:"), _natural_key(s)))
        tables.append((group, _indicator_rows(results, labels, scopes)))
    return tables


def scope_label(scope: str, labels: Labels) -> str:
    """"sub_area:North" → "Sub-area North"; "subcatchment:S3" → "Subcatchment S3"."""
    kind, _, where = scope.partition(":")
    return f"{labels.text(kind)} {where}" if where else labels.text(kind)


def flooding_table(results: dict) -> dict | None:
    """Flooded nodes as rows, scenarios as columns, each cell "volume m³ · hours h".

    None when no scenario has flooding results.
    """
    scenarios = results["scenarios"]
    floods = [s.get("flooding") for s in scenarios]
    if all(f is None for f in floods):
        return None
    nodes = sorted({n["node"] for f in floods if f for n in f.get("nodes") or []}, key=_natural_key)
    rows = []
    for node in nodes:
        cells = []
        for flood in floods:
            hit = next((n for n in (flood or {}).get("nodes") or [] if n["node"] == node), None)
            cells.append(DASH if flood is None or hit is None else
                         f"{formatting.number(hit.get('volume_m3'))} m³ · {formatting.number(hit.get('hours'), 1)} h")
        rows.append((node, cells))
    totals = [DASH if f is None else f"{formatting.number(sum(n.get('volume_m3') or 0.0 for n in f.get('nodes') or []))} m³"
              for f in floods]
    periods = sorted({float(f["return_period_yr"]) for f in floods if f and f.get("return_period_yr") is not None})
    return {"return_periods_yr": periods, "rows": rows, "totals": totals}


LID_BALANCE_COLUMNS = ("inflow", "evaporation", "infiltration", "surface_outflow", "drain_outflow", "storage_change")


def lid_balance_header(labels: Labels) -> list[str]:
    """Column headings of the LID water-balance table."""
    return [labels.text("scenario"), labels.text("measure_lid"), labels.text("lid_area"),
            labels.text("lid_inflow"), labels.text("lid_evaporation"), labels.text("lid_infiltration"),
            labels.text("lid_surface_outflow"), labels.text("lid_drain_outflow"),
            labels.text("lid_storage_change")]  # fmt: skip


def lid_balance_rows(results: dict, labels: Labels) -> list[dict]:
    """Per scenario and LID type: area and annual water balance [m³/yr], formatted."""
    rows = []
    for scenario in results["scenarios"]:
        for item in scenario.get("lid_water_balance") or []:
            rows.append({
                "scenario": scenario["name"],
                "lid": labels.lid(item["lid"]),
                "area": formatting.number(item.get("area_m2")),
                "values": [formatting.number(item.get(f"{c}_m3_per_yr")) for c in LID_BALANCE_COLUMNS],
            })  # fmt: skip
    return rows


def cost_rows(results: dict, labels: Labels) -> list[dict]:
    """Per scenario: capital cost range, mid, and cost per m³ of annual runoff retained."""
    rows = []
    for scenario in results["scenarios"]:
        cost = scenario.get("cost") or {}
        rows.append({
            "scenario": scenario["name"],
            "range": formatting.money_range(cost.get("capital_yuan_low"), cost.get("capital_yuan_high"),
                                            labels.language),
            "mid": formatting.money(cost.get("capital_yuan_mid"), labels.language),
            "per_m3": formatting.yuan_per_m3(cost.get("per_m3_retained_yuan"), labels.language),
        })
    return rows


def cost_by_lid_rows(results: dict, labels: Labels) -> list[tuple[str, list[str]]]:
    """LID types as rows, scenarios as columns: "quantity unit: low–high"."""
    scenarios = results["scenarios"]
    by_lid = [(s.get("cost") or {}).get("by_lid") or [] for s in scenarios]
    lids = list(dict.fromkeys(item["lid"] for items in by_lid for item in items))
    rows = []
    for lid in lids:
        cells = []
        for items in by_lid:
            hit = next((i for i in items if i["lid"] == lid), None)
            cells.append(DASH if hit is None else
                         f"{formatting.number(hit.get('quantity'))} {labels.unit(hit.get('unit', ''))}: "
                         + formatting.money_range(hit.get("yuan_low"), hit.get("yuan_high"), labels.language))
        rows.append((labels.lid(lid), cells))
    return rows


def measure_rows(scenario: dict, labels: Labels) -> list[tuple[str, str, str]]:
    """A scenario's measures: LID name, where, area [m²]."""
    return [(labels.lid(m["lid"]), m.get("where") or DASH, formatting.number(m.get("area_m2")))
            for m in scenario.get("measures") or []]


def source_rows(results: dict, labels: Labels) -> list[dict]:
    """Every cited constant with its value, source, confidence mark and what the mark means."""
    return [{"item": s.get("item") or DASH, "value": s.get("value") or DASH,
             "source": s.get("source") or DASH, "confidence": s.get("confidence") or DASH,
             "meaning": labels.confidence(s.get("confidence") or "")}
            for s in results.get("sources") or []]
