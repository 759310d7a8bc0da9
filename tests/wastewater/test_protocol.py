"""BSM1 protocol and evaluation of a run: wiring (fast) and validation against the published
dry-weather results (slow; Alex et al. 2008, Appendix 2, as transcribed in
``data/bsm1_dry_weather_evaluation.csv``; sources in ``data/SOURCES.md``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.errors import InputError
from ecocity.wastewater import evaluation
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.protocol import evaluate, run_bsm1_protocol, window_d
from ecocity.wastewater.run import with_last_tank_aeration
from ecocity.wastewater.simulate import simulate, steady_state

REFERENCE = pd.read_csv(Path(__file__).parent / "data" / "bsm1_dry_weather_evaluation.csv", comment="#")
#: One 15-min sample of the evaluation window. [d]
SAMPLE_D = 1.0 / 96.0


@pytest.fixture(scope="module")
def plant():
    return load_plant("bsm1")


@pytest.fixture(scope="module")
def steady(plant):
    return steady_state(plant)


# --- wiring (fast) -----------------------------------------------------------------------------


def test_unknown_weather_and_control_are_refused(plant):
    with pytest.raises(InputError, match="unknown weather 'snow'"):
        run_bsm1_protocol(plant, "snow")
    with pytest.raises(InputError, match="unknown control 'fuzzy'"):
        run_bsm1_protocol(plant, "dry", control="fuzzy")


def test_evaluation_of_a_steady_run_charges_the_layout_and_closes_the_sludge_balance(plant, steady):
    """One day of constant influent at the open-loop steady state: AE, PE, ME are the layout's
    constants (hand values in docs/methods/wastewater-evaluation.md), the sludge inventory does not
    change, so SP is the wastage Q_w·X_bottom, and EQI is that of the steady effluent."""
    constant = read_influent("constant").iloc[:1]
    times = np.arange(96) * SAMPLE_D
    influent = pd.DataFrame(
        np.repeat(constant.to_numpy(), 96, axis=0), columns=constant.columns, index=pd.Index(times, name="t")
    )
    run = simulate(plant, influent, initial=steady.state, days=1.0)
    criteria = evaluate(run, plant, influent, start_d=0.0, stop_d=1.0)
    assert criteria.aeration_energy_kwh_per_d == pytest.approx(3341.39, rel=1e-5)
    assert criteria.pumping_energy_kwh_per_d == pytest.approx(388.17, rel=1e-5)
    assert criteria.mixing_energy_kwh_per_d == pytest.approx(240.0, rel=1e-12)
    wastage = 385.0 * steady.settler_tss_g_per_m3[-1] / 1000.0
    assert criteria.sludge_production_kg_per_d == pytest.approx(wastage, rel=1e-4)
    effluent = pd.DataFrame([steady.effluent.to_numpy()] * 2, columns=steady.effluent.index, index=[0.0, 1.0])
    effluent["Q"] = steady.effluent_flow_m3_per_d
    expected_eqi = evaluation.quality_index_kg_pu_per_d(effluent, influent=False, start_d=0.0, stop_d=1.0)
    assert criteria.effluent_quality_index_kg_pu_per_d == pytest.approx(expected_eqi, rel=1e-4)


def test_a_do_setpoint_tank_is_charged_the_kla_its_oxygen_balance_needs(plant, steady):
    """Holding tank 5 at its own open-loop steady-state DO, the charged KLa is the layout's 84 1/d
    there, so the aeration energy is the open loop's (3341.39 kWh/d)."""
    held = with_last_tank_aeration(plant, do_setpoint_g_per_m3=float(steady.tanks.iloc[-1]["S_O"]))
    constant = read_influent("constant").iloc[:1]
    influent = pd.DataFrame(
        np.repeat(constant.to_numpy(), 2, axis=0), columns=constant.columns, index=pd.Index([0.0, 1.0], name="t")
    )
    run = simulate(held, influent, initial=steady.state, days=1.0)
    criteria = evaluate(run, held, influent, start_d=0.0, stop_d=1.0)
    assert criteria.aeration_energy_kwh_per_d == pytest.approx(3341.39, rel=1e-4)


