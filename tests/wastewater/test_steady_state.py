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
from ecocity.wastewater.plant import PlantModel, inventory_rates
from ecocity.wastewater.simulate import default_initial_state, steady_state

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
    assert bsm1_steady.residual_norm < 1e-4  # g/(m³·d), against states up to 6400 g/m³


def _balance_terms(model, y, influent, influent_flow):
    """Per ASM1 state [g/d]: in, out (effluent + wastage), conversion Σ V r, accumulation; N2 [g N/d]."""
    tanks, _, _ = model.split(y)
    p = model.asm1_parameters
    reactions = (model.volume_m3[:, None] * asm1.conversion_rates(tanks, p)).sum(axis=0)
    n2 = float(model.volume_m3 @ asm1.nitrogen_to_n2_rate(tanks, p))
    effluent, underflow = model.settler_outlets(y)
    inflow = influent_flow * influent
    outflow = (influent_flow - model.wastage_m3_per_d) * effluent + model.wastage_m3_per_d * underflow
    accumulation = inventory_rates(model, y, model.derivatives(y, influent, influent_flow))
    return inflow, outflow, reactions, accumulation, n2


COD_WEIGHTS = np.array([1.0] * 7 + [0.0] * 6)  # organic COD states
TN_WEIGHTS = np.array([0, 0, PARAMETERS.i_XP, 0, PARAMETERS.i_XB, PARAMETERS.i_XB, PARAMETERS.i_XP,
                       0, 1, 1, 1, 1, 0])  # fmt: skip


@pytest.fixture(scope="module")
def bsm1_model():
    return PlantModel.from_layout(load_plant("bsm1"))


def test_cod_balance_closes(bsm1_steady, bsm1_model):
    """Q_in COD_in = Q_e COD_e + Q_w COD_w + COD converted + accumulation (≈ 0 at steady state).

    The COD converted in the tanks equals the O2 taken up minus 4.57 × net nitrate formed minus
    1.71 × N2 formed (ASM1 continuity); the settler is non-reactive.
    """
    s = bsm1_steady
    inflow, outflow, reactions, accumulation, n2 = _balance_terms(
        bsm1_model, s.state, s.influent.to_numpy(), s.influent_flow_m3_per_d
    )
    converted = -COD_WEIGHTS @ reactions
    assert COD_WEIGHTS @ inflow == pytest.approx(
        COD_WEIGHTS @ outflow + converted + COD_WEIGHTS @ accumulation, rel=1e-12
    )
    assert abs(COD_WEIGHTS @ accumulation) < 1e-8 * (COD_WEIGHTS @ inflow)  # steady
    i = asm1.INDEX
    electron_acceptors = -reactions[i["S_O"]] - asm1.COD_PER_NITRATE_N * reactions[i["S_NO"]] - asm1.COD_PER_N2_N * n2
    assert converted == pytest.approx(electron_acceptors, rel=1e-12)
    assert converted / (COD_WEIGHTS @ inflow) == pytest.approx(0.5, abs=0.1)  # about half oxidised


def test_nitrogen_balance_closes(bsm1_steady, bsm1_model):
    """Q_in TN_in = Q_e TN_e + Q_w TN_w + N2 from denitrification + accumulation (BSM1 TN)."""
    s = bsm1_steady
    inflow, outflow, reactions, accumulation, n2 = _balance_terms(
        bsm1_model, s.state, s.influent.to_numpy(), s.influent_flow_m3_per_d
    )
    assert TN_WEIGHTS @ reactions == pytest.approx(-n2, rel=1e-12)
    assert TN_WEIGHTS @ inflow == pytest.approx(TN_WEIGHTS @ outflow + n2 + TN_WEIGHTS @ accumulation, rel=1e-12)
    assert abs(TN_WEIGHTS @ accumulation) < 1e-8 * (TN_WEIGHTS @ inflow)
    assert n2 > 0.3 * (TN_WEIGHTS @ inflow)  # open-loop BSM1 denitrifies a substantial share


def test_balances_hold_away_from_steady_state(bsm1_model):
    """The plant equations conserve COD and N at any state: in = out + conversion + accumulation."""
    y = default_initial_state(bsm1_model) * np.random.default_rng(3).uniform(0.5, 1.5, bsm1_model.size)
    influent = np.array([30, 69.5, 51.2, 202.32, 28.17, 0, 0, 0, 0, 31.56, 6.95, 10.59, 7.0])
    inflow, outflow, reactions, accumulation, n2 = _balance_terms(bsm1_model, y, influent, 18446.0)
    assert abs(COD_WEIGHTS @ accumulation) > 1e3  # really not at steady state
    assert COD_WEIGHTS @ inflow == pytest.approx(COD_WEIGHTS @ (outflow - reactions + accumulation), rel=1e-12)
    assert TN_WEIGHTS @ inflow == pytest.approx(TN_WEIGHTS @ (outflow + accumulation) + n2, rel=1e-12)
