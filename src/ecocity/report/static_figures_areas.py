"""The plant and buildings figures of the PDF report, drawn with matplotlib.

The static counterparts of :mod:`~ecocity.report.plant_energy` (the Sankey becomes paired
stacked bars: where each carrier comes from and where it goes, so a balance that closes shows
two bars of equal length; GHG bars by source) and :mod:`~ecocity.report.buildings_figures`
(portfolio map per city, EUI against the standard, measured savings), from the same section
dicts of results.json. PNG ``data:`` URIs, as in :mod:`~ecocity.report.static_figures`; call
them inside :func:`~ecocity.report.static_figures.figure_style`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ecocity.report.buildings_figures import (
    CITY_NAMES,
    VERDICT_CLASSES,
    VERDICT_COLOURS,
    cumulative_band,
    local_km,
    verdict_class,
)
from ecocity.report.buildings_figures import LABELS as BUILDING_LABELS
from ecocity.report.figures import BASELINE_COLOUR
from ecocity.report.plant_energy import _GHG_COLOURS, _NODE_COLOURS, _USE_COLOUR
from ecocity.report.plant_energy import LABELS as PLANT_LABELS
from ecocity.report.static_figures import FULL_WIDTH_IN, colour, new_figure, to_data_uri

_DAYS_PER_YEAR = 365.0
# Flows that count as losses or surplus: drawn hatched.
_HATCHED = {"losses", "heat_dumped", "flare"}


def _percent(ratio: float | None) -> str:
    return "–" if ratio is None or ratio != ratio else f"{ratio:.0%}"


def energy_rows(balance: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """The energy chart's bars: (carrier, ``"supply"`` or ``"use"``, [(node, kWh/d), …]).

    Biogas goes to the CHP, the boiler and the flare; electricity comes from the CHP and the
    grid and goes to each plant use and export; heat comes from the CHP, the boiler and bought
    heat and goes to digester heating (surplus CHP heat and conversion losses are drawn on the
    CHP's and boiler's side, hatched).
    """
    b = balance
    uses = [(f"use:{name}", float(v)) for name, v in b["electricity_use_kwh_per_d"].items()]
    return [
        ("biogas", "use", [("chp", b["chp_gas_kwh_per_d"]), ("boiler", b["boiler_gas_kwh_per_d"]),
                           ("flare", b["flared_kwh_per_d"])]),
        ("electricity", "supply", [("chp", b["chp_electricity_kwh_per_d"]), ("grid", b["grid_import_kwh_per_d"])]),
        ("electricity", "use", [*uses, ("export", b["export_kwh_per_d"])]),
        ("heat", "supply", [("chp", b["chp_heat_used_kwh_per_d"]), ("boiler", b["boiler_heat_kwh_per_d"]),
                            ("external_heat", b["external_heat_kwh_per_d"])]),
        ("heat", "use", [("digester_heating", b["heat_demand_kwh_per_d"])]),
        ("losses", "use", [("heat_dumped", b["heat_dumped_kwh_per_d"]),
                           ("losses", b["chp_losses_kwh_per_d"] + b["boiler_losses_kwh_per_d"])]),
    ]


def energy_flows(balance: Mapping[str, Any], language: str) -> str:
    """Horizontal stacked bars of the plant's mean energy flows [kWh/d], self-sufficiency in
    the title."""
    text = PLANT_LABELS[language]
    supply_use = {"en": {"supply": "from", "use": "to"}, "zh": {"supply": "来源", "use": "去向"}}[language]
    rows = energy_rows(balance)
    fig, ax = new_figure(3.4)
    labels = []
    for y, (carrier, side, parts) in enumerate(reversed(rows)):
        left = 0.0
        for node, value in parts:
            value = float(value)
            if value <= 0.0:
                continue
            name = text.get(node, text.get(node[4:], node[4:])) if node.startswith("use:") else text.get(node, node)
            fill = colour(_NODE_COLOURS.get(node, _USE_COLOUR if node.startswith("use:") else "#999999"))
            ax.barh(y, value, left=left, color=fill, edgecolor="white", hatch="//" if node in _HATCHED else None)
            if value > 0.06 * max(_row_total(r) for r in rows):
                ax.text(left + value / 2, y, f"{name}\n{value:,.0f}", ha="center", va="center", fontsize=6.5)
            left += value
        labels.append(f"{text.get(carrier, carrier)} ({supply_use[side]})")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("kWh/d")
    ax.grid(axis="y", visible=False)
    title = text["self_sufficiency"].format(el=_percent(balance.get("electricity_self_sufficiency")),
                                            heat=_percent(balance.get("heat_self_sufficiency")),
                                            total=_percent(balance.get("total_self_sufficiency")))
    ax.set_title(f"{text['energy_title']}\n{title}")
    return to_data_uri(fig)


def _row_total(row: tuple[str, str, list[tuple[str, float]]]) -> float:
    return sum(max(float(v), 0.0) for _, v in row[2])


def ghg(account: Mapping[str, Any], language: str) -> str:
    """Bars of greenhouse-gas emissions by source and the net [t CO₂e/yr]; avoided negative."""
    text = PLANT_LABELS[language]
    per_yr = {k: v * _DAYS_PER_YEAR / 1000.0 for k, v in account["sources_kg_co2e_per_d"].items()}
    names = [text.get(n, n) for n in per_yr] + [text["net"]]
    values = [*per_yr.values(), account["net_kg_co2e_per_d"] * _DAYS_PER_YEAR / 1000.0]
    colours = [colour(_GHG_COLOURS.get(n, "#999999")) for n in per_yr] + [colour(BASELINE_COLOUR)]
    fig, ax = new_figure(3.2)
    ax.bar(names, values, color=colours)
    ax.axhline(0.0, color="#444", lw=0.8)
    ax.set(title=text["ghg_title"].format(gwp=str(account.get("gwp", "")).upper(), grid=account.get("grid", "")),
           ylabel=text["t_co2e_per_yr"])
    ax.tick_params(axis="x", labelrotation=25, labelsize=7)
    return to_data_uri(fig)


def plant_figures(plant: Mapping[str, Any] | None, language: str) -> dict:
    """The plant section's energy and GHG figures (a plant-wide BSM2 run only), else None."""
    if not plant or not plant.get("energy") or not plant.get("ghg") or "gas_energy_kwh_per_d" not in plant["energy"]:
        return {"plant_energy": None, "plant_ghg": None}
    return {"plant_energy": energy_flows(plant["energy"], language), "plant_ghg": ghg(plant["ghg"], language)}