def test_a_run_cut_short_of_day_14_is_evaluated_over_its_whole_length():
    assert window_d(0.0, 14.0) == (7.0, 14.0)
    assert window_d(0.0, 20.0) == (7.0, 14.0)
    assert window_d(0.0, 10.0) == (0.0, 10.0)
    assert window_d(8.0, 20.0) == (8.0, 20.0)


def test_controllers_are_refused_with_open_loop(plant):
    with pytest.raises(InputError, match="controllers apply to control 'default'"):
        run_bsm1_protocol(plant, "dry", control="open", controllers=())


# --- validation against the published dry-weather results (slow) ------------------------------


def _measured(result) -> dict[str, float]:
    """The criteria of a protocol run under the reference file's quantity names."""
    criteria, effluent = result.evaluation, result.run.effluent
    weights = evaluation.window_weights_d(effluent.index, 7.0, 14.0)
    tss = evaluation.total_suspended_solids(effluent)
    values = {
        "EQI": criteria.effluent_quality_index_kg_pu_per_d,
        "SP": criteria.sludge_production_kg_per_d,
        "PE": criteria.pumping_energy_kwh_per_d,
        "AE": criteria.aeration_energy_kwh_per_d,
        "OCI": criteria.operational_cost_index,
        "effluent_sludge": evaluation.time_average(tss * effluent["Q"] / 1000.0, weights),
        "mean_TSS": evaluation.flow_weighted_mean(tss, effluent["Q"], weights),
        "mean_Q": evaluation.time_average(effluent["Q"], weights),
    }
    for name, violation in criteria.violations.items():
        values[f"violation_time_{name}"] = violation.time_d
        values[f"violation_count_{name}"] = violation.count
    for column in effluent.columns.drop("Q"):
        values[f"mean_{column}"] = evaluation.flow_weighted_mean(effluent[column], effluent["Q"], weights)
    return values


@pytest.fixture(scope="module")
def open_loop(plant):
    return _measured(run_bsm1_protocol(plant, "dry", control="open"))


@pytest.fixture(scope="module")
def closed_loop(plant):
    return _measured(run_bsm1_protocol(plant, "dry", control="default"))


def _rows(control: str):
    rows = REFERENCE[REFERENCE["control"] == control]
    return [pytest.param(r.quantity, float(r.value), id=r.quantity) for r in rows.itertuples()]


def _check(measured: dict[str, float], quantity: str, published: float, rel: float) -> None:
    if quantity.startswith("violation_count_"):
        assert measured[quantity] == published, quantity
    elif published == 0.0:
        assert measured[quantity] == 0.0, quantity
    else:
        assert measured[quantity] == pytest.approx(published, rel=rel), quantity


@pytest.mark.slow
@pytest.mark.parametrize(("quantity", "published"), _rows("open"))
def test_open_loop_dry_weather_matches_the_published_results(open_loop, quantity, published):
    """Open loop, dry weather: every criterion, violation and effluent mean within 1 % (counts
    exactly). Measured: max 0.66 % (S_NH mean 4.762 vs 4.794; effluent sludge 234.5 vs 233)."""
    _check(open_loop, quantity, published, rel=0.01)


#: The published closed loop has the benchmark's sensors (DO class A, T90 1 min; nitrate class
#: B0, 10-min delay, noise); ecocity's are ideal. Time above the TN limit is counted in 15-min
#: samples near the limit and is the one criterion this moves beyond 1 %: ecocity is 6 samples
#: (0.0625 d, 4.9 %) short; allowed: 7 samples.
CLOSED_LOOP_TN_VIOLATION_TOLERANCE_D = 7 * SAMPLE_D


