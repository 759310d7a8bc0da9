"""BSM1 open loop, constant influent, steady state: against the published MATLAB reference.

References (tests/wastewater/data/SOURCES.md):
* Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1), IWA Task Group on Benchmarking
  of Control Strategies for WWTPs, Lund University; open-loop steady-state results table
  (p. 36): tanks 1–5, underflow, effluent (``bsm1_openloop_steady_state.csv``).
* The official MATLAB/Simulink model run to steady state at full precision (effluent and the
  10 settler layers), as kept in FAU-EVT/bsm2-python ``tests/bsm1_ol_test.py``
  (``bsm1_openloop_matlab_effluent.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.wastewater import asm1
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel
from ecocity.wastewater.simulate import steady_state

DATA = Path(__file__).parent / "data"
#: The issue's acceptance tolerance for the steady state: 0.5 %.
REL_TOL_BENCHMARK = 0.005
#: Published values carry 5 significant digits; the smallest (tank 2 S_O = 0.0000631) only 3.
#: We meet the benchmark tolerance everywhere; measured max errors are in docs/methods/wastewater.md.
PARAMETERS = asm1.load_parameters("bsm1")


@pytest.fixture(scope="module")
def bsm1_steady():
    return steady_state(load_plant("bsm1"))


@pytest.fixture(scope="module")
def published():
    return pd.read_csv(DATA / "bsm1_openloop_steady_state.csv", index_col="unit")


@pytest.fixture(scope="module")
def matlab():
    return pd.read_csv(DATA / "bsm1_openloop_matlab_effluent.csv", index_col="quantity")["value"]


def _with_tss(states: pd.Series) -> pd.Series:
    out = states.copy()
    out["TSS"] = float(asm1.total_suspended_solids(states.to_numpy(), PARAMETERS))
    return out


@pytest.mark.parametrize("unit", ["tank1", "tank2", "tank3", "tank4", "tank5"])
def test_tank_states_match_the_published_bsm1_steady_state(bsm1_steady, published, unit):
    ours = _with_tss(bsm1_steady.tanks.loc[unit])
    for name, reference in published.loc[unit].items():
        assert ours[name] == pytest.approx(reference, rel=REL_TOL_BENCHMARK), f"{unit} {name}"


@pytest.mark.parametrize("unit", ["effluent", "underflow"])
def test_settler_outlets_match_the_published_bsm1_steady_state(bsm1_steady, published, unit):
    ours = _with_tss(getattr(bsm1_steady, unit))
    for name, reference in published.loc[unit].items():
        assert ours[name] == pytest.approx(reference, rel=REL_TOL_BENCHMARK), f"{unit} {name}"


def test_effluent_matches_the_full_precision_matlab_run(bsm1_steady, matlab):
    ours = _with_tss(bsm1_steady.effluent)
    for name in [*asm1.STATES, "TSS"]:
        assert ours[name] == pytest.approx(matlab[name], rel=REL_TOL_BENCHMARK), name
    assert bsm1_steady.effluent_flow_m3_per_d == pytest.approx(matlab["Q"], rel=1e-9)


def test_settler_profile_matches_the_matlab_run(bsm1_steady, matlab):
    reference = matlab[[name for name in matlab.index if name.startswith("tss_layer_")]].to_numpy()
    np.testing.assert_allclose(bsm1_steady.settler_tss_g_per_m3, reference, rtol=REL_TOL_BENCHMARK)


def test_steady_state_is_stationary(bsm1_steady):
    assert bsm1_steady.residual_norm < 1e-6  # g/(m³·d), against states up to 6400 g/m³


def _reaction_totals(state, model):
    """Σ_k V_k r(C_k) per state [g/d], and the N2 produced by denitrification [g N/d]."""
    tanks, _, _ = model.split(state)
    reactions = asm1.conversion_rates(tanks, model.asm1_parameters)
    n2 = asm1.nitrogen_to_n2_rate(tanks, model.asm1_parameters)
    return (model.volume_m3[:, None] * reactions).sum(axis=0), float(model.volume_m3 @ n2)


def test_cod_balance_closes(bsm1_steady):
    """Q_in COD_in = Q_e COD_e + Q_w COD_w + COD converted, where the COD converted in the
    tanks equals O2 taken up minus 4.57 × net nitrate formed minus 1.71 × N2 formed (ASM1
    continuity; the settler is non-reactive)."""
    model = PlantModel.from_layout(load_plant("bsm1"))
    s = bsm1_steady
    total, n2 = _reaction_totals(s.state, model)
    converted = -total[:7].sum()  # organic COD removed by reactions [g/d]
    cod = asm1.chemical_oxygen_demand
    inflow = s.influent_flow_m3_per_d * cod(s.influent.to_numpy())
    outflow = s.effluent_flow_m3_per_d * cod(s.effluent.to_numpy()) + s.wastage_m3_per_d * cod(s.underflow.to_numpy())
    assert inflow == pytest.approx(outflow + converted, rel=1e-9)
    i = asm1.INDEX
    oxygen_uptake = -total[i["S_O"]]
    electron_acceptors = oxygen_uptake - asm1.COD_PER_NITRATE_N * total[i["S_NO"]] - asm1.COD_PER_N2_N * n2
    assert converted == pytest.approx(electron_acceptors, rel=1e-12)
    assert converted / inflow == pytest.approx(0.48, abs=0.1)  # plausibility: about half oxidised


def test_nitrogen_balance_closes(bsm1_steady):
    """Q_in TN_in = Q_e TN_e + Q_w TN_w + N2 from denitrification (BSM1 TN incl. X_I, X_P N)."""
    model = PlantModel.from_layout(load_plant("bsm1"))
    s = bsm1_steady
    _, n2 = _reaction_totals(s.state, model)
    tn = lambda x: float(asm1.total_nitrogen(x.to_numpy(), PARAMETERS))  # noqa: E731
    inflow = s.influent_flow_m3_per_d * tn(s.influent)
    outflow = s.effluent_flow_m3_per_d * tn(s.effluent) + s.wastage_m3_per_d * tn(s.underflow)
    assert inflow == pytest.approx(outflow + n2, rel=1e-9)
    assert n2 > 0.3 * inflow  # open-loop BSM1 denitrifies a substantial share