def portfolio_map(section: Mapping[str, Any], language: str) -> str:
    """The buildings by position, one panel per city, coloured by benchmark verdict; marker
    area ∝ floor area."""
    s = BUILDING_LABELS[language]
    placed = [r for r in section.get("buildings") or [] if r.get("lon") is not None and r.get("lat") is not None]
    cities = list(dict.fromkeys(str(r.get("city") or "") for r in placed)) or [""]
    largest = max((float(r["floor_area_m2"]) for r in placed), default=1.0)
    fig, axes = new_figure(3.2, FULL_WIDTH_IN, ncols=len(cities), squeeze=False)
    shown: set[str] = set()
    for ax, city in zip(axes[0], cities):
        mine = [r for r in placed if str(r.get("city") or "") == city]
        if mine:
            xs, ys = local_km([float(r["lon"]) for r in mine], [float(r["lat"]) for r in mine])
            for cls in VERDICT_CLASSES:
                idx = [j for j, r in enumerate(mine) if verdict_class(r.get("benchmark")) == cls]
                if idx:
                    ax.scatter([xs[j] for j in idx], [ys[j] for j in idx], color=VERDICT_COLOURS[cls],
                               s=[15 + 250 * float(mine[j]["floor_area_m2"]) / largest for j in idx],
                               edgecolor="#333", lw=0.4, label=None if cls in shown else s[cls], alpha=0.85)
                    shown.add(cls)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set(title=CITY_NAMES[language].get(city, city.title()), xlabel=s["east"], ylabel=s["north"])
    fig.suptitle(s["map_title"], x=0.0, ha="left", fontsize=10)
    fig.legend(loc="outside lower center", ncols=4)
    return to_data_uri(fig)


