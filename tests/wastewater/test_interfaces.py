"""Tests of the BSM2 ASM1 ↔ ADM1 interfaces (ecocity.wastewater.interfaces).

References: tests/data/bsm2_units/SOURCES.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ecocity.errors import InputError, ModelError
from ecocity.wastewater import interfaces
from ecocity.wastewater.interfaces import ADM1_COMPONENTS, adm_to_asm, adm_to_asm_kernel, asm_to_adm, asm_to_adm_kernel

DATA = Path(__file__).parents[1] / "data" / "bsm2_units"
P = interfaces.load_parameters("bsm2")
PAR = interfaces.pack(P)
I_ADM = {name: i for i, name in enumerate(ADM1_COMPONENTS)}

# BSM2 steady-state digester feed in ASM1 terms (MATLAB; ttronas/bsm2-python tests/storage_test.py)
BSM2_FEED = np.array([
    28.0665048629843, 48.9525780251450, 10361.7145189587, 20375.0163964256, 10210.0695779898,
    553.280744847661, 3204.66026217631, 0.252251384955929, 1.68714307465010, 28.9098125063162,
    4.68341082328394, 906.093288634802, 7.15490225533614, 178.467454963180, 14.8580800598190,
])  # fmt: skip
# Digester pH at the BSM2 steady state (Rosen & Jeppsson 2006, BSM2_steady_state.pdf)
BSM2_PH = 7.2631
# The published BSM2 digester influent after the ASM1 -> ADM1 interface (Rosen & Jeppsson 2006,
# BSM2_steady_state.pdf; as quoted in DWSIM's Adm1Bsm2BenchmarkTests). Unlisted components are 0.
PUBLISHED_ADM_FEED = {
    "S_aa": 0.04388, "S_IC": 0.0079326, "S_IN": 0.0019721, "S_I": 0.028067, "X_ch": 3.7236,
    "X_pr": 15.9235, "X_li": 8.047, "X_I": 17.0106, "S_an": 0.0052101,
}  # fmt: skip
# The published BSM2 steady-state digester effluent (same source), pH 7.2631.
PUBLISHED_DIGESTER = np.array([
    0.012394, 0.0055432, 0.10741, 0.012333, 0.014003, 0.017584, 0.089315, 2.5055e-07, 0.05549,
    0.095149, 0.094468, 0.13087, 0.10792, 0.020517, 0.08422, 0.043629, 0.31222, 0.93167, 0.33839,
    0.33577, 0.10112, 0.67724, 0.28484, 17.2162, 0.0, 0.0052101, 178.4674, 35.0,
])  # fmt: skip

# Round-off tolerance for balances of numbers of order 1e4 g/m3.
ROUND_OFF = 1e-10


def asm_cod(u):
    """COD of an ASM1 stream counting S_O and nitrate (to N2) as negative COD [g/m3]."""
    return u[0] + u[1] + u[2] + u[3] + u[4] + u[5] + u[6] - u[7] - P.cod_per_nitrate_n * u[8]


def asm_nitrogen(u):
    """Reduced N of an ASM1 stream (TKN with i_XB = fnbac, i_XP = fxni) [g N/m3]."""
    return u[9] + u[10] + u[11] + P.fnbac * (u[4] + u[5]) + P.fxni * (u[2] + u[6]) + P.fsni * u[0]


def adm_cod(y, stripped=False):
    """COD of an ADM1 stream [g/m3]; without S_h2 and S_ch4 when ``stripped``."""
    cod = y[:9].sum() + y[11:24].sum()
    if stripped:
        cod -= y[7] + y[8]
    return 1000.0 * cod


def adm_nitrogen(y):
    """N of an ADM1 stream [g N/m3] with the interface's N contents."""
    return 1000.0 * (
        14.0 * y[10] + P.fnaa * (y[1] + y[14]) + P.fnxc * y[12] + P.fsni_adm * y[11]
        + P.fnbac * y[16:23].sum() + P.fxni * y[23]
    )  # fmt: skip


def asm_charge(u):
    """Charge of the ASM1 ions S_NO, S_NH, S_ALK [kmol/m3]."""
    return -u[8] / 14000.0 + u[9] / 14000.0 - u[12] / 1000.0


def adm_weak_charge(y, ph):
    """Charge of the ADM1 weak acids and bases (VFA, S_IC, S_IN) at pH and 35 degC [kmol/m3]."""
    a_va, a_bu, a_pro, a_ac, a_co2, a_in, _ = interfaces._acid_base(ph, PAR)
    return y[3] * a_va + y[4] * a_bu + y[5] * a_pro + y[6] * a_ac + y[9] * a_co2 + y[10] * a_in


