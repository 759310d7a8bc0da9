"""Wastewater plant: the view model of ``/districts/{name}/plant`` and its JSON API.

Pure functions over the plant section of a results document (``results.json["wastewater"]``,
:func:`ecocity.results.wastewater_section`): effluent against the discharge standards, the
energy flows (the report's Sankey), self-sufficiency and the greenhouse-gas account of a
plant-wide BSM2 run, or the effluent and energy per m³ of a BSM1 run. Also the "plant variant"
form: the planner options of :class:`ecocity.wastewater.bsm2_plant.Bsm2Options`, checked
before a job is queued.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from functools import lru_cache
from typing import Any

from ecocity.errors import InputError
from ecocity.report import formatting
from ecocity.report.formatting import DASH
from ecocity.report.labels import Labels

#: The variant form's numeric fields: (option, unit, step). Ranges are the options' own.
NUMERIC_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("do_setpoint_g_per_m3", "g O₂/m³", "0.1"),
    ("wastage_m3_per_d", "m³/d", "1"),
    ("ammonia_setpoint_g_per_m3", "g N/m³", "0.05"),
    ("codigestion_kg_cod_per_d", "kg COD/d", "100"),
)
#: The variant form's switches.
SWITCH_OPTIONS: tuple[str, ...] = ("ammonia_control", "thermal_hydrolysis")


class NoPlant(LookupError):
    """The results document has no plant section (the district links no plant)."""


def plant_section(document: dict) -> dict:
    """The document's plant section.

    Raises
    ------
    NoPlant
        The district's results have no ``wastewater`` section.
    """
    section = document.get("wastewater")
    if not section:
        name = (document.get("district") or {}).get("name") or "the district"
        raise NoPlant(f"{name} has no wastewater plant in its results (no wastewater.toml)")
    return section


def is_plantwide(section: dict) -> bool:
    """Whether the section is a plant-wide BSM2 run (digester, energy balance, GHG)."""
    return bool(section.get("digester")) and "gas_energy_kwh_per_d" in (section.get("energy") or {})


def plant_payload(document: dict) -> dict[str, Any]:
    """``/api/districts/{name}/plant``: the plant section as stored (units in the key names)."""
    return dict(plant_section(document))


def _g(value: Any, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    return f"{float(value):,.{decimals}f}"


def _status(status: str) -> str:
    """A compliance status as a CSS/pass-fail class: ``pass``, ``fail`` or ``none``."""
    return status if status in ("pass", "fail") else "none"


def compliance_tables(section: dict, labels: Labels) -> list[dict[str, Any]]:
    """One table per standard: its title, overall status and a row per parameter (limit,
    flow-weighted mean and highest daily mean [g/m³], share of time above the limit [%])."""
    out = []
    for std in section.get("compliance") or []:
        rows = []
        for check in std.get("checks") or []:
            status = str(check.get("status", ""))
            rows.append({
                "parameter": check.get("parameter", ""),
                "limit": _g(check.get("limit_g_per_m3")),
                "mean": _g(check.get("flow_weighted_mean_g_per_m3")),
                "max_daily": _g(check.get("max_daily_mean_g_per_m3")),
                "time_above": _g(check.get("time_above_pct"), 1),
                "status": _status(status),
                "status_text": labels.text("ww_status_" + status.replace(" ", "_")),
                "note": labels.note(check.get("note") or ""),
            })  # fmt: skip
        status = str(std.get("status", ""))
        out.append({"standard": std.get("standard", ""), "title": std.get("title", ""),
                    "source": std.get("source", ""), "status": _status(status),
                    "status_text": labels.text("ww_status_" + status.replace(" ", "_")),
                    "rows": rows, "notes": [labels.note(n) for n in std.get("notes") or []]})
    return out


def facts(section: dict, labels: Labels) -> list[tuple[str, str]]:
    """The plant's key numbers as (label, text) pairs, in the language of ``labels``."""
    window = section.get("window_d") or [None, None]
    basis = (labels.text("ww_steady") if section.get("mode") == "steady_state" or window[0] is None
             else labels.text("ww_window", start=window[0], stop=window[1]))
    options = (section.get("options") or {}).get("label")
    plant = str(section.get("plant", ""))
    plant = f"BSM2 ({plant})" if is_plantwide(section) else plant
    if options and options != "BSM2 default":
        plant += f": {options}"
    rows = [(labels.text("ww_plant"), f"{plant}; {labels.text('ww_influent')}: {section.get('influent', DASH)}; "
                                      f"{labels.text('ww_control')}: {section.get('control', DASH)}"),
            (labels.text("ww_basis"), basis)]  # fmt: skip
    energy, evaluation = section.get("energy") or {}, section.get("evaluation") or {}
    if is_plantwide(section):
        rows.append((labels.text("ww_electricity_per_m3"),
                     f"{_g(energy.get('electricity_kwh_per_m3'), 3)} kWh/m³ ({labels.text('ww_grid_per_m3')} "
                     f"{_g(energy.get('grid_electricity_kwh_per_m3'), 3)} kWh/m³)"))
        rows.append((labels.text("ww_self_sufficiency"), self_sufficiency_text(energy, labels)))
        ghg = section.get("ghg") or {}
        rows.append((labels.text("ww_ghg_net"),
                     f"{_g(ghg.get('net_t_co2e_per_yr'), 0)} {labels.text('ww_t_co2e_per_yr')} "
                     f"({str(ghg.get('gwp', '')).upper()}, {ghg.get('grid', '')} "
                     f"{_g(ghg.get('grid_kg_co2e_per_kwh'), 3)} kg CO₂e/kWh)"))
        d = section["digester"]
        rows.append((labels.text("ww_digester"), labels.text(
            "ww_digester_detail", ph=d.get("pH_mean", math.nan), low=d.get("pH_min", math.nan),
            high=d.get("pH_max", math.nan), ch4=d.get("methane_kg_per_d", math.nan),
            co2=d.get("carbon_dioxide_kg_per_d", math.nan), gas=d.get("biogas_m3_per_d", math.nan))))
        rows.append((labels.text("ww_criteria"),
                     f"EQI {_g(evaluation.get('effluent_quality_index_kg_pu_per_d'), 0)} kg PU/d; "
                     f"OCI {_g(evaluation.get('operational_cost_index'), 0)}"))
    else:
        rows.append((labels.text("ww_energy"), f"{_g(energy.get('kwh_per_m3'), 3)} kWh/m³"))
        eqi = evaluation.get("EQI", evaluation.get("effluent_quality_index_kg_pu_per_d"))
        oci = evaluation.get("OCI", evaluation.get("operational_cost_index"))
        rows.append(("EQI / OCI", f"{_g(eqi, 0)} kg PU/d / {_g(oci, 0)}"))
    if section.get("run_id"):
        cached = f" ({labels.text('cached')})" if section.get("cached") else ""
        rows.append((labels.text("runs"), f"{section['run_id']}{cached}"))
    return rows


