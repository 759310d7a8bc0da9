"""Plant energy and GHG charts: node labels, link values that sum to the balance, bars that are
the account's numbers, both languages, from the objects or their stored dicts."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from ecocity.errors import InputError
from ecocity.report import plant_energy
from ecocity.wastewater.energy import energy_balance
from ecocity.wastewater.ghg import SOURCES, ghg_from_balance

USES = {"aeration": 4000.0, "pumping": 440.84, "mixing": 768.0, "other": 150.0}


@pytest.fixture
def balance():
    # BSM2 open-loop figures (wastewater.md §1.3), one heat-short step, one with surplus gas
    return energy_balance([1058.7, 300.0], [4152.7, 6000.0], USES, treated_m3_per_d=20659.3)


def _sums(figure: go.Figure) -> tuple[dict[str, float], dict[str, float]]:
    sankey = figure.data[0]
    labels = list(sankey.node.label)
    out: dict[str, float] = {}
    into: dict[str, float] = {}
    for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value):
        out[labels[s]] = out.get(labels[s], 0.0) + v
        into[labels[t]] = into.get(labels[t], 0.0) + v
    return out, into


def test_sankey_links_carry_the_balance(balance):
    figure = plant_energy.energy_sankey(balance)
    out, into = _sums(figure)
    assert out["Biogas"] == pytest.approx(balance.gas_energy_kwh_per_d)
    assert out["CHP"] == pytest.approx(balance.chp_gas_kwh_per_d)
    assert into["Losses"] == pytest.approx(balance.losses_kwh_per_d)
    assert into["Electricity"] == pytest.approx(balance.chp_electricity_kwh_per_d + balance.grid_import_kwh_per_d)
    # what flows into electricity flows out to the uses and the export (per-step netting)
    assert out["Electricity"] == pytest.approx(into["Electricity"])
    for name, label in (("aeration", "Aeration"), ("pumping", "Pumping"), ("mixing", "Mixing"),
                        ("other", "Other uses")):
        assert into[label] == pytest.approx(balance.electricity_use_kwh_per_d[name])
    assert into["Heat"] == pytest.approx(balance.heat_demand_kwh_per_d)
    assert into["Digester heating"] == pytest.approx(balance.heat_demand_kwh_per_d)
    assert out["Heat bought in"] == pytest.approx(balance.external_heat_kwh_per_d)
    assert balance.external_heat_kwh_per_d > 0.0  # the second step's CHP is below minimum load
    assert f"electricity {balance.electricity_self_sufficiency:.0%}" in figure.layout.title.text


def test_sankey_leaves_zero_flows_out():
    b = energy_balance(1058.7, 4152.7, USES)  # no boiler, no flare, no export
    targets = {t for _, t, _ in plant_energy.energy_links(b)}
    assert not {"boiler", "flare", "export"} & targets
    assert all(v > 0.0 for _, _, v in plant_energy.energy_links(b))


def test_sankey_in_chinese_from_the_stored_dict(balance):
    stored = json.loads(json.dumps(balance.as_dict()))
    figure = plant_energy.energy_sankey(stored, language="zh")
    labels = list(figure.data[0].node.label)
    assert {"沼气", "热电联产", "曝气", "消化池加热"} <= set(labels)
    assert "自给率" in figure.layout.title.text
    assert list(figure.data[0].link.value) == list(plant_energy.energy_sankey(balance).data[0].link.value)


def test_ghg_bars_are_the_sources_and_the_net(balance):
    account = ghg_from_balance(balance, influent_n_kg_per_d=1500.0, effluent_n_kg_per_d=240.0,
                               grid="denmark-2023")
    figure = plant_energy.ghg_bars(account)
    bars = figure.data[0]
    per_yr = account.sources_t_co2e_per_yr
    assert list(bars.y) == pytest.approx([per_yr[s] for s in SOURCES] + [account.net_t_co2e_per_yr])
    assert list(bars.x)[0] == "N₂O, treatment" and list(bars.x)[-1] == "Net"
    assert "denmark-2023" in figure.layout.title.text and "AR6" in figure.layout.title.text
    zh = plant_energy.ghg_bars(account.as_dict(), language="zh")
    assert list(zh.data[0].x)[-1] == "净排放"
    assert list(zh.data[0].y) == pytest.approx(list(bars.y))


def test_unknown_language_is_refused(balance):
    with pytest.raises(InputError, match="en, zh"):
        plant_energy.energy_sankey(balance, language="da")