def cross_check_rows(kind):
    with open(DATA / "interface_cross_check.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == kind:
                vec = lambda text: np.array([float(v) for v in text.split(";")])  # noqa: E731
                yield row["case"], float(row["ph"]), vec(row["input"]), vec(row["output"])


def test_parameters_are_the_bsm2_interface_set():
    # adm1init_bsm2.m: fnaa = N_aa*14 = 0.007*14, frlixs 0.7, frlibac 0.4, frxs_adm 0.68, frxs_as 0.79
    assert P.fnaa == pytest.approx(0.098, rel=1e-12)
    assert (P.frlixs, P.frlibac, P.frxs_adm, P.frxs_as) == (0.7, 0.4, 0.68, 0.79)
    assert P.cod_per_nitrate_n == pytest.approx(40.0 / 14.0, rel=1e-15)
    assert P.digester_temperature_c == 35.0


def test_asm_to_adm_reproduces_the_published_bsm2_digester_influent():
    # Rosen & Jeppsson (2006) BSM2 steady state: digester influent after the interface, 1 %
    y = asm_to_adm(BSM2_FEED, P, ph=BSM2_PH)
    for name, value in PUBLISHED_ADM_FEED.items():
        assert y[I_ADM[name]] == pytest.approx(value, rel=0.01), name
    others = [I_ADM[n] for n in ADM1_COMPONENTS if n not in PUBLISHED_ADM_FEED]
    assert np.all(y[others] == 0.0)
    assert y[26] == pytest.approx(178.4674, rel=1e-6)
    assert y[27] == 35.0


def test_asm_to_adm_digits_of_the_published_influent():
    # The printed digits (5 significant) agree to half a unit in the last digit: 1e-4 relative.
    y = asm_to_adm(BSM2_FEED, P, ph=BSM2_PH)
    for name, value in PUBLISHED_ADM_FEED.items():
        assert y[I_ADM[name]] == pytest.approx(value, rel=1e-4), name


def test_interfaces_agree_with_the_bsm2_code_port_to_round_off():
    # bsm2-python 0.0.16 asm2adm / adm2asm (port of asm2adm_v3_bsm2.c, adm2asm_v3_bsm2.c) on the
    # same inputs, incl. carbon-shortage and N-limited branches: tests/data/bsm2_units
    n = 0
    for case, ph, u, expected in cross_check_rows("asm2adm"):
        y, _ = asm_to_adm_kernel(u, ph, PAR)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-15, err_msg=case)
        n += 1
    for case, ph, y_in, expected in cross_check_rows("adm2asm"):
        t_ww = 14.858 if case == "bsm2_effluent" else 15.0
        out, _ = adm_to_asm_kernel(y_in, ph, t_ww, PAR)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12, err_msg=case)
        n += 1
    assert n == 20


@pytest.mark.parametrize("seed", range(8))
def test_asm_to_adm_conserves_cod_nitrogen_and_charge(seed):
    rng = np.random.default_rng(seed)
    u = BSM2_FEED * rng.uniform(0.05, 2.0, 15)
    ph = rng.uniform(6.8, 7.6)
    y, status = asm_to_adm_kernel(u, ph, PAR)
    assert status == 0
    assert adm_cod(y) == pytest.approx(asm_cod(u), rel=ROUND_OFF)
    assert adm_nitrogen(y) == pytest.approx(asm_nitrogen(u), rel=ROUND_OFF)
    assert adm_weak_charge(y, ph) == pytest.approx(asm_charge(u), rel=ROUND_OFF, abs=1e-15)


@pytest.mark.parametrize(
    ("s_o", "s_no", "exhausted"),
    [
        (2.0, 20.0, ()),  # S_S covers the demand
        (2.0, 100.0, (1,)),  # S_S exhausted, X_S pays the rest
        (2.0, 8000.0, (1, 3)),  # S_S and X_S exhausted, X_BH pays
        (2.0, 10650.0, (1, 3, 4)),  # ... and X_BA pays
    ],
)
def test_cod_demand_is_met_in_the_bsm2_order_and_balances_hold(s_o, s_no, exhausted):
    # Nopens et al. (2009): the COD demand of S_O and S_NO is removed from S_S, X_S, X_BH, X_BA
    u = BSM2_FEED.copy()
    u[1], u[3], u[4], u[5] = 50.0, 20000.0, 10000.0, 600.0
    u[7], u[8] = s_o, s_no
    y, status = asm_to_adm_kernel(u, BSM2_PH, PAR)
    assert status == 0
    demand = s_o + P.cod_per_nitrate_n * s_no
    assert asm_cod(u) == pytest.approx(u[:7].sum() - demand, rel=1e-15)
    assert adm_cod(y) == pytest.approx(asm_cod(u), rel=ROUND_OFF)
    assert adm_nitrogen(y) == pytest.approx(asm_nitrogen(u), rel=ROUND_OFF)
    # S_S and X_S pay first: the biomass left is X_BH + X_BA less what they could not cover, and
    # its inert part (1 - frxs_adm) is the ADM1 X_I beyond X_I + X_P
    biomass_left = u[4] + u[5] - max(0.0, demand - u[1] - u[3])
    assert 1000.0 * y[I_ADM["X_I"]] - u[2] - u[6] == pytest.approx((1.0 - P.frxs_adm) * biomass_left, rel=1e-12)
    if 1 in exhausted:  # no S_S left: no sugars and no amino acids
        assert y[I_ADM["S_su"]] == 0.0 and y[I_ADM["S_aa"]] == 0.0
    if 3 in exhausted:  # no X_S left: proteins, lipids and carbohydrates only from biomass
        degradable = 1000.0 * (y[I_ADM["X_ch"]] + y[I_ADM["X_pr"]] + y[I_ADM["X_li"]])
        assert degradable == pytest.approx(P.frxs_adm * biomass_left, rel=1e-12)


