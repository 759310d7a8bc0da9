"""The plant section's energy and greenhouse-gas charts: a Sankey diagram of the energy flows
and bars of the emissions by source, as plotly figures.

Each builder takes an :class:`~ecocity.wastewater.energy.EnergyBalance` or
:class:`~ecocity.wastewater.ghg.GhgAccount`, or the dict its ``as_dict()`` gives (as stored in
results.json), and a ``language`` (``"en"`` or ``"zh"``). The label strings live here, in
:data:`LABELS`, not in ``labels.toml``. Colours are the Okabe–Ito set of
:mod:`ecocity.report.figures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import plotly.graph_objects as go

from ecocity.errors import InputError
from ecocity.report.figures import BASELINE_COLOUR

#: Label strings by language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "biogas": "Biogas", "chp": "CHP", "boiler": "Boiler", "flare": "Flare",
        "electricity": "Electricity", "heat": "Heat", "losses": "Losses", "grid": "Grid import",
        "external_heat": "Heat bought in", "heat_dumped": "Surplus heat", "export": "Export to grid",
        "digester_heating": "Digester heating", "aeration": "Aeration", "pumping": "Pumping",
        "mixing": "Mixing", "other": "Other uses",
        "energy_title": "Energy flows, mean [kWh/d]",
        "self_sufficiency": "Self-sufficiency: electricity {el}, heat {heat}, total {total}",
        "n2o_treatment": "N₂O, treatment", "n2o_effluent": "N₂O, effluent",
        "ch4_digester_leakage": "CH₄, digester leakage", "ch4_chp_slip": "CH₄, CHP slip",
        "ch4_flare": "CH₄, flare", "grid_electricity": "Grid electricity",
        "avoided_electricity": "Avoided: exported electricity", "avoided_heat": "Avoided: exported heat",
        "net": "Net", "ghg_title": "Greenhouse gases ({gwp}, grid factor {grid}) [t CO₂e/yr]",
        "t_co2e_per_yr": "t CO₂e/yr", "source": "Source",
    },
    "zh": {
        "biogas": "沼气", "chp": "热电联产", "boiler": "锅炉", "flare": "火炬",
        "electricity": "电力", "heat": "热", "losses": "损失", "grid": "电网购电",
        "external_heat": "外购热", "heat_dumped": "余热", "export": "上网电量",
        "digester_heating": "消化池加热", "aeration": "曝气", "pumping": "泵送",
        "mixing": "搅拌", "other": "其他用电",
        "energy_title": "能量流，日均 [kWh/d]",
        "self_sufficiency": "自给率：电 {el}，热 {heat}，合计 {total}",
        "n2o_treatment": "N₂O，处理过程", "n2o_effluent": "N₂O，出水",
        "ch4_digester_leakage": "CH₄，消化池泄漏", "ch4_chp_slip": "CH₄，热电联产逃逸",
        "ch4_flare": "CH₄，火炬", "grid_electricity": "外购电力",
        "avoided_electricity": "抵消：上网电力", "avoided_heat": "抵消：外供热",
        "net": "净排放", "ghg_title": "温室气体（{gwp}，电网因子 {grid}）[t CO₂e/年]",
        "t_co2e_per_yr": "t CO₂e/年", "source": "排放源",
    },
}

_NODES = ("biogas", "grid", "external_heat", "chp", "boiler", "flare", "electricity", "heat",
          "losses", "heat_dumped", "export", "digester_heating")
_NODE_COLOURS = {"biogas": "#009E73", "grid": BASELINE_COLOUR, "external_heat": "#999999",
                 "chp": "#0072B2", "boiler": "#D55E00", "flare": "#E69F00", "electricity": "#56B4E9",
                 "heat": "#CC79A7", "losses": "#BBBBBB", "heat_dumped": "#BBBBBB", "export": "#F0E442",
                 "digester_heating": "#CC79A7"}
_USE_COLOUR = "#56B4E9"
_GHG_COLOURS = {"n2o_treatment": "#0072B2", "n2o_effluent": "#56B4E9", "ch4_digester_leakage": "#D55E00",
                "ch4_chp_slip": "#E69F00", "ch4_flare": "#F0E442", "grid_electricity": BASELINE_COLOUR,
                "avoided_electricity": "#009E73", "avoided_heat": "#66C2A5"}
_DAYS_PER_YEAR = 365.0
# The layout of ecocity.report.figures: margins, white plot, grey axis lines and grid.
_MARGIN = {"l": 70, "r": 20, "t": 60, "b": 60}
_AXIS = {"showline": True, "linecolor": "#444", "gridcolor": "#e5e5e5"}


def _labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise InputError(f"language {language!r} is not known; use one of {', '.join(LABELS)}",
                         field="language")
    return LABELS[language]


def _as_dict(obj: Any) -> Mapping[str, Any]:
    return obj.as_dict() if hasattr(obj, "as_dict") else obj


def _percent(ratio: float | None) -> str:
    return "–" if ratio is None or ratio != ratio else f"{ratio:.0%}"


def energy_links(balance: Any) -> list[tuple[str, str, float]]:
    """The Sankey's links as (source node, target node, value [kWh/d]), zero flows left out.

    Nodes are those of the energy flows; a plant use is named ``"use:<name>"``.
    """
    b = _as_dict(balance)
    links = [
        ("biogas", "chp", b["chp_gas_kwh_per_d"]), ("biogas", "boiler", b["boiler_gas_kwh_per_d"]),
        ("biogas", "flare", b["flared_kwh_per_d"]),
        ("chp", "electricity", b["chp_electricity_kwh_per_d"]), ("chp", "heat", b["chp_heat_used_kwh_per_d"]),
        ("chp", "heat_dumped", b["heat_dumped_kwh_per_d"]), ("chp", "losses", b["chp_losses_kwh_per_d"]),
        ("boiler", "heat", b["boiler_heat_kwh_per_d"]), ("boiler", "losses", b["boiler_losses_kwh_per_d"]),
        ("grid", "electricity", b["grid_import_kwh_per_d"]),
        ("external_heat", "heat", b["external_heat_kwh_per_d"]),
        *(("electricity", f"use:{name}", value) for name, value in b["electricity_use_kwh_per_d"].items()),
        ("electricity", "export", b["export_kwh_per_d"]),
        ("heat", "digester_heating", b["heat_demand_kwh_per_d"]),
    ]
    return [(s, t, float(v)) for s, t, v in links if v > 0.0]


def energy_sankey(balance: Any, language: str = "en") -> go.Figure:
    """Sankey diagram of a plant's mean energy flows [kWh/d], self-sufficiency in the title.

    Biogas → CHP (electricity, heat, surplus heat, losses), boiler (heat, losses), flare; grid →
    electricity; electricity → each plant use and export; heat → digester heating.
    """
    text = _labels(language)
    b = _as_dict(balance)
    links = energy_links(b)
    uses = list(b["electricity_use_kwh_per_d"])
    nodes = [*_NODES, *(f"use:{name}" for name in uses)]
    index = {node: k for k, node in enumerate(nodes)}
    node_labels = [text[n] if n in text else escape(text.get(n[4:], n[4:]), quote=False) for n in nodes]
    title = (f"{text['energy_title']}<br><sup>" + text["self_sufficiency"].format(
        el=_percent(b.get("electricity_self_sufficiency")), heat=_percent(b.get("heat_self_sufficiency")),
        total=_percent(b.get("total_self_sufficiency"))) + "</sup>")
    figure = go.Figure(go.Sankey(
        valueformat=",.0f", valuesuffix=" kWh/d",
        node={"label": node_labels, "pad": 18, "thickness": 16,
              "color": [_NODE_COLOURS.get(n, _USE_COLOUR) for n in nodes]},
        link={"source": [index[s] for s, _, _ in links], "target": [index[t] for _, t, _ in links],
              "value": [v for _, _, v in links], "color": "rgba(160,160,160,0.35)"}))
    figure.update_layout(title={"text": title, "x": 0.0, "xanchor": "left"}, height=460,
                         margin=_MARGIN, font={"size": 12})
    return figure


def ghg_bars(account: Any, language: str = "en") -> go.Figure:
    """Bars of a plant's greenhouse-gas emissions by source and the net [t CO₂e/yr].

    Emissions are positive, avoided emissions negative; the net bar is dark grey.
    """
    text = _labels(language)
    a = _as_dict(account)
    per_yr = {k: v * _DAYS_PER_YEAR / 1000.0 for k, v in a["sources_kg_co2e_per_d"].items()}
    names = list(per_yr)
    net = a["net_kg_co2e_per_d"] * _DAYS_PER_YEAR / 1000.0
    x = [text.get(n, escape(n, quote=False)) for n in names] + [text["net"]]
    colours = [_GHG_COLOURS.get(n, "#999999") for n in names] + [BASELINE_COLOUR]
    figure = go.Figure(go.Bar(x=x, y=[*per_yr.values(), net], marker={"color": colours},
                              hovertemplate="%{x}: %{y:,.1f} " + text["t_co2e_per_yr"] + "<extra></extra>"))
    grid = a.get("grid", "")
    title = text["ghg_title"].format(gwp=str(a.get("gwp", "")).upper(), grid=escape(str(grid), quote=False))
    figure.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"}, height=420, showlegend=False,
        plot_bgcolor="white", margin=_MARGIN,
        xaxis={**_AXIS, "title": {"text": text["source"]}},
        yaxis={**_AXIS, "title": {"text": text["t_co2e_per_yr"]}, "zeroline": True,
               "zerolinecolor": "#444"})
    return figure
