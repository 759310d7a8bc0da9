"""Activated Sludge Model no. 1 (ASM1) in the variant of the IWA Benchmark Simulation Model no. 1.

Pure functions over arrays of states: the last axis holds the 13 ASM1 states in the benchmark's
order (:data:`STATES`), leading axes (tanks, layers, time) are broadcast.

The benchmark (Alex et al. 2008; Copp 2002) uses ASM1 (Henze et al. 1987) with these choices,
which this module follows:

* **Parameters**: the BSM1 set at 15 °C (``data/asm1_bsm1.toml``), not Henze's 20 °C defaults;
  no temperature correction (BSM1 runs at a fixed 15 °C).
* **Alkalinity** S_ALK is a state in mol HCO3⁻/m³ with the stoichiometry of ASM1 in molar units
  (N terms divided by 14 g N/mol); it does not inhibit any rate (no alkalinity switching
  function, as in ASM1 itself, but some simulators add one: BSM1 does not).
* **Decay**: death–regeneration for *both* heterotrophs and autotrophs (decay to f_P·X_P and
  (1 − f_P)·X_S, organic N to X_ND), with first-order rates b_H·X_BH and b_A·X_BA that do not
  depend on the electron acceptor (no anoxic reduction factor on decay).
* **Switching functions**: Monod terms exactly as ASM1; the anoxic growth and anoxic hydrolysis
  are reduced by η_g and η_h; hydrolysis of organic N follows hydrolysis of X_S in the ratio
  X_ND/X_S.
* **Numerical guards of the reference code**: negative concentrations are taken as zero inside
  the rate expressions (``asm1.c``: ``xtemp = max(x, 0)``); the states themselves are not clipped.
* **Composition variables** (not ASM1 states) with the benchmark formulas: TSS = 0.75·(X_S + X_I
  + X_BH + X_BA + X_P), BOD5 = f·(S_S + X_S + (1 − f_P)(X_BH + X_BA)) with f = 0.25 in the effluent
  and 0.65 in the influent, COD, TKN = S_NH + S_ND + X_ND + i_XB(X_BH + X_BA) + i_XP(X_P + X_I),
  TN = TKN + S_NO.

References
----------
Henze, M., Grady, C.P.L., Gujer, W., Marais, G.v.R., Matsuo, T. (1987). Activated Sludge Model
No. 1. IAWPRC Scientific and Technical Report No. 1, London.

Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1). IWA Task Group on Benchmarking
of Control Strategies for WWTPs, Lund University (Description_BSM1_20090101), section 2.

Copp, J.B. (ed.) (2002). The COST Simulation Benchmark: Description and Simulator Manual. COST
Action 624, EUR 19993, Office for Official Publications of the European Communities.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
from pydantic import BaseModel, ConfigDict

from ecocity.errors import InputError

#: The 13 ASM1 states in the benchmark's order (all g/m³ of COD, O2 or N; S_ALK mol/m³).
STATES: tuple[str, ...] = (
    "S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND",
    "S_ALK",
)  # fmt: skip
#: Index of each state in :data:`STATES`.
INDEX: dict[str, int] = {name: i for i, name in enumerate(STATES)}
#: Particulate states (settle in the clarifier; X_ND travels with them).
PARTICULATES: tuple[str, ...] = ("X_I", "X_S", "X_BH", "X_BA", "X_P", "X_ND")
#: Soluble states (advected through the clarifier layers).
SOLUBLES: tuple[str, ...] = ("S_I", "S_S", "S_O", "S_NO", "S_NH", "S_ND", "S_ALK")
#: The eight ASM1 processes (Henze et al. 1987, Table 6.1), in order j = 1 … 8.
PROCESSES: tuple[str, ...] = (
    "aerobic growth of heterotrophs",
    "anoxic growth of heterotrophs",
    "aerobic growth of autotrophs",
    "decay of heterotrophs",
    "decay of autotrophs",
    "ammonification of soluble organic nitrogen",
    "hydrolysis of entrapped organics",
    "hydrolysis of entrapped organic nitrogen",
)
#: Oxygen equivalents as the benchmark code writes them (rounded: 64/14 and 40/14) [g COD/g N]:
#: nitrate-N (4.57) and nitrate-N as electron acceptor when reduced to N2 (2.86); the COD of
#: N2-N is then 4.57 − 2.86 = 1.71, which keeps the matrix COD-continuous exactly.
COD_PER_NITRATE_N = 4.57
NITRATE_COD_AS_ACCEPTOR = 2.86
COD_PER_N2_N = COD_PER_NITRATE_N - NITRATE_COD_AS_ACCEPTOR

_DATA = resources.files("ecocity.wastewater") / "data"


class ASM1Parameters(BaseModel):
    """ASM1 stoichiometric and kinetic parameters (paper notation) and BSM conversion factors.

    Units: yields and fractions [-] or [g/g]; rates [1/d]; half-saturations [g/m³];
    k_a [m³/(g COD·d)]; oxygen saturation [g O2/m³].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    Y_A: float
    Y_H: float
    f_P: float
    i_XB: float
    i_XP: float
    mu_H: float
    K_S: float
    K_OH: float
    K_NO: float
    b_H: float
    eta_g: float
    eta_h: float
    k_h: float
    K_X: float
    mu_A: float
    K_NH: float
    b_A: float
    K_OA: float
    k_a: float
    tss_per_cod: float
    bod5_factor_effluent: float
    bod5_factor_influent: float
    oxygen_saturation_g_per_m3: float


