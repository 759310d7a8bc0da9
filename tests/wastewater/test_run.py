"""The plant orchestrator: wiring of simulation, evaluation and compliance (numbers pinned elsewhere),
and the CLI's path to the benchmark's dry-weather numbers (Alex et al. 2008, Appendix 2, as
transcribed in ``data/bsm1_dry_weather_evaluation.csv``; sources in ``data/SOURCES.md``)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.protocol import required_kla_per_d
from ecocity.wastewater.run import AREA, run_plant, with_last_tank_aeration

REFERENCE = pd.read_csv(Path(__file__).parent / "data" / "bsm1_dry_weather_evaluation.csv", comment="#")


@pytest.fixture(scope="module")
def steady():
    return run_plant("bsm1")


def test_steady_state_summary_has_effluent_evaluation_compliance_and_energy(steady):
    summary = steady.figures["plant"]
    assert steady.area == AREA and summary["mode"] == "steady_state"
    assert {"S_S", "S_NH", "S_NO", "S_O", "TSS", "COD", "BOD5", "TKN", "TN", "Q"} <= set(summary["effluent"])
    assert summary["effluent"]["Q"] == pytest.approx(18061.0, rel=1e-9)  # influent 18446 − wastage 385
    # hand-checked BSM1 open-loop rates (docs/methods/wastewater-evaluation.md): AE, ME, PE
    assert summary["evaluation"]["AE"] == pytest.approx(3341.39, rel=1e-5)
    assert summary["evaluation"]["ME"] == pytest.approx(240.0, rel=1e-12)
    assert summary["evaluation"]["PE"] == pytest.approx(388.17, rel=1e-6)
    energy = summary["energy"]
    parts = energy["aeration_kwh_per_m3"] + energy["pumping_kwh_per_m3"] + energy["mixing_kwh_per_m3"]
    assert energy["kwh_per_m3"] == pytest.approx(parts, rel=1e-12)
    assert [c["standard"] for c in summary["compliance"]] == ["gb18918_2002_1a"]


def test_indicators_carry_the_first_standards_limits(steady):
    nh = steady.indicator("effluent_nh3_n_g_per_m3")
    assert nh.value == pytest.approx(steady.figures["plant"]["effluent"]["S_NH"])
    assert nh.target == 5.0 and nh.passed is True
    tss = steady.indicator("effluent_tss_g_per_m3")
    assert tss.passed is (tss.value <= tss.target)


def test_a_do_setpoint_tank_is_charged_the_aeration_its_oxygen_balance_needs():
    layout = with_last_tank_aeration(load_plant("bsm1"), do_setpoint_g_per_m3=2.0)
    summary = run_plant(layout).figures["plant"]
    assert summary["effluent"]["S_O"] == pytest.approx(2.0, abs=1e-6)
    # tanks 3 and 4 as the layout says; tank 5 more than the open loop's 84 1/d to hold 2 g/m³
    assert summary["evaluation"]["AE"] > 8 / 1800 * 1333 * (240 + 240 + 84)


def test_required_kla_reproduces_a_fixed_kla_at_its_own_steady_state():
    from ecocity.wastewater.plant import PlantModel
    from ecocity.wastewater.simulate import steady_state

    layout = load_plant("bsm1")
    state = steady_state(layout)
    pinned = with_last_tank_aeration(layout, do_setpoint_g_per_m3=float(state.tanks.iloc[-1]["S_O"]))
    model = PlantModel.from_layout(pinned)
    kla = required_kla_per_d(model, state.state, state.influent.to_numpy(), state.influent_flow_m3_per_d)
    assert kla == pytest.approx(np.array([0, 0, 240, 240, 84.0]), rel=1e-4)


def test_a_short_dynamic_run_is_evaluated_over_the_whole_run(steady):
    result = run_plant("bsm1", influent="dry", days=0.25)
    summary = result.figures["plant"]
    assert summary["mode"] == "dynamic" and summary["window_d"] == [0.0, 0.25]
    effluent = result.series["effluent"]
    assert effluent.index[0] == 0.0 and effluent.index[-1] < 0.25 and len(effluent) == 24
    # a benchmark file starts after the protocol's 14 days of dry weather, not at the steady state
    assert effluent["S_NH"].iloc[0] != pytest.approx(steady.figures["plant"]["effluent"]["S_NH"], rel=0.01)


@pytest.fixture(scope="module")
def user_file(tmp_path_factory):
    """The first two days of the dry-weather file as a user file (16-column layout)."""
    path = tmp_path_factory.mktemp("influent") / "two_days.txt"
    read_influent("dry").iloc[: 2 * 96].to_csv(path, sep=" ", header=False, float_format="%.10g")
    return path


def test_progress_counts_days_of_samples_of_a_user_file(user_file):
    calls = []
    run_plant("bsm1", influent=user_file, days=1.5, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_progress_counts_the_protocol_stages_of_a_benchmark_file():
    calls = []
    run_plant("bsm1", influent="dry", days=0.5, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]  # open loop: 14 days of dry weather, the evaluated file


@pytest.mark.slow
def test_dry_weather_closed_loop_gives_the_published_eqi():
    """``ecocity wastewater simulate bsm1 --influent dry --control default``: EQI within 1 % of
    the published 6123 kg PU/d (Alex et al. 2008, Appendix 2), the protocol's validated number."""
    published = REFERENCE.query("control == 'default' and quantity == 'EQI'")["value"].item()
    summary = run_plant("bsm1", influent="dry", control="default").figures["plant"]
    assert summary["window_d"] == [7.0, 14.0] and summary["days"] == pytest.approx(14.0)
    assert summary["evaluation"]["EQI"] == pytest.approx(published, rel=0.01)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"days": 3.0}, "dynamic influents"),
        ({"standards": ["gb_nonsense"]}, "unknown effluent standard"),
        ({"control": "fuzzy"}, "unknown control"),
        ({"influent": "monsoon"}, "no such influent file"),
        ({"influent": "dry", "days": 0.005}, "second influent sample"),
    ],
)
def test_bad_requests_are_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        run_plant("bsm1", **kwargs)


def test_closed_loop_with_constant_influent_is_refused():
    with pytest.raises(InputError, match="closed loop needs a dynamic influent|not available yet"):
        run_plant("bsm1", control="default")


@pytest.mark.slow
def test_benchmark_sensors_bring_the_closed_loop_eqi_closer_to_the_published_one():
    """With the benchmark's DO/nitrate sensor and KLa actuator models (no noise), EQI within 0.1 %
    of the published 6123 kg PU/d (Alex et al. 2008, Appendix 2); ideal sensors give −0.15 %."""
    published = REFERENCE.query("control == 'default' and quantity == 'EQI'")["value"].item()
    summary = run_plant("bsm1", influent="dry", control="default", sensors="benchmark").figures["plant"]
    assert summary["evaluation"]["EQI"] == pytest.approx(published, rel=0.001)


def test_sensor_models_need_the_closed_loop():
    with pytest.raises(InputError, match="sensors"):
        run_plant("bsm1", influent="dry", control="open", sensors="benchmark")