def self_sufficiency_text(energy: dict, labels: Labels) -> str:
    """"electricity 100.0 %, heat 99.0 %, total 99.6 %" in the language of ``labels``."""
    return (f"{labels.text('ww_electricity')} {formatting.percent(energy.get('electricity_self_sufficiency'))}, "
            f"{labels.text('ww_heat')} {formatting.percent(energy.get('heat_self_sufficiency'))}, "
            f"{labels.text('ww_total')} {formatting.percent(energy.get('total_self_sufficiency'))}")


def ghg_rows(section: dict, language: str) -> list[tuple[str, str]]:
    """The GHG account by source and the net, as (source, "t CO₂e/yr") text pairs."""
    from ecocity.report.plant_energy import LABELS

    text = LABELS[language]
    ghg = section.get("ghg") or {}
    per_yr = ghg.get("sources_t_co2e_per_yr") or {}
    rows = [(text.get(name, name), _g(value, 1)) for name, value in per_yr.items()]
    rows.append((text["net"], _g(ghg.get("net_t_co2e_per_yr"), 1)))
    return rows


def plant_figures(section: dict, language: str) -> dict[str, Any]:
    """The Sankey of the energy flows and the GHG bars (plotly JSON), None for a BSM1 plant."""
    if not is_plantwide(section) or not section.get("ghg"):
        return {"energy": None, "ghg": None}
    energy, ghg = _figures_json(json.dumps(section["energy"], sort_keys=True),
                                json.dumps(section["ghg"], sort_keys=True), language)
    return {"energy": json.loads(energy), "ghg": json.loads(ghg)}


@lru_cache(maxsize=32)
def _figures_json(energy: str, ghg: str, language: str) -> tuple[str, str]:
    """The two figures as JSON text, kept per plant and language (plotly's figure objects are
    slow to build; the page is read far more often than a plant is run)."""
    from ecocity.report.plant_energy import energy_sankey, ghg_bars

    return (energy_sankey(json.loads(energy), language).to_json(),
            ghg_bars(json.loads(ghg), language).to_json())


def option_bounds() -> dict[str, tuple[float, float]]:
    """The accepted (lower, upper) range of each numeric option of ``Bsm2Options``."""
    from ecocity.wastewater import bsm2_plant

    return dict(bsm2_plant._OPTION_BOUNDS)


