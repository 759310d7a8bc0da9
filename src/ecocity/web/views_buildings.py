"""Building portfolio: the view model of ``/districts/{name}/buildings`` and
``/districts/{name}/buildings/{id}``, and their JSON API.

Pure functions over the buildings section of a results document (``results.json["buildings"]``,
:func:`ecocity.buildings.assess.portfolio_section`): the ranking (savings potential in kWh,
money and t CO₂ per year, quota status), EUI against the standard, anomaly flags, and one
building's baseline (CalTRACK model type, balance points, fit metrics against the ASHRAE
Guideline 14 limits) and measured savings with their 90 % band. The baseline's coefficients,
which the section does not keep, come from :mod:`ecocity.web.building_detail`.
"""

from __future__ import annotations

import math
from typing import Any

from ecocity.report import buildings_figures as bf
from ecocity.report.formatting import DASH

#: The anomaly detectors' kinds (``ecocity.buildings.anomalies.KINDS``), in the order the
#: page explains them.
FLAG_KINDS: tuple[str, ...] = ("stuck_meter", "baseload_creep", "night_weekend", "wrong_season", "level_shift")


class NoPortfolio(LookupError):
    """The results document has no buildings section (the district links no portfolio)."""


class UnknownBuilding(LookupError):
    """A building id the portfolio does not hold."""


def portfolio(document: dict) -> dict:
    """The document's buildings section.

    Raises
    ------
    NoPortfolio
        The district's results have no ``buildings`` section.
    """
    section = document.get("buildings")
    if not section:
        name = (document.get("district") or {}).get("name") or "the district"
        raise NoPortfolio(f"{name} has no building portfolio in its results (no buildings.toml)")
    return section


def find_building(document: dict, building_id: str) -> dict:
    """The portfolio row of ``building_id``.

    Raises
    ------
    NoPortfolio, UnknownBuilding
    """
    for row in portfolio(document).get("buildings") or []:
        if str(row.get("building_id")) == building_id:
            return row
    raise UnknownBuilding(f"no building {building_id!r} in the portfolio")


def _summary(row: dict) -> dict[str, Any]:
    """A ranking row without the daily savings series (those are on the building's own endpoint)."""
    out = {k: v for k, v in row.items() if k != "savings"}
    savings = row.get("savings")
    out["savings"] = None if not savings else {k: v for k, v in savings.items() if k != "daily"}
    return out


def select(section: dict, *, city: str | None = None, building_type: str | None = None,
           offset: int = 0, limit: int | None = None) -> tuple[list[dict], int]:
    """The section's buildings of ``city`` and ``building_type`` (None: any) in rank order,
    ``limit`` of them from ``offset``; and how many match in all."""
    rows = [r for r in section.get("buildings") or []
            if (city is None or str(r.get("city", "")).lower() == city.lower())
            and (building_type is None or str(r.get("type", "")).lower() == building_type.lower())]
    rows.sort(key=lambda r: r.get("rank", 0))
    end = None if limit is None else offset + limit
    return rows[offset:end], len(rows)


def choices(section: dict) -> dict[str, list[str]]:
    """The cities and building types of the portfolio (for the filters), sorted."""
    rows = section.get("buildings") or []
    return {"cities": sorted({str(r.get("city", "")) for r in rows if r.get("city")}),
            "types": sorted({str(r.get("type", "")) for r in rows if r.get("type")})}