@pytest.mark.slow
@pytest.mark.parametrize(("quantity", "published"), _rows("default"))
def test_closed_loop_dry_weather_matches_the_published_results(closed_loop, quantity, published):
    """Default closed loop (ideal sensors), dry weather: criteria within 1 % (measured max 0.87 %,
    S_NH violation time), counts exactly; TN violation time within 7 samples (see above)."""
    if quantity == "violation_time_TN":
        assert closed_loop[quantity] == pytest.approx(published, abs=CLOSED_LOOP_TN_VIOLATION_TOLERANCE_D)
    else:
        _check(closed_loop, quantity, published, rel=0.01)


@pytest.fixture(scope="module")
def closed_loop_benchmark_sensors(plant):
    return _measured(run_bsm1_protocol(plant, "dry", control="default", sensors="benchmark"))


#: With the benchmark's sensor and actuator models (no noise) the time above the TN limit is
#: 4 samples (0.042 d, 3.3 %) short of the published run, which also has the sensors' noise;
#: allowed: 5 samples.
BENCHMARK_SENSORS_TN_VIOLATION_TOLERANCE_D = 5 * SAMPLE_D


@pytest.mark.slow
@pytest.mark.parametrize(("quantity", "published"), _rows("default"))
def test_closed_loop_with_benchmark_sensors_matches_the_published_results(
    closed_loop_benchmark_sensors, quantity, published
):
    """Default closed loop with the DO class-A and nitrate class-B0 sensors and the KLa5 actuator
    (sensorinit.m; noise left out), dry weather: criteria within 1 % (measured: EQI −0.03 %,
    PE +0.26 %, SP +0.10 %, S_NH violation time +0.87 %), counts exactly; TN violation time
    within 5 samples (see above)."""
    if quantity == "violation_time_TN":
        measured = closed_loop_benchmark_sensors[quantity]
        assert measured == pytest.approx(published, abs=BENCHMARK_SENSORS_TN_VIOLATION_TOLERANCE_D)
    else:
        _check(closed_loop_benchmark_sensors, quantity, published, rel=0.01)


@pytest.fixture(scope="module")
def closed_loop_noisy_sensors(plant):
    return _measured(run_bsm1_protocol(plant, "dry", control="default", sensors="benchmark", noise="seeded"))


@pytest.mark.slow
@pytest.mark.parametrize(("quantity", "published"), _rows("default"))
def test_closed_loop_with_noisy_benchmark_sensors_matches_the_published_results(
    closed_loop_noisy_sensors, quantity, published
):
    """As above with the sensors' measurement noise (seeded, SD 0.25 g O₂/m³ and 0.5 g N/m³ held
    per minute; numpy's sequence, not the benchmark's sensornoise.mat): criteria within 1 %
    (measured: EQI −0.04 %, PE +0.38 %, SP +0.10 %, OCI +0.09 %, S_NH violation time +0.87 %),
    counts exactly; TN violation time within 5 samples (measured 3 short)."""
    if quantity == "violation_time_TN":
        measured = closed_loop_noisy_sensors[quantity]
        assert measured == pytest.approx(published, abs=BENCHMARK_SENSORS_TN_VIOLATION_TOLERANCE_D)
    else:
        _check(closed_loop_noisy_sensors, quantity, published, rel=0.01)


def test_unknown_sensors_are_refused(plant):
    with pytest.raises(InputError, match="unknown sensors 'noisy'"):
        run_bsm1_protocol(plant, "dry", control="default", sensors="noisy")


def test_noise_needs_the_benchmark_sensors(plant):
    with pytest.raises(InputError, match="noise applies to the benchmark sensors"):
        run_bsm1_protocol(plant, "dry", control="default", noise="seeded")
    with pytest.raises(InputError, match="unknown noise 'loud'"):
        run_bsm1_protocol(plant, "dry", control="default", sensors="benchmark", noise="loud")
