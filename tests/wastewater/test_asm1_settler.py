"""ASM1 (BSM1 variant) rates and stoichiometry, the Takács settler, and the solver's Jacobian pattern."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.errors import InputError
from ecocity.wastewater import asm1, settler
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel
from ecocity.wastewater.simulate import _dense_jacobian, default_initial_state, jacobian_sparsity

P = asm1.load_parameters("bsm1")
NU = asm1.stoichiometry(P)
I = asm1.INDEX
N2 = np.zeros(8)
N2[1] = (1 - P.Y_H) / (asm1.NITRATE_COD_AS_ACCEPTOR * P.Y_H)
# A tank-1-like state (BSM1 steady state, Alex et al. 2008)
TANK1 = np.array([30, 2.8082, 1149.1, 82.135, 2551.8, 148.39, 448.85, 0.0043, 5.3699, 7.9179, 1.2166, 5.2849, 4.9277])


def test_bsm1_parameters_are_the_15_degree_set():
    # Alex et al. (2008), BSM1 description, Tables 1–2.
    expected = {"Y_A": 0.24, "Y_H": 0.67, "f_P": 0.08, "i_XB": 0.08, "i_XP": 0.06, "mu_H": 4.0,
                "K_S": 10.0, "K_OH": 0.2, "K_NO": 0.5, "b_H": 0.3, "eta_g": 0.8, "eta_h": 0.8,
                "k_h": 3.0, "K_X": 0.1, "mu_A": 0.5, "K_NH": 1.0, "b_A": 0.05, "K_OA": 0.4,
                "k_a": 0.05, "oxygen_saturation_g_per_m3": 8.0, "tss_per_cod": 0.75}  # fmt: skip
    for name, value in expected.items():
        assert getattr(P, name) == value, name
    with pytest.raises(InputError, match="unknown ASM1 parameter set 'asm3'"):
        asm1.load_parameters("asm3")


def test_stoichiometry_conserves_cod():
    # COD of S_O is −1, of nitrate-N −4.57, of N2-N −1.71 g COD/g (Henze et al. 1987).
    balance = NU[:, :7].sum(axis=1) - NU[:, I["S_O"]] - 4.57 * NU[:, I["S_NO"]] - 1.71 * N2
    np.testing.assert_allclose(balance, 0.0, atol=1e-14)


def test_stoichiometry_conserves_nitrogen_and_charge():
    n = (NU[:, I["S_NO"]] + NU[:, I["S_NH"]] + NU[:, I["S_ND"]] + NU[:, I["X_ND"]]
         + P.i_XB * (NU[:, I["X_BH"]] + NU[:, I["X_BA"]]) + P.i_XP * NU[:, I["X_P"]] + N2)  # fmt: skip
    np.testing.assert_allclose(n, 0.0, atol=1e-15)
    # alkalinity [mol/m³] follows NH4+ (+1/14 per g N) and NO3- (−1/14 per g N)
    charge = NU[:, I["S_ALK"]] - (NU[:, I["S_NH"]] - NU[:, I["S_NO"]]) / 14.0
    np.testing.assert_allclose(charge, 0.0, atol=1e-15)


def test_process_rates_by_hand_in_an_anoxic_tank():
    rho = asm1.process_rates(TANK1, P)
    s_s, x_bh, s_o, s_no = TANK1[1], TANK1[4], TANK1[7], TANK1[8]
    growth = 4.0 * s_s / (10 + s_s)
    assert rho[0] == pytest.approx(growth * s_o / (0.2 + s_o) * x_bh, rel=1e-14)
    assert rho[1] == pytest.approx(growth * 0.2 / (0.2 + s_o) * s_no / (0.5 + s_no) * 0.8 * x_bh, rel=1e-14)
    assert rho[3] == pytest.approx(0.3 * x_bh) and rho[4] == pytest.approx(0.05 * TANK1[5])
    assert rho[7] == pytest.approx(rho[6] * TANK1[11] / TANK1[3], rel=1e-14)


def test_negative_states_count_as_zero_in_the_rates():
    state = TANK1.copy()
    state[I["S_O"]] = -0.01
    clipped = TANK1.copy()
    clipped[I["S_O"]] = 0.0
    np.testing.assert_array_equal(asm1.process_rates(state, P), asm1.process_rates(clipped, P))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 5000.0), min_size=13, max_size=13))
def test_rates_are_vectorised_over_tanks(values):
    x = np.array(values)
    stacked = np.stack([x, TANK1])
    np.testing.assert_allclose(asm1.conversion_rates(stacked, P)[0], asm1.conversion_rates(x, P), rtol=1e-12)


def test_composition_variables_follow_the_bsm1_formulas():
    x = np.arange(1.0, 14.0)  # S_I=1 … S_ALK=13
    assert asm1.chemical_oxygen_demand(x) == 1 + 2 + 3 + 4 + 5 + 6 + 7
    assert asm1.total_suspended_solids(x, P) == pytest.approx(0.75 * (3 + 4 + 5 + 6 + 7))
    assert asm1.biochemical_oxygen_demand(x, P) == pytest.approx(0.25 * (2 + 4 + 0.92 * (5 + 6)))
    assert asm1.biochemical_oxygen_demand(x, P, influent=True) == pytest.approx(0.65 * (2 + 4 + 0.92 * (5 + 6)))
    tkn = 10 + 11 + 12 + 0.08 * (5 + 6) + 0.06 * (7 + 3)
    assert asm1.kjeldahl_nitrogen(x, P) == pytest.approx(tkn)
    assert asm1.total_nitrogen(x, P) == pytest.approx(tkn + 9)


SP = settler.load_settling_parameters("bsm1")


def test_settling_velocity_is_bounded_and_zero_below_the_non_settleable_solids():
    tss = np.array([0.0, 5.0, 100.0, 1000.0, 3000.0, 10000.0])
    v = settler.settling_velocity(tss, feed_tss_g_per_m3=3270.0, p=SP)
    assert v[0] == 0.0 and v[1] == 0.0  # below f_ns·X_f = 7.5 g/m³
    assert np.all((v >= 0) & (v <= SP.v0_max))
    assert v[2] == pytest.approx(474 * (np.exp(-0.000576 * (100 - 7.4556)) - np.exp(-0.00286 * (100 - 7.4556))))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 12000.0), min_size=10, max_size=10), st.floats(100.0, 6000.0))
def test_settler_conserves_solids(profile, feed_tss):
    """Σ h dX/dt = (Q_f X_f − Q_e X_top − Q_u X_bottom)/A: settling only moves solids."""
    tss = np.array(profile)
    q_f, q_u, area, height = 36892.0, 18831.0, 1500.0, 4.0
    rates = settler.tss_rates(tss, feed_tss, 4, q_f, q_u, area, height, SP)
    expected = (q_f * feed_tss - (q_f - q_u) * tss[0] - q_u * tss[-1]) / area
    assert rates.sum() * height / 10 == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_jacobian_sparsity_covers_every_nonzero_derivative():
    model = PlantModel.from_layout(load_plant("bsm1"))
    y = default_initial_state(model)
    influent = np.array([30, 69.5, 51.2, 202.32, 28.17, 0, 0, 0, 0, 31.56, 6.95, 10.59, 7.0])
    f = lambda v: model.derivatives(v, influent, 18446.0)  # noqa: E731
    dense = _dense_jacobian(f, y, f(y))
    pattern = jacobian_sparsity(model).toarray()
    assert not np.any((np.abs(dense) > 0) & ~pattern)
    assert pattern.sum() < 0.1 * pattern.size  # and it is sparse