def eui(section: Mapping[str, Any], language: str) -> str:
    """EUI per building [kWh/(m²·a)] coloured by verdict, guide and constraint values as ticks."""
    s = BUILDING_LABELS[language]
    rows = sorted(section.get("buildings") or [],
                  key=lambda r: (str(r.get("city") or ""), str(r.get("type") or ""), float(r["eui_kwh_per_m2"])))
    ids = [str(r["building_id"]) for r in rows]
    fig, ax = new_figure(3.4)
    for cls in VERDICT_CLASSES:
        idx = [j for j, r in enumerate(rows) if verdict_class(r.get("benchmark")) == cls]
        if idx:
            ax.bar(idx, [float(rows[j]["eui_kwh_per_m2"]) for j in idx], color=VERDICT_COLOURS[cls], label=s[cls])
    for key, name, colour in (("guide_kwh_per_m2", "guide", "#006B4F"), ("constraint_kwh_per_m2", "constraint", "#8E2C00")):
        idx = [j for j, r in enumerate(rows) if (r.get("benchmark") or {}).get(key) is not None]
        if idx:
            ax.scatter(idx, [float(rows[j]["benchmark"][key]) for j in idx], marker="_", s=80, lw=2.2,
                       color=colour, label=s[name], zorder=3)
    ax.set_xticks(range(len(ids)), ids, rotation=90, fontsize=5 if len(ids) > 30 else 7)
    ax.set(title=s["eui_title"], ylabel=s["eui_axis"], xlim=(-0.7, len(ids) - 0.3))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_data_uri(fig)


def savings(row: Mapping[str, Any], language: str) -> str:
    """Predicted and actual daily use [kWh/d] after the intervention, and the cumulative
    avoided energy [kWh] with its 90 % band."""
    s = BUILDING_LABELS[language]
    sav = row["savings"]
    daily = sav["daily"]
    dates = [dt.date.fromisoformat(str(d["date"])[:10]) for d in daily]
    cum, low, high = cumulative_band(daily, sav["band90_kwh"])
    fig, (top, bottom) = new_figure(3.6, FULL_WIDTH_IN, nrows=2, sharex=True, height_ratios=[3, 2])
    top.plot(dates, [float(d["predicted_kwh"]) for d in daily], color=colour(BASELINE_COLOUR), lw=1.2, label=s["predicted"])
    top.plot(dates, [float(d["actual_kwh"]) for d in daily], color="#0072B2", lw=1.0, label=s["actual"])
    top.set(ylabel=s["daily_axis"], title=s["savings_title"].format(name=row.get("name") or row["building_id"]))
    top.set_ylim(bottom=0)
    top.legend(loc="lower left", ncols=2)
    bottom.fill_between(dates, low, high, color="#009E73", alpha=0.2, lw=0, label=s["band90"])
    bottom.plot(dates, cum, color="#009E73", lw=1.8, label=s["avoided"])
    bottom.set(ylabel=s["cumulative_axis"])
    band_low, band_high = sav["band90_kwh"]
    bottom.set_title(s["avoided_note"].format(kwh=f"{sav['avoided_kwh']:,.0f}", pct=f"{100 * sav['fraction']:.1f} %",
                                              low=f"{band_low:,.0f}", high=f"{band_high:,.0f}"), fontsize=8)
    bottom.tick_params(axis="x", labelrotation=20, labelsize=7)
    return to_data_uri(fig)


def building_figures(section: Mapping[str, Any] | None, language: str) -> dict:
    """The buildings section's map, EUI chart and one savings chart per building with savings."""
    if not section or not section.get("buildings"):
        return {"buildings_map": None, "buildings_eui": None, "buildings_savings": []}
    return {"buildings_map": portfolio_map(section, language), "buildings_eui": eui(section, language),
            "buildings_savings": [(row["building_id"], savings(row, language)) for row in section["buildings"]
                                  if row.get("savings") and row["savings"].get("daily")]}