def test_carbon_shortage_is_reported():
    u = BSM2_FEED.copy()
    u[8] = 20000.0  # COD demand 57 000 g/m3 exceeds S_S + X_S + X_BH + X_BA
    _, status = asm_to_adm_kernel(u, BSM2_PH, PAR)
    assert status == 1
    with pytest.raises(ModelError, match="carbon shortage"):
        asm_to_adm(u, P, ph=BSM2_PH)


@pytest.mark.parametrize("seed", range(6))
def test_adm_to_asm_conserves_cod_nitrogen_and_charge(seed):
    rng = np.random.default_rng(100 + seed)
    y = PUBLISHED_DIGESTER * rng.uniform(0.2, 3.0, 28)
    ph = rng.uniform(6.8, 7.6)
    out, status = adm_to_asm_kernel(y, ph, 15.0, PAR)
    assert status == 0
    # COD: S_h2 and S_ch4 are stripped; nitrate and oxygen are zero on the way back
    assert asm_cod(out) == pytest.approx(adm_cod(y, stripped=True), rel=ROUND_OFF)
    assert asm_nitrogen(out) == pytest.approx(adm_nitrogen(y), rel=ROUND_OFF)
    assert asm_charge(out) == pytest.approx(adm_weak_charge(y, ph), rel=ROUND_OFF)
    assert out[13] == y[26] and out[14] == 15.0


def test_adm_to_asm_of_the_published_bsm2_digester_state():
    # BSM2 steady state (Rosen & Jeppsson 2006): the digester effluent mapped back to ASM1.
    out = adm_to_asm(PUBLISHED_DIGESTER, BSM2_PH, 14.858, P)
    biomass = 1000.0 * PUBLISHED_DIGESTER[16:23].sum()
    # X_P is the non-degradable 21 % of the digester biomass, X_I the digester X_I (exact)
    assert out[6] == pytest.approx((1.0 - P.frxs_as) * biomass, rel=1e-12)
    assert out[2] == pytest.approx(17216.2, rel=1e-12)
    assert out[4] == out[5] == out[7] == out[8] == 0.0
    assert asm_cod(out) == pytest.approx(adm_cod(PUBLISHED_DIGESTER, stripped=True), rel=ROUND_OFF)
    assert asm_nitrogen(out) == pytest.approx(adm_nitrogen(PUBLISHED_DIGESTER), rel=ROUND_OFF)


def test_round_trip_keeps_cod_and_nitrogen_of_an_anoxic_stream():
    u = BSM2_FEED.copy()
    u[7] = u[8] = 0.0
    back = adm_to_asm(asm_to_adm(u, P, ph=BSM2_PH), BSM2_PH, u[14], P)
    assert asm_cod(back) == pytest.approx(asm_cod(u), rel=ROUND_OFF)
    assert asm_nitrogen(back) == pytest.approx(asm_nitrogen(u), rel=ROUND_OFF)
    assert back[13] == u[13] and back[14] == u[14]


def test_the_default_ph_is_the_bsm2_initial_digester_ph():
    np.testing.assert_array_equal(asm_to_adm(BSM2_FEED, P), asm_to_adm(BSM2_FEED, P, ph=7.0))


def test_bad_inputs_are_input_errors():
    with pytest.raises(InputError, match="length 15"):
        asm_to_adm(np.zeros(14), P)
    with pytest.raises(InputError, match="pH"):
        asm_to_adm(BSM2_FEED, P, ph=15.0)
    bad = PUBLISHED_DIGESTER.copy()
    bad[26] = -1.0
    with pytest.raises(InputError, match="flow"):
        adm_to_asm(bad, BSM2_PH, 15.0, P)
    with pytest.raises(InputError, match="unknown"):
        interfaces.load_parameters("bsm9")
