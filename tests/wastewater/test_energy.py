"""Biogas to energy: methane energy, CHP part-load curves, dispatch, closure, self-sufficiency.

Reference values:
- BSM2 methane energy 50.014 MJ/kg: IEA/Lund ``perf_plant_bsm2.m`` (``MP*50.014/3.6`` kWh/d),
  as copied in ttronas/bsm2-python:tests/simulink_files/perf_plant_bsm2_and_infl.m [V].
- 2G agenitor 206 BG datasheet (via rl-institut/smooth): η_el 0.349/0.370/0.387 and η_th
  0.459/0.438/0.427 at 50/75/100 % load [1]; bsm2-python 0.0.16 energy management
  (chp_init.py): 0.373/0.494 at 54 %, 0.408/0.448 at 100 % [1]; boiler 0.9 (boiler_init.py) [1].
- CHP methane slip 1.5 % of its methane: KlicK spark-ignition engine factor (slowtec/klick) [1].
- BSM2 plant figures: closed loop MP 1,085.36 kg CH4/d, AE 4,225.43, PE 445.45, ME 768 kWh/d
  (third-party official-model run, Danielmarinn/bsm2-marl, [1]); open loop MP 1,058.7, HE
  4,152.7 kWh/d (our bsm2-python run, [M]); both in the team's reference notes shared/references/wastewater.md §1.
Expected values below are computed by hand from these numbers; the tolerance is round-off.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.errors import InputError
from ecocity.wastewater import energy
from ecocity.wastewater.energy import ChpPlant, EnergySystem, chp_curve, chp_output, energy_balance

ROUND_OFF = 1e-9  # relative; sums of a few floats
E_CH4 = 50.014 / 3.6  # kWh/kg, perf_plant_bsm2.m


def _system(units=1, rated_kw=100.0, curve="2g-agenitor-206bg", slip=0.0, mode="electricity-led",
            boiler=0.9) -> EnergySystem:
    return EnergySystem(ChpPlant(chp_curve(curve), units, rated_kw, slip), boiler, E_CH4, mode)


def _methane(gas_kwh_per_d: float) -> float:
    return gas_kwh_per_d / E_CH4


def test_methane_energy_content_is_the_bsm2_value():
    assert energy.methane_energy_kwh_per_kg() == pytest.approx(13.892778, rel=1e-6)
    # BSM2 closed loop MP 1,085.36 kg/d → 15,079 kWh/d of chemical energy (wastewater.md §5.1)
    assert 1085.36 * energy.methane_energy_kwh_per_kg() == pytest.approx(15078.6, rel=1e-5)


def test_default_curve_is_the_agenitor_datasheet():
    curve = chp_curve()
    assert curve.load == (0.5, 0.75, 1.0)
    assert curve.electrical_efficiency == (0.349, 0.370, 0.387)
    assert curve.thermal_efficiency == (0.459, 0.438, 0.427)
    assert energy.bsm2_energy_system().chp.rated_electrical_kw == pytest.approx(610 * 0.387)


@pytest.mark.parametrize(("load", "eta_el", "eta_th"), [
    (1.0, 0.387, 0.427),            # datasheet, full load
    (0.75, 0.370, 0.438),           # datasheet, 75 %
    (0.5, 0.349, 0.459),            # datasheet, 50 % (minimum load)
    (0.625, 0.3595, 0.4485),        # halfway between 50 and 75 %: linear
])
def test_one_engine_at_full_and_part_load_follows_the_datasheet(load, eta_el, eta_th):
    gas = load * 24 * 100.0  # one engine of 100 kW gas input
    taken, el, th = chp_output(gas, _system().chp)
    assert taken == pytest.approx(gas, rel=ROUND_OFF)
    assert el == pytest.approx(gas * eta_el, rel=ROUND_OFF)
    assert th == pytest.approx(gas * eta_th, rel=ROUND_OFF)


def test_bsm2_python_curve_at_its_points():
    plant = _system(curve="bsm2-python").chp
    for load, eta_el, eta_th in ((0.54, 0.373, 0.494), (1.0, 0.408, 0.448)):
        _, el, th = chp_output(load * 2400.0, plant)
        assert (el, th) == (pytest.approx(load * 2400 * eta_el), pytest.approx(load * 2400 * eta_th))


def test_engine_below_its_minimum_load_stops():
    taken, el, th = chp_output(0.4 * 2400.0, _system().chp)
    assert (taken, el, th) == (0.0, 0.0, 0.0)


def test_two_engines_share_the_gas_and_one_stops_when_sharing_is_below_minimum():
    plant = _system(units=2, curve="bsm2-python").chp  # minimum load 0.54
    taken, el, _ = chp_output(1.2 * 2400.0, plant)  # both at 0.60
    assert taken == pytest.approx(2880.0)
    eta = 0.373 + (0.60 - 0.54) / 0.46 * (0.408 - 0.373)
    assert el == pytest.approx(2880.0 * eta, rel=ROUND_OFF)
    taken, el, _ = chp_output(1.05 * 2400.0, plant)  # sharing: 0.525 < 0.54 → one engine, full
    assert taken == pytest.approx(2400.0) and el == pytest.approx(2400.0 * 0.408)
    taken, _, _ = chp_output(3.0 * 2400.0, plant)  # more than both can take
    assert taken == pytest.approx(4800.0)


def test_boiler_covers_the_heat_shortfall_and_the_rest_is_flared():
    # 3,000 kWh/d of gas, one engine of 2,400 kWh/d at full load, heat demand 1,500 kWh/d
    b = energy_balance(_methane(3000.0), 1500.0, {"aeration": 2000.0}, system=_system())
    assert b.chp_gas_kwh_per_d == pytest.approx(2400.0)
    assert b.chp_heat_kwh_per_d == pytest.approx(1024.8)
    boiler_gas = (1500.0 - 1024.8) / 0.9
    assert b.boiler_gas_kwh_per_d == pytest.approx(boiler_gas)
    assert b.boiler_heat_kwh_per_d == pytest.approx(1500.0 - 1024.8)
    assert b.flared_kwh_per_d == pytest.approx(600.0 - boiler_gas)
    assert b.heat_self_sufficiency == pytest.approx(1.0)
    assert b.external_heat_kwh_per_d == pytest.approx(0.0, abs=1e-9)
    assert b.electricity_self_sufficiency == pytest.approx(928.8 / 2000.0)
    assert b.grid_import_kwh_per_d == pytest.approx(2000.0 - 928.8)
    assert b.closure_error_kwh_per_d == pytest.approx(0.0, abs=1e-9)


def test_heat_the_gas_cannot_cover_is_bought_in():
    b = energy_balance(_methane(3000.0), 5000.0, {"other": 100.0}, system=_system())
    assert b.boiler_heat_kwh_per_d == pytest.approx(600.0 * 0.9)
    assert b.external_heat_kwh_per_d == pytest.approx(5000.0 - 1024.8 - 540.0)
    assert b.heat_self_sufficiency == pytest.approx((1024.8 + 540.0) / 5000.0)
    assert b.flared_kwh_per_d == pytest.approx(0.0, abs=1e-9)
    assert b.export_kwh_per_d == pytest.approx(928.8 - 100.0)  # more made than used


def test_heat_led_chp_makes_only_the_heat_demanded():
    # demand 700 kWh/d: at load x, heat = 2400·x·η_th(x); 0.6·2400·(0.459 − 0.1·0.084) = 648.9 …
    b = energy_balance(_methane(3000.0), 700.0, {"other": 100.0}, system=_system(mode="heat-led"))
    assert b.chp_heat_kwh_per_d == pytest.approx(700.0, rel=1e-9)
    load = b.chp_gas_kwh_per_d / 2400.0
    assert 0.5 < load < 0.75
    assert b.chp_gas_kwh_per_d * (0.459 + (load - 0.5) / 0.25 * (0.438 - 0.459)) == pytest.approx(700.0)
    assert b.heat_dumped_kwh_per_d == pytest.approx(0.0, abs=1e-6)
    assert b.flared_kwh_per_d == pytest.approx(3000.0 - b.chp_gas_kwh_per_d)


def test_bsm2_closed_loop_energy_self_sufficiency_by_hand():
    # MP 1,085.36 kg/d, AE+PE+ME = 4,225.43 + 445.45 + 768 kWh/d (third-party official-model run)
    uses = {"aeration": 4225.43, "pumping": 445.45, "mixing": 768.0}
    b = energy_balance(1085.36, 4000.0, uses, treated_m3_per_d=20661.0)
    gas = 1085.36 * E_CH4
    load = gas / (2 * 24 * 610.0)  # two engines of 610 kW share the gas: 0.51498
    eta_el = 0.349 + (load - 0.5) / 0.25 * (0.370 - 0.349)
    assert b.chp_electricity_kwh_per_d == pytest.approx(gas * eta_el, rel=ROUND_OFF)
    assert b.electricity_self_sufficiency == pytest.approx(gas * eta_el / 5438.88, rel=ROUND_OFF)
    assert b.electricity_self_sufficiency == pytest.approx(0.971, abs=0.001)
    assert b.electricity_kwh_per_m3 == pytest.approx(5438.88 / 20661.0)
    assert b.chp_methane_slip_kg_per_d == pytest.approx(0.015 * 1085.36)


def test_bsm2_open_loop_heat_is_covered_by_the_chp():
    # MP 1,058.7 kg/d, HE 4,152.7 kWh/d (our bsm2-python run [M]); HE < CHP heat
    b = energy_balance(1058.7, 4152.7, {"aeration": 4000.0, "pumping": 440.84, "mixing": 768.0})
    gas = 1058.7 * E_CH4
    load = gas / (2 * 24 * 610.0)
    eta_th = 0.459 + (load - 0.5) / 0.25 * (0.438 - 0.459)
    assert b.heat_self_sufficiency == pytest.approx(1.0)
    assert b.heat_dumped_kwh_per_d == pytest.approx(gas * eta_th - 4152.7, rel=ROUND_OFF)
    assert b.boiler_gas_kwh_per_d == 0.0 and b.flared_kwh_per_d == 0.0
    total = (b.chp_electricity_kwh_per_d + 4152.7) / (5208.84 + 4152.7)
    assert b.total_self_sufficiency == pytest.approx(total, rel=ROUND_OFF)


def test_series_are_netted_per_step_and_averaged():
    # two equal steps: CHP makes 928.8 kWh/d in both; use 500 then 1,500 kWh/d
    b = energy_balance(_methane(2400.0), 0.0, {"aeration": np.array([500.0, 1500.0])}, system=_system())
    assert b.export_kwh_per_d == pytest.approx((928.8 - 500.0) / 2)
    assert b.grid_import_kwh_per_d == pytest.approx((1500.0 - 928.8) / 2)
    assert b.electricity_use_kwh_per_d["aeration"] == pytest.approx(1000.0)
    assert math.isnan(b.heat_self_sufficiency)
    assert b.as_dict()["heat_self_sufficiency"] is None  # JSON has no NaN


@settings(max_examples=60, deadline=None)
@given(methane=st.lists(st.floats(0.0, 3000.0), min_size=1, max_size=8),
       demand=st.floats(0.0, 20000.0), use=st.floats(0.0, 20000.0),
       units=st.integers(0, 3), mode=st.sampled_from(energy.MODES),
       curve=st.sampled_from(["2g-agenitor-206bg", "bsm2-python"]))
def test_energy_balance_closes(methane, demand, use, units, mode, curve):
    b = energy_balance(np.array(methane), demand, {"other": use},
                       system=_system(units=units, rated_kw=300.0, curve=curve, slip=0.02, mode=mode))
    assert abs(b.closure_error_kwh_per_d) <= 1e-9 * max(1.0, b.gas_energy_kwh_per_d)
    flows = (b.chp_gas_kwh_per_d, b.boiler_gas_kwh_per_d, b.flared_kwh_per_d, b.chp_losses_kwh_per_d,
             b.boiler_losses_kwh_per_d, b.heat_dumped_kwh_per_d, b.external_heat_kwh_per_d)
    assert min(flows) >= -1e-9 * max(1.0, b.gas_energy_kwh_per_d)
    assert b.chp_gas_kwh_per_d + b.boiler_gas_kwh_per_d + b.flared_kwh_per_d == pytest.approx(
        b.gas_energy_kwh_per_d, rel=1e-12, abs=1e-9)
    if mode == "heat-led":
        assert b.heat_dumped_kwh_per_d <= 1e-6 * max(1.0, demand)


def test_unknown_curve_lists_the_known_ones():
    with pytest.raises(InputError, match="2g-agenitor-206bg, bsm2-python"):
        chp_curve("jenbacher")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"methane_kg_per_d": -1.0}, "methane_kg_per_d"),
    ({"heat_demand_kwh_per_d": [1.0, 2.0, 3.0]}, "different lengths"),
    ({"electricity_use_kwh_per_d": {}}, "at least one use"),
    ({"electricity_use_kwh_per_d": {"aeration": float("nan")}}, "aeration"),
])
def test_bad_inputs_are_named(kwargs, match):
    args = {"methane_kg_per_d": [1000.0, 1000.0], "heat_demand_kwh_per_d": 4000.0,
            "electricity_use_kwh_per_d": {"aeration": 4000.0}, **kwargs}
    with pytest.raises(InputError, match=match):
        energy_balance(**args)


def test_bad_equipment_is_refused():
    with pytest.raises(InputError, match="mode"):
        energy.bsm2_energy_system(mode="gas-led")
    with pytest.raises(InputError, match="boiler_efficiency"):
        energy.bsm2_energy_system(boiler_efficiency=1.2)
    with pytest.raises(InputError, match="load points"):
        energy.ChpCurve("bad", (0.5, 0.9), (0.3, 0.35), (0.4, 0.45))


def test_as_dict_holds_flows_and_ratios():
    d = energy_balance(1058.7, 4152.7, {"aeration": 4000.0}).as_dict()
    assert d["electricity_use_kwh_per_d"] == {"aeration": 4000.0}
    assert d["heat_self_sufficiency"] == pytest.approx(1.0)
    assert d["closure_error_kwh_per_d"] == pytest.approx(0.0, abs=1e-9)


def test_balance_pickles_for_the_process_pool():
    b = energy_balance(1058.7, 4152.7, {"aeration": 4000.0})
    assert pickle.loads(pickle.dumps(b)) == b