@cache
def load_parameters(name: str = "bsm1") -> ASM1Parameters:
    """Load a named ASM1 parameter set from ``wastewater/data/asm1_<name>.toml``.

    Raises
    ------
    InputError
        No parameter set of that name ships with ecocity.
    """
    resource = _DATA / f"asm1_{name}.toml"
    if not resource.is_file():
        raise InputError(f"unknown ASM1 parameter set {name!r}; known: bsm1", field="parameters")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    values = {
        key: entry["value"]
        for section in ("stoichiometric", "kinetic", "conversion")
        for key, entry in data[section].items()
    }
    return ASM1Parameters(name=data["name"], **values)


def process_rates(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """The eight ASM1 process rates ρ_1 … ρ_8 [g/(m³·d)] (Henze et al. 1987, Table 6.1).

    Parameters
    ----------
    states
        Array ``(..., 13)`` of ASM1 states in :data:`STATES` order [g/m³; S_ALK mol/m³].
    p
        Parameters.

    Returns
    -------
    numpy.ndarray
        Array ``(..., 8)`` of process rates, in :data:`PROCESSES` order.

    Notes
    -----
    With S = max(state, 0) as in the benchmark code:

    ρ1 = μ_H S_S/(K_S+S_S) S_O/(K_OH+S_O) X_BH;
    ρ2 = μ_H S_S/(K_S+S_S) K_OH/(K_OH+S_O) S_NO/(K_NO+S_NO) η_g X_BH;
    ρ3 = μ_A S_NH/(K_NH+S_NH) S_O/(K_OA+S_O) X_BA;  ρ4 = b_H X_BH;  ρ5 = b_A X_BA;
    ρ6 = k_a S_ND X_BH;
    ρ7 = k_h (X_S/X_BH)/(K_X + X_S/X_BH) [S_O/(K_OH+S_O) + η_h K_OH/(K_OH+S_O) S_NO/(K_NO+S_NO)] X_BH;
    ρ8 = ρ7 X_ND/X_S.
    """
    s = np.maximum(states, 0.0)
    S_S, X_S, X_BH, X_BA = s[..., 1], s[..., 3], s[..., 4], s[..., 5]
    S_O, S_NO, S_NH, S_ND, X_ND = s[..., 7], s[..., 8], s[..., 9], s[..., 10], s[..., 11]
    monod_s = S_S / (p.K_S + S_S)
    aerobic_h = S_O / (p.K_OH + S_O)
    inhibition_o = p.K_OH / (p.K_OH + S_O)
    nitrate = S_NO / (p.K_NO + S_NO)
    # k_h (X_S/X_BH)/(K_X + X_S/X_BH) X_BH written as k_h X_BH/(K_X X_BH + X_S) × X_S, and
    # ρ8 = ρ7 X_ND/X_S with X_ND in place of X_S: the same numbers without dividing by X_BH or X_S
    denominator = p.K_X * X_BH + X_S
    with np.errstate(divide="ignore", invalid="ignore"):
        hydrolysis = np.where(denominator > 0.0, p.k_h * X_BH / denominator, 0.0)
    switch = aerobic_h + p.eta_h * inhibition_o * nitrate
    rho = np.empty(states.shape[:-1] + (8,))
    rho[..., 0] = p.mu_H * monod_s * aerobic_h * X_BH
    rho[..., 1] = p.mu_H * monod_s * inhibition_o * nitrate * p.eta_g * X_BH
    rho[..., 2] = p.mu_A * S_NH / (p.K_NH + S_NH) * S_O / (p.K_OA + S_O) * X_BA
    rho[..., 3] = p.b_H * X_BH
    rho[..., 4] = p.b_A * X_BA
    rho[..., 5] = p.k_a * S_ND * X_BH
    rho[..., 6] = hydrolysis * switch * X_S
    rho[..., 7] = hydrolysis * switch * X_ND
    return rho


@cache
def stoichiometry(p: ASM1Parameters) -> np.ndarray:
    """The ASM1 stoichiometric matrix ν (8 processes × 13 states), BSM1 form.

    Rows follow :data:`PROCESSES`, columns :data:`STATES`; S_ALK in mol/m³ per g of process
    (N terms divided by 14 g N/mol). Henze et al. (1987), Table 6.1; Alex et al. (2008), eqs. for
    the conversion rates r_1 … r_13. The returned array is read-only.
    """
    Y_A, Y_H, f_P, i_XB, i_XP = p.Y_A, p.Y_H, p.f_P, p.i_XB, p.i_XP
    nu = np.zeros((8, 13))
    i = INDEX
    # 1 aerobic growth of heterotrophs
    nu[0, i["S_S"]] = -1.0 / Y_H
    nu[0, i["X_BH"]] = 1.0
    nu[0, i["S_O"]] = -(1.0 - Y_H) / Y_H
    nu[0, i["S_NH"]] = -i_XB
    nu[0, i["S_ALK"]] = -i_XB / 14.0
    # 2 anoxic growth of heterotrophs
    nu[1, i["S_S"]] = -1.0 / Y_H
    nu[1, i["X_BH"]] = 1.0
    nu[1, i["S_NO"]] = -(1.0 - Y_H) / (NITRATE_COD_AS_ACCEPTOR * Y_H)
    nu[1, i["S_NH"]] = -i_XB
    nu[1, i["S_ALK"]] = (1.0 - Y_H) / (14.0 * NITRATE_COD_AS_ACCEPTOR * Y_H) - i_XB / 14.0
    # 3 aerobic growth of autotrophs
    nu[2, i["X_BA"]] = 1.0
    nu[2, i["S_O"]] = -(COD_PER_NITRATE_N - Y_A) / Y_A
    nu[2, i["S_NO"]] = 1.0 / Y_A
    nu[2, i["S_NH"]] = -i_XB - 1.0 / Y_A
    nu[2, i["S_ALK"]] = -i_XB / 14.0 - 1.0 / (7.0 * Y_A)
    # 4, 5 decay of heterotrophs and autotrophs (death-regeneration)
    for row, biomass in ((3, "X_BH"), (4, "X_BA")):
        nu[row, i["X_S"]] = 1.0 - f_P
        nu[row, i[biomass]] = -1.0
        nu[row, i["X_P"]] = f_P
        nu[row, i["X_ND"]] = i_XB - f_P * i_XP
    # 6 ammonification
    nu[5, i["S_NH"]] = 1.0
    nu[5, i["S_ND"]] = -1.0
    nu[5, i["S_ALK"]] = 1.0 / 14.0
    # 7 hydrolysis of entrapped organics
    nu[6, i["S_S"]] = 1.0
    nu[6, i["X_S"]] = -1.0
    # 8 hydrolysis of entrapped organic nitrogen
    nu[7, i["S_ND"]] = 1.0
    nu[7, i["X_ND"]] = -1.0
    nu.flags.writeable = False
    return nu


def conversion_rates(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """Net conversion rates r_i = Σ_j ν_ji ρ_j of the 13 states [g/(m³·d); S_ALK mol/(m³·d)].

    Parameters
    ----------
    states
        Array ``(..., 13)`` in :data:`STATES` order.
    p
        Parameters.

    Returns
    -------
    numpy.ndarray
        Array ``(..., 13)``.

    Examples
    --------
    >>> p = load_parameters("bsm1")
    >>> x = np.array([30, 2.81, 1149, 82.1, 2552, 148, 449, 0.0043, 5.37, 7.92, 1.22, 5.28, 4.93])
    >>> bool(conversion_rates(x, p)[INDEX["S_NO"]] < 0)  # anoxic tank: net denitrification
    True
    """
    return process_rates(states, p) @ stoichiometry(p)


def nitrogen_to_n2_rate(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """Rate of nitrate-N reduced to N2 by anoxic growth [g N/(m³·d)]: (1−Y_H)/(2.86 Y_H)·ρ2."""
    return (1.0 - p.Y_H) / (NITRATE_COD_AS_ACCEPTOR * p.Y_H) * process_rates(states, p)[..., 1]


def total_suspended_solids(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """TSS = 0.75·(X_S + X_I + X_BH + X_BA + X_P) [g/m³] (BSM1 description)."""
    s = states
    return p.tss_per_cod * (s[..., 2] + s[..., 3] + s[..., 4] + s[..., 5] + s[..., 6])


def chemical_oxygen_demand(states: np.ndarray) -> np.ndarray:
    """COD = S_S + S_I + X_S + X_I + X_BH + X_BA + X_P [g COD/m³] (BSM1 description)."""
    return states[..., :7].sum(axis=-1)


def biochemical_oxygen_demand(states: np.ndarray, p: ASM1Parameters, *, influent: bool = False) -> np.ndarray:
    """BOD5 = f·(S_S + X_S + (1 − f_P)(X_BH + X_BA)) [g O2/m³]; f = 0.65 influent, 0.25 effluent."""
    s = states
    factor = p.bod5_factor_influent if influent else p.bod5_factor_effluent
    return factor * (s[..., 1] + s[..., 3] + (1.0 - p.f_P) * (s[..., 4] + s[..., 5]))


def kjeldahl_nitrogen(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """TKN = S_NH + S_ND + X_ND + i_XB(X_BH + X_BA) + i_XP(X_P + X_I) [g N/m³] (BSM1 description)."""
    s = states
    return s[..., 9] + s[..., 10] + s[..., 11] + p.i_XB * (s[..., 4] + s[..., 5]) + p.i_XP * (
        s[..., 6] + s[..., 2]
    )


def total_nitrogen(states: np.ndarray, p: ASM1Parameters) -> np.ndarray:
    """TN = TKN + S_NO [g N/m³] (BSM1 description)."""
    return kjeldahl_nitrogen(states, p) + states[..., 8]
