"""Anaerobic Digestion Model no. 1 (ADM1) as implemented for the IWA BSM2 digester.

The model is ADM1 (Batstone et al. 2002) in the form of the BSM2 benchmark (Rosen & Jeppsson
2006): 26 liquid components, the head space (H2, CH4, CO2), 19 biochemical processes, acid–base
equilibria of VFAs, inorganic carbon and nitrogen, and liquid–gas transfer, at T_op = 35 °C.

Deviations of the BSM2 implementation from the ADM1 report (Batstone et al. 2002), followed here:

* **Carbon and nitrogen closure**: the S_IC coefficient of every process is the negative sum of
  the carbon contents of the other products and substrates (C_i per component,
  ``data/adm1_bsm2.toml``), so that carbon is conserved; for this C_xc = 0.02786 kmol C/kg COD
  and the disintegration fractions (f_xI,xc 0.2, f_li,xc 0.3) differ from the report. Biomass
  decays to X_xc with the IC and IN terms C_bac − C_xc and N_bac − N_xc. The S_IN term of
  disintegration is N_xc − (f_xI,xc + f_sI,xc) N_I − f_pr,xc N_aa.
* **pH inhibition**: the Hill-type function of S_H+ adopted for BSM2 (ADM1 workshop, Copenhagen
  2005) instead of the report's piecewise exponential: I_pH = K^n / (S_H+^n + K^n) with
  K = 10^−(pH_UL + pH_LL)/2 and n = 3 / (pH_UL − pH_LL); used for the acidogens (aa limits),
  the acetoclastic methanogens (ac limits) and the hydrogenotrophs (h2 limits).
* **Temperature**: van 't Hoff corrections of K_w, K_a,co2, K_a,IN, the three Henry coefficients
  and the water-vapour pressure to T_op; the VFA K_a are not corrected. Kinetic parameters are
  those at 35 °C (no Arrhenius correction). The input temperature is not used.
* **Gas flow**: q_gas = k_p (P_gas − P_atm), not below zero; the reported flow is normalised to
  atmospheric pressure, q_gas · P_gas / P_atm (BSM2 convention).
* **Acid–base kinetics**: k_A,B = 1e10 m³/(kmol·d) in the ODE form (report: 1e8); this module
  uses the DAE form instead (below), where the constant does not enter.
* **Numerical guards**: negative concentrations are taken as zero inside rate expressions; the
  valerate/butyrate uptake share has 1e-6 added to its denominator, as in the BSM2 code.

DAE form (Rosen & Jeppsson 2006, "DAE implementation"): S_H+ is solved from the charge balance
and S_h2 from its own mass balance (quasi-steady) at every right-hand-side evaluation, by a
warm-started Newton iteration; the remaining 28 differential states (the 25 liquid components
other than S_h2, and the three gases) are integrated by the linearly implicit ROS2 W-method
with a reused Jacobian (``_kernel_adm1.advance``, the default) or by an explicit
Dormand–Prince 5(4) method (``_kernel_adm1.advance_explicit``), whose step the ~1-minute
liquid–gas CO2 exchange bounds.

State vector: 30 floats, see :data:`STATE_NAMES`. Input stream: 28 floats, the 26 components in
:data:`COMPONENTS` order, then Q [m³/d] and T [°C].

References
----------
Batstone, D.J. et al. (2002). Anaerobic Digestion Model No. 1 (ADM1). IWA Scientific and
Technical Report No. 13, IWA Publishing, London. doi:10.2166/wst.2002.0292

Rosen, C., Jeppsson, U. (2006). Aspects on ADM1 implementation within the BSM2 framework.
Dept. of Industrial Electrical Engineering and Automation, Lund University, Lund, Sweden.

Rosen, C., Vrecko, D., Gernaey, K.V., Pons, M.-N., Jeppsson, U. (2006). Implementing ADM1 for
plant-wide benchmark simulations in Matlab/Simulink. Water Sci. Technol. 54(4), 11–19.
doi:10.2166/wst.2006.521
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from ecocity.errors import InputError, ModelError
from ecocity.wastewater import _kernel_adm1 as _k

#: The 26 ADM1 components in BSM2 order. Units: kg COD/m³, except S_IC [kmol C/m³],
#: S_IN [kmol N/m³], S_cat and S_an [kmol/m³].
COMPONENTS: tuple[str, ...] = (
    "S_su", "S_aa", "S_fa", "S_va", "S_bu", "S_pro", "S_ac", "S_h2", "S_ch4", "S_IC", "S_IN",
    "S_I", "X_xc", "X_ch", "X_pr", "X_li", "X_su", "X_aa", "X_fa", "X_c4", "X_pro", "X_ac",
    "X_h2", "X_I", "S_cat", "S_an",
)  # fmt: skip
#: The digester state: the 26 components, the head space S_gas,h2 and S_gas,ch4 [kg COD/m³] and
#: S_gas,co2 [kmol C/m³], and S_H+ [kmol/m³] (algebraic, as S_h2).
STATE_NAMES: tuple[str, ...] = COMPONENTS + ("S_gas_h2", "S_gas_ch4", "S_gas_co2", "S_H")
INDEX: dict[str, int] = {name: i for i, name in enumerate(STATE_NAMES)}
#: The 19 biochemical processes (Batstone et al. 2002, Table 3.1), j = 1 … 19.
PROCESSES: tuple[str, ...] = (
    "disintegration", "hydrolysis of carbohydrates", "hydrolysis of proteins",
    "hydrolysis of lipids", "uptake of sugars", "uptake of amino acids", "uptake of LCFA",
    "uptake of valerate", "uptake of butyrate", "uptake of propionate", "uptake of acetate",
    "uptake of hydrogen", "decay of X_su", "decay of X_aa", "decay of X_fa", "decay of X_c4",
    "decay of X_pro", "decay of X_ac", "decay of X_h2",
)  # fmt: skip

_DATA = resources.files("ecocity.wastewater") / "data"
_SECTIONS = ("stoichiometric", "biochemical", "physicochemical", "reactor")


@dataclass(frozen=True)
class ADM1Parameters:
    """ADM1 parameters of a named set (paper notation; units in ``data/adm1_<name>.toml``)."""

    name: str
    f_sI_xc: float
    f_xI_xc: float
    f_ch_xc: float
    f_pr_xc: float
    f_li_xc: float
    N_xc: float
    N_I: float
    N_aa: float
    C_xc: float
    C_sI: float
    C_ch: float
    C_pr: float
    C_li: float
    C_xI: float
    C_su: float
    C_aa: float
    f_fa_li: float
    C_fa: float
    f_h2_su: float
    f_bu_su: float
    f_pro_su: float
    f_ac_su: float
    N_bac: float
    C_bu: float
    C_pro: float
    C_ac: float
    C_bac: float
    Y_su: float
    f_h2_aa: float
    f_va_aa: float
    f_bu_aa: float
    f_pro_aa: float
    f_ac_aa: float
    C_va: float
    Y_aa: float
    Y_fa: float
    Y_c4: float
    Y_pro: float
    C_ch4: float
    Y_ac: float
    Y_h2: float
    k_dis: float
    k_hyd_ch: float
    k_hyd_pr: float
    k_hyd_li: float
    K_S_IN: float
    k_m_su: float
    K_S_su: float
    pH_UL_aa: float
    pH_LL_aa: float
    k_m_aa: float
    K_S_aa: float
    k_m_fa: float
    K_S_fa: float
    K_I_h2_fa: float
    k_m_c4: float
    K_S_c4: float
    K_I_h2_c4: float
    k_m_pro: float
    K_S_pro: float
    K_I_h2_pro: float
    k_m_ac: float
    K_S_ac: float
    K_I_nh3: float
    pH_UL_ac: float
    pH_LL_ac: float
    k_m_h2: float
    K_S_h2: float
    pH_UL_h2: float
    pH_LL_h2: float
    k_dec_su: float
    k_dec_aa: float
    k_dec_fa: float
    k_dec_c4: float
    k_dec_pro: float
    k_dec_ac: float
    k_dec_h2: float
    R: float
    T_base: float
    T_op: float
    pK_w_base: float
    pK_a_va: float
    pK_a_bu: float
    pK_a_pro: float
    pK_a_ac: float
    pK_a_co2_base: float
    pK_a_IN_base: float
    dH_w: float
    dH_a_co2: float
    dH_a_IN: float
    k_AB: float
    P_atm: float
    p_h2o_base: float
    dH_h2o_over_R: float
    k_p: float
    k_L_a: float
    K_H_co2_base: float
    K_H_ch4_base: float
    K_H_h2_base: float
    dH_H_co2: float
    dH_H_ch4: float
    dH_H_h2: float
    V_liq: float
    V_gas: float


@cache
def load_adm1_parameters(name: str = "bsm2") -> ADM1Parameters:
    """Load a named ADM1 parameter set from ``wastewater/data/adm1_<name>.toml``.

    Raises
    ------
    InputError
        No parameter set of that name ships with ecocity, or the file lacks a parameter.
    """
    resource = _DATA / f"adm1_{name}.toml"
    if not resource.is_file():
        raise InputError(f"unknown ADM1 parameter set {name!r}; known: bsm2", field="parameters")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    values = {key: float(entry["value"]) for s in _SECTIONS for key, entry in data[s].items()}
    expected = {f.name for f in fields(ADM1Parameters)} - {"name"}
    if set(values) != expected:
        raise InputError(
            f"parameters missing {sorted(expected - set(values))}, "
            f"unknown {sorted(set(values) - expected)}",
            file=f"adm1_{name}.toml",
        )
    return ADM1Parameters(name=data["name"], **values)


def temperature_corrected(p: ADM1Parameters) -> dict[str, float]:
    """K_w, K_a, K_H [kmol/m³, kmol/(m³·bar)] and p_H2O [bar] at T_op (van 't Hoff, BSM2).

    Notes
    -----
    K(T) = K_base exp(ΔH° / (100 R) (1/T_base − 1/T_op)), R in bar·m³/(kmol·K) (Rosen &
    Jeppsson 2006, physico-chemical parameter table);
    p_H2O = 0.0313 exp(5290 (1/T_base − 1/T_op)).
    """
    factor = (1.0 / p.T_base - 1.0 / p.T_op) / (100.0 * p.R)
    return {
        "K_w": 10.0**-p.pK_w_base * np.exp(p.dH_w * factor),
        "K_a_va": 10.0**-p.pK_a_va,
        "K_a_bu": 10.0**-p.pK_a_bu,
        "K_a_pro": 10.0**-p.pK_a_pro,
        "K_a_ac": 10.0**-p.pK_a_ac,
        "K_a_co2": 10.0**-p.pK_a_co2_base * np.exp(p.dH_a_co2 * factor),
        "K_a_IN": 10.0**-p.pK_a_IN_base * np.exp(p.dH_a_IN * factor),
        "K_H_co2": p.K_H_co2_base * np.exp(p.dH_H_co2 * factor),
        "K_H_ch4": p.K_H_ch4_base * np.exp(p.dH_H_ch4 * factor),
        "K_H_h2": p.K_H_h2_base * np.exp(p.dH_H_h2 * factor),
        "p_h2o": p.p_h2o_base * np.exp(p.dH_h2o_over_R * (1.0 / p.T_base - 1.0 / p.T_op)),
    }


def carbon_content(p: ADM1Parameters) -> np.ndarray:
    """Carbon content of the 24 process components [kmol C per unit of the component]."""
    head = [p.C_su, p.C_aa, p.C_fa, p.C_va, p.C_bu, p.C_pro, p.C_ac, 0.0, p.C_ch4, 1.0, 0.0,
            p.C_sI, p.C_xc, p.C_ch, p.C_pr, p.C_li]  # fmt: skip
    return np.array(head + [p.C_bac] * 7 + [p.C_xI])


def nitrogen_content(p: ADM1Parameters) -> np.ndarray:
    """Nitrogen content of the 24 process components [kmol N per unit of the component]."""
    n = np.zeros(_k.N_COMP)
    n[[1, 14]] = p.N_aa
    n[10] = 1.0
    n[[11, 23]] = p.N_I
    n[12] = p.N_xc
    n[16:23] = p.N_bac
    return n


def cod_content() -> np.ndarray:
    """COD content of the 24 process components [kg COD per unit]; S_IC and S_IN carry none."""
    c = np.ones(_k.N_COMP)
    c[[9, 10]] = 0.0
    return c


def stoichiometric_matrix(p: ADM1Parameters) -> np.ndarray:
    """ν[j, i]: the 19 × 24 stoichiometric matrix (processes × components S_su … X_I).

    Notes
    -----
    Batstone et al. (2002) Tables 3.1–3.2 with the BSM2 S_IC and S_IN terms (Rosen & Jeppsson
    2006): the S_IC term of process j is −Σ_i C_i ν_j,i over the carbon-bearing components,
    written out per process as in the BSM2 code.
    """
    nu = np.zeros((_k.N_PROC, _k.N_COMP))
    su, aa, fa, va, bu, pro, ac, h2, ch4, ic, inn, si, xc, ch, pr, li = range(16)
    xi = 23
    # 1 disintegration
    nu[0, [xc, si, xi, ch, pr, li]] = [-1.0, p.f_sI_xc, p.f_xI_xc, p.f_ch_xc, p.f_pr_xc, p.f_li_xc]
    nu[0, ic] = p.C_xc - (p.f_sI_xc * p.C_sI + p.f_ch_xc * p.C_ch + p.f_pr_xc * p.C_pr
                          + p.f_li_xc * p.C_li + p.f_xI_xc * p.C_xI)  # fmt: skip
    nu[0, inn] = p.N_xc - p.f_xI_xc * p.N_I - p.f_sI_xc * p.N_I - p.f_pr_xc * p.N_aa
    # 2-4 hydrolysis
    nu[1, [ch, su]] = [-1.0, 1.0]
    nu[1, ic] = p.C_ch - p.C_su
    nu[2, [pr, aa]] = [-1.0, 1.0]
    nu[2, ic] = p.C_pr - p.C_aa
    nu[3, [li, su, fa]] = [-1.0, 1.0 - p.f_fa_li, p.f_fa_li]
    nu[3, ic] = p.C_li - (1.0 - p.f_fa_li) * p.C_su - p.f_fa_li * p.C_fa
    # 5 sugars
    y = p.Y_su
    nu[4, [su, h2, bu, pro, ac, 16]] = [-1.0, (1 - y) * p.f_h2_su, (1 - y) * p.f_bu_su,
                                        (1 - y) * p.f_pro_su, (1 - y) * p.f_ac_su, y]  # fmt: skip
    nu[4, ic] = p.C_su - (1 - y) * (p.f_bu_su * p.C_bu + p.f_pro_su * p.C_pro
                                    + p.f_ac_su * p.C_ac) - y * p.C_bac  # fmt: skip
    nu[4, inn] = -y * p.N_bac
    # 6 amino acids
    y = p.Y_aa
    nu[5, [aa, h2, va, bu, pro, ac, 17]] = [-1.0, (1 - y) * p.f_h2_aa, (1 - y) * p.f_va_aa,
                                            (1 - y) * p.f_bu_aa, (1 - y) * p.f_pro_aa,
                                            (1 - y) * p.f_ac_aa, y]  # fmt: skip
    nu[5, ic] = p.C_aa - (1 - y) * (p.f_va_aa * p.C_va + p.f_bu_aa * p.C_bu + p.f_pro_aa * p.C_pro
                                    + p.f_ac_aa * p.C_ac) - y * p.C_bac  # fmt: skip
    nu[5, inn] = p.N_aa - y * p.N_bac
    # 7 LCFA
    y = p.Y_fa
    nu[6, [fa, h2, ac, 18]] = [-1.0, (1 - y) * 0.3, (1 - y) * 0.7, y]
    nu[6, ic] = p.C_fa - (1 - y) * 0.7 * p.C_ac - y * p.C_bac
    nu[6, inn] = -y * p.N_bac
    # 8 valerate, 9 butyrate
    y = p.Y_c4
    nu[7, [va, h2, pro, ac, 19]] = [-1.0, (1 - y) * 0.15, (1 - y) * 0.54, (1 - y) * 0.31, y]
    nu[7, ic] = p.C_va - (1 - y) * 0.54 * p.C_pro - (1 - y) * 0.31 * p.C_ac - y * p.C_bac
    nu[7, inn] = -y * p.N_bac
    nu[8, [bu, h2, ac, 19]] = [-1.0, (1 - y) * 0.2, (1 - y) * 0.8, y]
    nu[8, ic] = p.C_bu - (1 - y) * 0.8 * p.C_ac - y * p.C_bac
    nu[8, inn] = -y * p.N_bac
    # 10 propionate
    y = p.Y_pro
    nu[9, [pro, h2, ac, 20]] = [-1.0, (1 - y) * 0.43, (1 - y) * 0.57, y]
    nu[9, ic] = p.C_pro - (1 - y) * 0.57 * p.C_ac - y * p.C_bac
    nu[9, inn] = -y * p.N_bac
    # 11 acetate, 12 hydrogen
    y = p.Y_ac
    nu[10, [ac, ch4, 21]] = [-1.0, 1 - y, y]
    nu[10, ic] = p.C_ac - (1 - y) * p.C_ch4 - y * p.C_bac
    nu[10, inn] = -y * p.N_bac
    y = p.Y_h2
    nu[11, [h2, ch4, 22]] = [-1.0, 1 - y, y]
    nu[11, ic] = -(1 - y) * p.C_ch4 - y * p.C_bac
    nu[11, inn] = -y * p.N_bac
    # 13-19 decay to composites
    for j in range(7):
        nu[12 + j, [16 + j, xc]] = [-1.0, 1.0]
        nu[12 + j, ic] = p.C_bac - p.C_xc
        nu[12 + j, inn] = p.N_bac - p.N_xc
    return nu


def pack(p: ADM1Parameters) -> np.ndarray:
    """The packed parameter vector of the compiled kernel (``_kernel_adm1``)."""
    t = temperature_corrected(p)
    out = np.zeros(_k.N_P)
    scal = {
        _k.V_LIQ: p.V_liq, _k.V_GAS: p.V_gas, _k.T_OP: p.T_op, _k.R: p.R, _k.K_W: t["K_w"],
        _k.KA_VA: t["K_a_va"], _k.KA_BU: t["K_a_bu"], _k.KA_PRO: t["K_a_pro"],
        _k.KA_AC: t["K_a_ac"], _k.KA_CO2: t["K_a_co2"], _k.KA_IN: t["K_a_IN"],
        _k.P_ATM: p.P_atm, _k.P_H2O: t["p_h2o"], _k.K_P: p.k_p, _k.KLA: p.k_L_a,
        _k.KH_CO2: t["K_H_co2"], _k.KH_CH4: t["K_H_ch4"], _k.KH_H2: t["K_H_h2"],
        _k.K_S_IN: p.K_S_IN, _k.K_DIS: p.k_dis, _k.K_HYD_CH: p.k_hyd_ch,
        _k.K_HYD_PR: p.k_hyd_pr, _k.K_HYD_LI: p.k_hyd_li, _k.KM_SU: p.k_m_su,
        _k.KS_SU: p.K_S_su, _k.KM_AA: p.k_m_aa, _k.KS_AA: p.K_S_aa, _k.KM_FA: p.k_m_fa,
        _k.KS_FA: p.K_S_fa, _k.KI_H2_FA: p.K_I_h2_fa, _k.KM_C4: p.k_m_c4, _k.KS_C4: p.K_S_c4,
        _k.KI_H2_C4: p.K_I_h2_c4, _k.KM_PRO: p.k_m_pro, _k.KS_PRO: p.K_S_pro,
        _k.KI_H2_PRO: p.K_I_h2_pro, _k.KM_AC: p.k_m_ac, _k.KS_AC: p.K_S_ac,
        _k.KI_NH3: p.K_I_nh3, _k.KM_H2: p.k_m_h2, _k.KS_H2: p.K_S_h2,
    }  # fmt: skip
    for slot, value in scal.items():
        out[slot] = value
    out[_k.KDEC0 : _k.KDEC0 + 7] = [p.k_dec_su, p.k_dec_aa, p.k_dec_fa, p.k_dec_c4, p.k_dec_pro,
                                    p.k_dec_ac, p.k_dec_h2]  # fmt: skip
    for slot_lim, slot_n, ul, ll in ((_k.PHLIM_AA, _k.N_AA, p.pH_UL_aa, p.pH_LL_aa),
                                     (_k.PHLIM_AC, _k.N_AC, p.pH_UL_ac, p.pH_LL_ac),
                                     (_k.PHLIM_H2, _k.N_H2, p.pH_UL_h2, p.pH_LL_h2)):  # fmt: skip
        out[slot_lim] = -(ul + ll) / 2.0 * np.log(10.0)  # ln K
        out[slot_n] = 3.0 / (ul - ll)
    out[_k.NU0 :] = stoichiometric_matrix(p).ravel()
    return out


#: A neutral starting state for :func:`steady_state` [units of :data:`STATE_NAMES`]: small
#: substrate levels, 0.5 kg COD/m³ of each degrader, a methane-rich head space at ~1 bar.
GENERIC_START: np.ndarray = np.array(
    [0.01] * 7 + [1e-7, 0.05, 0.1, 0.1, 0.1, 0.5, 0.05, 0.1, 0.05] + [0.5] * 7 + [10.0, 0.04, 0.02]
    + [1e-5, 1.6, 0.014, 1e-7]
)  # fmt: skip

_MAX_STEPS = 10**8


@dataclass(frozen=True)
class DigesterState:
    """A digester state: ``y`` holds the 30 floats of :data:`STATE_NAMES` (their units)."""

    y: np.ndarray

    def __getitem__(self, name: str) -> float:
        return float(self.y[INDEX[name]])

    @property
    def pH(self) -> float:
        """pH [-] (−log10 S_H+ with S_H+ in kmol/m³)."""
        return float(-np.log10(self.y[_k.I_H]))


@dataclass(frozen=True)
class DigesterOutputs:
    """Digester outputs at one instant (BSM2 conventions).

    Attributes
    ----------
    effluent : numpy.ndarray
        The 28-float ADM1 stream leaving the digester: the 26 components (as in the liquid),
        Q [m³/d] (= input flow) and T [°C] (= T_op).
    pH : float
        pH [-].
    ions : dict[str, float]
        S_H+, S_va-, S_bu-, S_pro-, S_ac-, S_hco3-, S_co2, S_nh3, S_nh4+ [kmol/m³ or kg COD/m³
        for the VFA ions].
    p_gas_bar : dict[str, float]
        Partial pressures of H2, CH4, CO2, H2O and the total head-space pressure [bar].
    gas_flow_m3_per_d : float
        Gas flow normalised to atmospheric pressure, k_p (P_gas − P_atm) P_gas / P_atm [m³/d].
    ch4_kg_per_d, co2_kg_per_d, h2_kg_per_d : float
        Production of each gas (perf_plant_bsm2: p_i / P_gas · P_atm · M_i / (R T_op) · q_gas)
        [kg/d].
    """

    effluent: np.ndarray
    pH: float
    ions: dict[str, float]
    p_gas_bar: dict[str, float]
    gas_flow_m3_per_d: float
    ch4_kg_per_d: float
    co2_kg_per_d: float
    h2_kg_per_d: float


def _packed(params: ADM1Parameters | np.ndarray) -> np.ndarray:
    return params if isinstance(params, np.ndarray) else pack(params)


def _input(u28) -> np.ndarray:
    u = np.asarray(u28, dtype=float)
    if u.shape != (28,) or not np.all(np.isfinite(u)) or u[26] < 0.0:
        raise InputError("an ADM1 input stream is 28 finite floats (26 components, Q ≥ 0, T)")
    return u


def _state(y) -> np.ndarray:
    y = np.array(y.y if isinstance(y, DigesterState) else y, dtype=float)
    if y.shape != (_k.N_Y,):
        raise InputError(f"an ADM1 digester state is {_k.N_Y} floats ({', '.join(STATE_NAMES)})")
    return y


def solve_ph(y, params: ADM1Parameters | np.ndarray) -> float:
    """S_H+ [kmol/m³] from the charge balance at the state ``y`` (Rosen & Jeppsson 2006, DAE).

    Notes
    -----
    S_cat + S_nh4+ + S_H+ − S_hco3- − S_ac-/64 − S_pro-/112 − S_bu-/160 − S_va-/208
    − S_OH- − S_an = 0 with each ion at equilibrium, e.g. S_ac- = K_a,ac S_ac / (K_a,ac + S_H+).
    """
    y = _state(y)
    return float(_k.solve_ph(y, _packed(params), y[_k.I_H]))


def acid_base_species(y, params: ADM1Parameters | np.ndarray, s_h: float | None = None) -> dict:
    """The dissociated species at equilibrium with S_H+ (solved from the charge balance if None)."""
    y = _state(y)
    p = _packed(params)
    h = solve_ph(y, p) if s_h is None else float(s_h)
    io = np.empty(6)
    _k.ions(y, h, p, io)
    return {"S_H": h, "S_va_ion": io[0], "S_bu_ion": io[1], "S_pro_ion": io[2],
            "S_ac_ion": io[3], "S_hco3_ion": io[4], "S_co2": y[9] - io[4], "S_nh3": io[5],
            "S_nh4_ion": y[10] - io[5]}  # fmt: skip


def ph_from_ions(y, ions: dict, params: ADM1Parameters | np.ndarray) -> float:
    """S_H+ of the ODE form with kinetic acid–base states (BSM2 ``adm1_ODE``): closed-form root.

    With the ions as states, the charge balance is quadratic in S_H+:
    S_H+ = −Φ/2 + √(Φ² + 4 K_w)/2, Φ = S_cat + S_nh4+ − S_hco3- − S_ac-/64
    − S_pro-/112 − S_bu-/160 − S_va-/208 − S_an.
    """
    p = _packed(params)
    phi = (y[24] + (y[10] - ions["S_nh3"]) - ions["S_hco3_ion"] - ions["S_ac_ion"] / 64.0
           - ions["S_pro_ion"] / 112.0 - ions["S_bu_ion"] / 160.0 - ions["S_va_ion"] / 208.0
           - y[25])  # fmt: skip
    return float(-0.5 * phi + 0.5 * np.sqrt(phi * phi + 4.0 * p[_k.K_W]))


def acid_base_rates(y, ions: dict, s_h: float, params: ADM1Parameters) -> dict:
    """Acid–base rates of the ODE form, ρ_A,i = k_A,B (S_i- (K_a,i + S_H+) − K_a,i S_i).

    [kg COD/(m³·d) for the VFAs, kmol/(m³·d) for IC and IN] (Batstone et al. 2002, Table 3.3;
    k_A,B = 1e10 in BSM2). Zero when the ions are at equilibrium with S_H+; the DAE form used by
    the integrators never evaluates them.
    """
    p = params
    k = temperature_corrected(p)
    pairs = {"va": (3, "S_va_ion", "K_a_va"), "bu": (4, "S_bu_ion", "K_a_bu"),
             "pro": (5, "S_pro_ion", "K_a_pro"), "ac": (6, "S_ac_ion", "K_a_ac"),
             "co2": (9, "S_hco3_ion", "K_a_co2"), "IN": (10, "S_nh3", "K_a_IN")}  # fmt: skip
    return {name: p.k_AB * (ions[ion] * (k[ka] + s_h) - k[ka] * y[i])
            for name, (i, ion, ka) in pairs.items()}  # fmt: skip


def gas_transfer_rates(y, params: ADM1Parameters | np.ndarray) -> dict:
    """Liquid–gas transfer rates ρ_T,h2, ρ_T,ch4, ρ_T,co2 and the head-space outflow q_gas.

    Notes
    -----
    ρ_T,h2 = k_L a (S_h2 − 16 K_H,h2 p_h2), ρ_T,ch4 = k_L a (S_ch4 − 64 K_H,ch4 p_ch4),
    ρ_T,co2 = k_L a (S_co2 − K_H,co2 p_co2); q_gas = k_p (P_gas − P_atm) ≥ 0 [m³/d] at the
    head-space pressure (Batstone et al. 2002, Table 3.4; Rosen & Jeppsson 2006). Units:
    kg COD/(m³·d) for H2 and CH4, kmol C/(m³·d) for CO2.
    """
    y = _state(y)
    p = _packed(params)
    pp = np.empty(4)
    _k.partial_pressures(y, p, pp)
    io = np.empty(6)
    _k.ions(y, y[_k.I_H], p, io)
    kla = p[_k.KLA]
    return {
        "h2": kla * (y[7] - 16.0 * p[_k.KH_H2] * pp[0]),
        "ch4": kla * (y[8] - 64.0 * p[_k.KH_CH4] * pp[1]),
        "co2": kla * ((y[9] - io[4]) - p[_k.KH_CO2] * pp[2]),
        "q_gas": max(p[_k.K_P] * (pp[3] - p[_k.P_ATM]), 0.0),
    }


def process_rates(y, params: ADM1Parameters | np.ndarray) -> np.ndarray:
    """The 19 biochemical process rates ρ_1 … ρ_19 [kg COD/(m³·d)] at the state ``y``.

    S_H+ is solved from the charge balance; S_h2 is taken from ``y`` (index 7).

    Notes
    -----
    Batstone et al. (2002) Table 3.1 with the BSM2 inhibition terms: Hill-type pH inhibition
    (module notes), non-competitive H2 inhibition of LCFA, C4 and propionate uptake
    1/(1 + S_h2/K_I,h2), free-ammonia inhibition of acetoclastic methanogenesis
    1/(1 + S_nh3/K_I,nh3), inorganic-N limitation 1/(1 + K_S,IN/S_IN) on all uptakes.
    """
    y = _state(y)
    p = _packed(params)
    h = _k.solve_ph(y, p, y[_k.I_H])
    io = np.empty(6)
    _k.ions(y, h, p, io)
    inh = np.empty(3)
    _k.inhibitions(y, h, io[5], p, inh)
    rho = np.empty(_k.N_PROC)
    _k.rates(y, inh, y[_k.I_SH2], p, rho)
    return rho


def derivatives(y, u28, params: ADM1Parameters | np.ndarray) -> np.ndarray:
    """dy/dt of the DAE-reduced system [state units per day]; zero at S_h2 and S_H+."""
    y, u = _state(y), _input(u28)
    dy = np.empty(_k.N_Y)
    _k.rhs(y, u[:26], u[26], _packed(params), dy)
    return dy


def consistent(y, u28, params: ADM1Parameters | np.ndarray) -> np.ndarray:
    """A copy of ``y`` with S_H+ and S_h2 set to their algebraic solutions."""
    y, u = _state(y), _input(u28)
    dy = np.empty(_k.N_Y)
    h, sh2 = _k.rhs(y, u[:26], u[26], _packed(params), dy)
    y[_k.I_H], y[_k.I_SH2] = h, sh2
    return y


def digester_outputs(
    y, params: ADM1Parameters | np.ndarray, q_in_m3_per_d: float
) -> DigesterOutputs:
    """Effluent stream, pH, ions, head-space pressures, gas flow and gas production at ``y``.

    ``y`` should be consistent (as left by :func:`advance` or :func:`consistent`).
    """
    y = _state(y)
    p = _packed(params)
    ions = acid_base_species(y, p, s_h=y[_k.I_H])
    pp = np.empty(4)
    _k.partial_pressures(y, p, pp)
    q_gas = max(p[_k.K_P] * (pp[3] - p[_k.P_ATM]), 0.0) * pp[3] / p[_k.P_ATM]
    molar = p[_k.P_ATM] / (p[_k.R] * p[_k.T_OP]) * q_gas / pp[3]  # kmol/d per bar of p_i
    effluent = np.concatenate([y[:26], [q_in_m3_per_d, p[_k.T_OP] - 273.15]])
    return DigesterOutputs(
        effluent=effluent,
        pH=float(-np.log10(y[_k.I_H])),
        ions=ions,
        p_gas_bar={"h2": pp[0], "ch4": pp[1], "co2": pp[2], "h2o": p[_k.P_H2O], "total": pp[3]},
        gas_flow_m3_per_d=float(q_gas),
        ch4_kg_per_d=float(pp[1] * molar * 16.0),
        co2_kg_per_d=float(pp[2] * molar * 44.0),
        h2_kg_per_d=float(pp[0] * molar * 2.0),
    )


#: Default tolerances of the W-method: states within ~0.3 % of a tight explicit run over the
#: 609-day BSM2 horizon (S_gas,ch4 within 0.01 %); see docs/methods/adm1.md.
RTOL, ATOL = 1e-3, 1e-6


def new_work() -> np.ndarray:
    """A fresh work array for the compiled ``_kernel_adm1.advance`` (step size and Jacobian)."""
    return np.zeros(_k.N_WORK)


def advance(
    y: np.ndarray,
    u28,
    dt_d: float,
    params: ADM1Parameters | np.ndarray,
    work: np.ndarray | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> np.ndarray:
    """Advance the digester state ``y`` in place over ``dt_d`` days with the input held.

    Wraps the compiled ``_kernel_adm1.advance`` (ROS2 W-method with a reused finite-difference
    Jacobian), which plant-wide code calls directly with a persistent ``work`` array.

    Raises
    ------
    ModelError
        The integrator failed (step-size underflow or too many steps).
    """
    u = _input(u28)
    work = new_work() if work is None else work
    _, status = _k.advance(y, u, float(dt_d), _packed(params), work, rtol, atol, _MAX_STEPS)
    if status:
        raise ModelError(f"ADM1 integration failed (status {status}) over {dt_d} d")
    return y


def steady_state(
    u28, params: ADM1Parameters | np.ndarray, y0=None, tol: float = 1e-10
) -> DigesterState:
    """The steady state of the digester under the constant input ``u28`` (dy/dt ≈ 0).

    A stiff BDF run (scipy) over 1000 days from ``y0`` (default :data:`GENERIC_START`) then a
    Newton polish (``scipy.optimize.root``) of the 28 differential states.

    Raises
    ------
    ModelError
        The polish did not reach max |dy/dt| / max(|y|, 1e-3) < ``tol`` per day.
    """
    from scipy.integrate import solve_ivp
    from scipy.optimize import root

    u = _input(u28)
    p = _packed(params)
    y = _state(GENERIC_START if y0 is None else y0)
    dy = np.empty(_k.N_Y)
    diff = np.array([i for i in range(_k.N_Y) if i not in (_k.I_SH2, _k.I_H)])

    def f(_t, z):
        z = np.maximum(z, 0.0)
        _k.rhs(z, u[:26], u[26], p, dy)
        return dy.copy()

    sol = solve_ivp(f, (0.0, 1000.0), y, method="BDF", rtol=1e-8, atol=1e-12)
    y = consistent(np.maximum(sol.y[:, -1], 0.0), u, p)
    scale = np.maximum(np.abs(y[diff]), 1e-6)

    def residual(x):
        z = y.copy()
        z[diff] = x * scale
        _k.rhs(z, u[:26], u[26], p, dy)
        return dy[diff] / scale

    res = root(residual, y[diff] / scale, method="hybr", options={"xtol": 1e-13})
    y[diff] = res.x * scale
    y = consistent(y, u, p)
    err = np.max(np.abs(residual(y[diff] / scale)) * scale / np.maximum(np.abs(y[diff]), 1e-3))
    if not err < tol:
        raise ModelError(f"ADM1 steady state not reached: max relative dy/dt {err:.2e} per day")
    return DigesterState(y)


def simulate_digester(
    times_d,
    inputs,
    params: ADM1Parameters | np.ndarray,
    y0,
    method: str = "implicit",
    rtol: float | None = None,
    atol: float | None = None,
) -> np.ndarray:
    """States at ``times_d`` (n) with ``inputs`` (n − 1 × 28) held over each interval.

    ``method`` "implicit" (ROS2 W-method, fast; default tolerances :data:`RTOL`, :data:`ATOL`)
    or "explicit" (Dormand–Prince 5(4), default rtol 1e-6, atol 1e-9; its step is bounded by the
    gas-transfer time constant of about a minute, so it is ~4× slower).

    Returns
    -------
    numpy.ndarray
        (n, 30) states in :data:`STATE_NAMES` order, consistent at every row.

    Raises
    ------
    InputError
        Times not increasing, inputs of the wrong shape, unknown method.
    ModelError
        The integrator failed.
    """
    times = np.asarray(times_d, dtype=float)
    u = np.asarray(inputs, dtype=float)
    if times.ndim != 1 or np.any(np.diff(times) <= 0.0):
        raise InputError("times_d must be strictly increasing")
    if u.shape != (times.size - 1, 28):
        raise InputError(f"inputs must be {times.size - 1} × 28 (one row per interval)")
    if method not in ("implicit", "explicit"):
        raise InputError(f"unknown integration method {method!r}; known: implicit, explicit")
    series = _k.advance_series if method == "implicit" else _k.advance_series_explicit
    default_rtol, default_atol = (RTOL, ATOL) if method == "implicit" else (1e-6, 1e-9)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    y = consistent(y0, u[0], params)
    out, _, status = series(y, u, np.diff(times), _packed(params), rtol, atol, _MAX_STEPS)
    if status:
        day = times[len(out) - 1]
        raise ModelError(f"ADM1 integration failed (status {status}) after day {day}")
    return out


def simulate_digester_frame(inputs: pd.DataFrame, params: ADM1Parameters | np.ndarray, y0,
                            **options) -> pd.DataFrame:  # fmt: skip
    """:func:`simulate_digester` for a table: index = time [d], columns :data:`COMPONENTS`, Q, T.

    Row i is held from its time to the next; the last row only marks the end time. Returns the
    states (columns :data:`STATE_NAMES` and pH) at the input times.
    """
    missing = [c for c in (*COMPONENTS, "Q", "T") if c not in inputs.columns]
    if missing:
        raise InputError(f"ADM1 input table lacks columns {missing}")
    table = inputs[[*COMPONENTS, "Q", "T"]].to_numpy(dtype=float)
    times = inputs.index.to_numpy(dtype=float)
    states = simulate_digester(times, table[:-1], params, y0, **options)
    frame = pd.DataFrame(states, index=inputs.index, columns=list(STATE_NAMES))
    frame["pH"] = -np.log10(frame["S_H"])
    return frame
