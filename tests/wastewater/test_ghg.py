"""Greenhouse-gas account: each source against hand-computed values from the cited defaults.

Reference values (the team's reference notes shared/references/wastewater.md §4):
- IPCC 2019 Refinement Vol. 5 Ch. 6 Table 6.8A: EF 0.016 kg N2O-N/kg N (centralised aerobic
  plant) and 0.005 (effluent) [2+]; ClimateView/transition-element-framework states the plant
  factor as 6,864 g CO2e per kg N = 0.016 × 44/28 × 273.
- GWP100 AR6: CH4 non-fossil 27.0, N2O 273; AR5: 28, 265 [2+].
- Grid: Beijing 2022 0.5580 t CO2/MWh [1]; China national 2023 0.5306 [2+] (MEE/NBS 2025
  No. 47); Denmark 2023 96 g/kWh [1] (Green Power Denmark).
The tolerance is round-off.
"""

from __future__ import annotations

import pickle

import pytest

from ecocity.errors import InputError
from ecocity.wastewater import ghg
from ecocity.wastewater.energy import energy_balance
from ecocity.wastewater.ghg import ghg_account, ghg_from_balance

ROUND_OFF = 1e-12


def test_n2o_from_treatment_is_6864_g_co2e_per_kg_influent_n():
    account = ghg_account(influent_n_kg_per_d=1000.0, effluent_n_kg_per_d=0.0)
    assert account.sources_kg_co2e_per_d["n2o_treatment"] == pytest.approx(6864.0, rel=ROUND_OFF)
    assert account.sources_t_co2e_per_yr["n2o_treatment"] == pytest.approx(6864.0 * 0.365, rel=ROUND_OFF)


def test_n2o_from_effluent_uses_the_discharge_factor():
    account = ghg_account(influent_n_kg_per_d=0.0, effluent_n_kg_per_d=200.0)
    assert account.sources_kg_co2e_per_d["n2o_effluent"] == pytest.approx(200 * 0.005 * 44 / 28 * 273)


def test_measured_n2o_factor_and_ar5_replace_the_defaults():
    account = ghg_account(influent_n_kg_per_d=1000.0, effluent_n_kg_per_d=0.0,
                          n2o_treatment_kg_n2o_n_per_kg_n=0.002, gwp="ar5")
    assert account.sources_kg_co2e_per_d["n2o_treatment"] == pytest.approx(1000 * 0.002 * 44 / 28 * 265)
    assert (account.gwp.ch4, account.gwp.n2o) == (28.0, 265.0)


def test_methane_sources_use_the_non_fossil_gwp():
    account = ghg_account(influent_n_kg_per_d=0.0, effluent_n_kg_per_d=0.0, methane_produced_kg_per_d=1000.0,
                          chp_methane_slip_kg_per_d=15.0, flared_methane_kg_per_d=100.0)
    s = account.sources_kg_co2e_per_d
    assert s["ch4_digester_leakage"] == pytest.approx(1000 * 0.01 * 27.0)  # 1 % assumed leakage
    assert s["ch4_chp_slip"] == pytest.approx(15 * 27.0)
    assert s["ch4_flare"] == pytest.approx(100 * (1 - 0.98) * 27.0)  # 98 % assumed destruction


@pytest.mark.parametrize(("grid", "factor"), [
    ("beijing-2022", 0.5580), ("china-2023", 0.5306), ("china-2022", 0.5366), ("denmark-2023", 0.096),
    (0.3, 0.3),
])
def test_grid_electricity_by_name_or_number(grid, factor):
    account = ghg_account(influent_n_kg_per_d=0.0, effluent_n_kg_per_d=0.0, grid_import_kwh_per_d=1000.0,
                          export_kwh_per_d=200.0, grid=grid)
    assert account.sources_kg_co2e_per_d["grid_electricity"] == pytest.approx(1000 * factor, rel=ROUND_OFF)
    assert account.sources_kg_co2e_per_d["avoided_electricity"] == pytest.approx(-200 * factor, rel=ROUND_OFF)
    assert account.net_kg_co2e_per_d == pytest.approx(800 * factor, rel=ROUND_OFF)


def test_named_grid_factor_carries_year_and_source():
    factor = ghg.grid_factor("china-2023")
    assert (factor.year, factor.confidence) == (2023, "2+")
    assert "2025 No. 47" in factor.source


def test_exported_heat_counts_only_with_a_heat_factor():
    kwargs = {"influent_n_kg_per_d": 0.0, "effluent_n_kg_per_d": 0.0, "exported_heat_kwh_per_d": 1000.0}
    assert ghg_account(**kwargs).sources_kg_co2e_per_d["avoided_heat"] == 0.0
    assert ghg_account(**kwargs, heat_kg_co2e_per_kwh=0.2).sources_kg_co2e_per_d["avoided_heat"] == -200.0


def test_gross_avoided_and_net_add_up():
    account = ghg_account(influent_n_kg_per_d=1000.0, effluent_n_kg_per_d=100.0, export_kwh_per_d=500.0,
                          grid="denmark-2023")
    assert set(account.sources_kg_co2e_per_d) == set(ghg.SOURCES)
    assert account.gross_kg_co2e_per_d == pytest.approx(6864.0 + 214.5)
    assert account.avoided_kg_co2e_per_d == pytest.approx(-48.0)
    assert account.net_kg_co2e_per_d == pytest.approx(6864.0 + 214.5 - 48.0)
    assert account.as_dict()["net_t_co2e_per_yr"] == pytest.approx(account.net_kg_co2e_per_d * 0.365)


def test_account_from_an_energy_balance_takes_its_flows():
    balance = energy_balance(1085.36, 4000.0, {"aeration": 4225.43, "pumping": 445.45, "mixing": 768.0})
    account = ghg_from_balance(balance, influent_n_kg_per_d=1000.0, effluent_n_kg_per_d=200.0,
                               grid="china-2023", heat_kg_co2e_per_kwh=0.1)
    s = account.sources_kg_co2e_per_d
    assert s["grid_electricity"] == pytest.approx(balance.grid_import_kwh_per_d * 0.5306)
    assert s["ch4_chp_slip"] == pytest.approx(balance.chp_methane_slip_kg_per_d * 27.0)
    assert s["ch4_digester_leakage"] == pytest.approx(1085.36 * 0.01 * 27.0)
    assert s["avoided_heat"] == pytest.approx(-0.1 * balance.heat_dumped_kwh_per_d)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(InputError, match="beijing-2022, china-2022, china-2023, denmark-2023"):
        ghg_account(influent_n_kg_per_d=0.0, effluent_n_kg_per_d=0.0, grid="beijing-2023")
    with pytest.raises(InputError, match="ar5, ar6"):
        ghg_account(influent_n_kg_per_d=0.0, effluent_n_kg_per_d=0.0, gwp="ar4")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"influent_n_kg_per_d": -1.0}, "influent_n_kg_per_d"),
    ({"grid": -0.1}, "grid"),
    ({"digester_leakage_fraction": 1.5}, "digester_leakage_fraction"),
    ({"n2o_treatment_kg_n2o_n_per_kg_n": float("nan")}, "n2o_treatment"),
])
def test_bad_values_are_named(kwargs, field):
    with pytest.raises(InputError, match=field):
        ghg_account(**{"influent_n_kg_per_d": 1.0, "effluent_n_kg_per_d": 1.0, **kwargs})


def test_account_pickles_for_the_process_pool():
    account = ghg_account(influent_n_kg_per_d=1000.0, effluent_n_kg_per_d=100.0)
    assert pickle.loads(pickle.dumps(account)) == account