def buildings_payload(document: dict, *, city: str | None = None, building_type: str | None = None,
                      offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """``/api/districts/{name}/buildings``: the portfolio's facts and its buildings in rank order
    (EUI [kWh/(m²·a)], benchmark, flags, potential per year [kWh, money, t CO₂], quota [kWh];
    savings without their daily series), optionally of one city and type and a page of them;
    ``n_matching`` counts the buildings the filters let through."""
    section = portfolio(document)
    rows, matching = select(section, city=city, building_type=building_type, offset=offset, limit=limit)
    meta = {k: v for k, v in section.items() if k != "buildings"}
    return {**meta, "n_matching": matching, "offset": offset, "buildings": [_summary(r) for r in rows]}


def building_payload(document: dict, building_id: str, detail: dict | None = None) -> dict[str, Any]:
    """``/api/districts/{name}/buildings/{id}``: the building's full portfolio row (savings with
    the daily predicted and actual use [kWh/d]) and, when computed, ``baseline_detail``: the
    fitted model's coefficients and metrics with the ASHRAE Guideline 14 limits."""
    return {**find_building(document, building_id), "baseline_detail": detail}


# --- page -------------------------------------------------------------------------------------------


def _number(value: Any, decimals: int = 0) -> str:
    if value is None or isinstance(value, bool):
        return DASH
    value = float(value)
    if not math.isfinite(value):
        return DASH
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0.00"


def _percent(ratio: Any, decimals: int = 1) -> str:
    text = _number(None if ratio is None else 100.0 * float(ratio), decimals)
    return text if text == DASH else f"{text} %"


def flag_kinds_present(section: dict) -> list[str]:
    """The flag kinds any building carries, in :data:`FLAG_KINDS` order (others after)."""
    found = {f.get("kind") for r in section.get("buildings") or [] for f in r.get("flags") or []}
    return [k for k in FLAG_KINDS if k in found] + sorted(k for k in found if k and k not in FLAG_KINDS)


def portfolio_context(document: dict, language: str, *, city: str | None = None,
                      building_type: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """Everything the portfolio template shows: facts, ranking rows (the report's), figures
    (EUI against the standard, the map) and the flag kinds to explain, for the buildings of
    ``city`` and ``building_type`` (None: all), the first ``limit`` of them in rank order (a
    city-wide portfolio of thousands would not read as one table or chart).

    Raises
    ------
    NoPortfolio
    """
    section = portfolio(document)
    rows, matching = select(section, city=city, building_type=building_type, limit=limit)
    shown = {**section, "buildings": rows}
    return {
        "section": section,
        "rows": bf.table_rows(shown, language),
        "n_shown": len(rows),
        "n_matching": matching,
        "filters": {"city": city or "", "type": building_type or "", "limit": limit},
        "choices": choices(section),
        "figures": {"eui": bf.eui_chart(shown, language) if rows else None,
                    "map": bf.portfolio_map(shown, language) if rows else None},
        "flag_kinds": flag_kinds_present(shown),
        "city_names": bf.CITY_NAMES[language],
    }


def metric_rows(baseline: dict, detail: dict | None) -> list[dict[str, Any]]:
    """R², CV(RMSE) and NMBE of the baseline with their ASHRAE Guideline 14 limits where known.

    ``status`` is ``pass``/``fail`` against the limit (|NMBE| for the bias), ``none`` without one.
    """
    source = detail or baseline
    rows = [{"name": "r_squared", "value": _number(source.get("r_squared"), 3), "limit": DASH, "status": "none"}]
    for key in ("cvrmse", "nmbe"):
        value, limit = source.get(key), (detail or {}).get(f"{key}_limit")
        ok = (detail or {}).get(f"{key}_ok")
        bound = DASH if limit is None else ("≤ " if key == "cvrmse" else "|·| ≤ ") + _percent(limit, 0)
        rows.append({"name": key, "value": _percent(value, 2), "limit": bound,
                     "status": "none" if ok is None else ("pass" if ok else "fail")})
    return rows


def coefficient_rows(detail: dict | None) -> list[tuple[str, str]]:
    """The fitted CalTRACK coefficients as (symbol, value with unit); empty without a fit."""
    if not detail:
        return []
    rows = [("β₀", f"{_number(detail.get('intercept_kwh_per_d'), 1)} kWh/d")]
    if detail.get("heating_balance_c") is not None:
        rows.append(("β_H", f"{_number(detail.get('beta_hdd_kwh_per_c_day'), 1)} kWh/(°C·d)"))
    if detail.get("cooling_balance_c") is not None:
        rows.append(("β_C", f"{_number(detail.get('beta_cdd_kwh_per_c_day'), 1)} kWh/(°C·d)"))
    return rows


def savings_facts(row: dict) -> dict[str, str] | None:
    """The measured savings as text: intervention date, avoided kWh, fraction, 90 % band."""
    savings = row.get("savings")
    if not savings:
        return None
    low, high = (savings.get("band90_kwh") or [None, None])[:2]
    return {"intervention": str(savings.get("intervention") or DASH),
            "avoided": f"{_number(savings.get('avoided_kwh'))} kWh",
            "fraction": _percent(savings.get("fraction")),
            "band": f"{_number(low)} – {_number(high)} kWh"}


def building_context(document: dict, building_id: str, language: str, detail: dict | None = None) -> dict[str, Any]:
    """Everything the building template shows: identity, benchmark, baseline (model type,
    balance points [°C], coefficients, metrics against G14), flags, potential, quota and the
    savings chart.

    Raises
    ------
    NoPortfolio, UnknownBuilding
    """
    row = find_building(document, building_id)
    section = portfolio(document)
    table = bf.table_rows({"buildings": [row]}, language)[0]
    baseline = row.get("baseline") or {}
    return {
        "row": row,
        "table": table,
        "n_buildings": len(section.get("buildings") or []),
        "balance_points": {"heating": _number(baseline.get("heating_balance_c"), 1),
                           "cooling": _number(baseline.get("cooling_balance_c"), 1)},
        "metrics": metric_rows(baseline, detail),
        "coefficients": coefficient_rows(detail),
        "detail": detail,
        "savings": savings_facts(row),
        "savings_figure": bf.savings_chart(row, language) if (row.get("savings") or {}).get("daily") else None,
        "city_names": bf.CITY_NAMES[language],
    }