def variant_form(section: dict | None) -> dict[str, Any]:
    """The variant form's fields (name, unit, min, max, step, current value) and switches."""
    bounds = option_bounds()
    current = (section or {}).get("options") or {}
    numeric = [{"name": name, "unit": unit, "min": bounds[name][0], "max": bounds[name][1], "step": step,
                "value": current.get(name)} for name, unit, step in NUMERIC_OPTIONS]
    switches = [{"name": name, "checked": bool(current.get(name))} for name in SWITCH_OPTIONS]
    return {"numeric": numeric, "switches": switches}


def variant_options(payload: dict[str, Any]) -> dict[str, Any]:
    """The options of a plant variant, checked: empty values dropped, numbers parsed, switches
    read as booleans, and the whole set validated by ``Bsm2Options`` (its ranges, ABAC set-point
    only with ABAC).

    Returns
    -------
    dict
        The options given, by ``Bsm2Options`` field name (JSON-ready).

    Raises
    ------
    InputError
        An unknown option, a value that is not a number, or one ``Bsm2Options`` refuses (naming the field).
    """
    from ecocity.wastewater.bsm2_plant import Bsm2Options

    known = {f.name for f in fields(Bsm2Options)}
    options: dict[str, Any] = {}
    for name, value in payload.items():
        if name not in known:
            raise InputError(f"unknown plant option {name!r}; use one of {', '.join(sorted(known))}", field=name)
        if name in SWITCH_OPTIONS:
            if isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "on", "yes")
            options[name] = bool(value)
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError) as err:
            raise InputError(f"{name} must be a number, got {value!r}", field=name) from err
        if not math.isfinite(number):
            raise InputError(f"{name} must be a finite number, got {value!r}", field=name)
        options[name] = number
    Bsm2Options(**options)
    return options


#: What the variant table compares: (label msgid, section, key, scale, decimals, direction).
VARIANT_ROWS: tuple[tuple[str, str, str, float, int, str], ...] = (
    ("EQI [kg PU/d]", "evaluation", "effluent_quality_index_kg_pu_per_d", 1.0, 0, "<="),
    ("OCI [-]", "evaluation", "operational_cost_index", 1.0, 0, "<="),
    ("Effluent TN [g/m³]", "effluent", "TN", 1.0, 2, "<="),
    ("Effluent ammonium S_NH [g/m³]", "effluent", "S_NH", 1.0, 2, "<="),
    ("Effluent COD [g/m³]", "effluent", "COD", 1.0, 1, "<="),
    ("Effluent TSS [g/m³]", "effluent", "TSS", 1.0, 1, "<="),
    ("Electricity per m³ treated [kWh/m³]", "energy", "electricity_kwh_per_m3", 1.0, 3, "<="),
    ("Energy self-sufficiency, total [%]", "energy", "total_self_sufficiency", 100.0, 1, ">="),
    ("Biogas [m³/d]", "digester", "biogas_m3_per_d", 1.0, 0, ">="),
    ("Net greenhouse gases [t CO₂e/yr]", "ghg", "net_t_co2e_per_yr", 1.0, 0, "<="),
)


def _value(section: dict, part: str, key: str, scale: float) -> float | None:
    value = (section.get(part) or {}).get(key)
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return None
    return float(value) * scale


def variant_rows(base: dict, variant: dict) -> list[dict[str, Any]]:
    """The variant against the district's plant: per key number (:data:`VARIANT_ROWS`) both
    values, variant − plant and whether the variant is better (``better``/``worse``/``none``)."""
    rows = []
    for label, part, key, scale, decimals, direction in VARIANT_ROWS:
        a, b = _value(base, part, key, scale), _value(variant, part, key, scale)
        difference = None if a is None or b is None else b - a
        better = "none" if not difference else ("better" if (difference > 0) == (direction == ">=") else "worse")
        text = DASH if difference is None else f"{difference:+,.{decimals}f}"
        rows.append({"label": label, "key": key, "base": _g(a, decimals), "variant": _g(b, decimals),
                     "difference": text, "better": better})
    return rows


def page_context(document: dict, labels: Labels) -> dict[str, Any]:
    """Everything the plant template shows.

    Raises
    ------
    NoPlant
        The district's results have no plant section.
    """
    section = plant_section(document)
    return {
        "plantwide": is_plantwide(section),
        "benchmark_window": bool(section.get("benchmark_window", True)),
        "section": section,
        "facts": facts(section, labels),
        "self_sufficiency": self_sufficiency_text(section.get("energy") or {}, labels) if is_plantwide(section) else "",
        "compliance": compliance_tables(section, labels),
        "ghg_rows": ghg_rows(section, labels.language) if is_plantwide(section) else [],
        "figures": plant_figures(section, labels.language),
        "notes": list(section.get("notes") or []),
        "form": variant_form(section),
    }
