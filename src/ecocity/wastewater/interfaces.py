"""The ASM1 ↔ ADM1 interfaces of the IWA Benchmark Simulation Model no. 2 (BSM2).

Algebraic, instantaneous mappings between an activated-sludge stream (ASM1) and an anaerobic
digester stream (ADM1), as defined by Nopens et al. (2009) and coded in the official BSM2
S-functions ``asm2adm_v3_bsm2.c`` and ``adm2asm_v3_bsm2.c`` (version 3 of the interfaces, with
charge balancing and temperature-dependent acid–base constants). This module follows that code
step by step, including its order of operations, so that it reproduces the benchmark.

Streams (shared convention of the BSM2 modules):

* an **ASM1 stream** is a float64 array of length 15: the 13 ASM1 concentrations in
  :data:`ecocity.wastewater.asm1.STATES` order [g/m³; S_ALK mol HCO3⁻/m³], Q [m³/d], T [°C];
* an **ADM1 stream** is a float64 array of length 28: the 26 ADM1 input components in BSM2 order
  (:data:`ADM1_COMPONENTS`) [kg COD/m³; S_IC, S_IN, S_cat, S_an kmol/m³], Q [m³/d], T [°C].

ASM1 → ADM1 (:func:`asm_to_adm`), in the order of the code:

1. The COD demand of the electron acceptors, S_O + (40/14)·S_NO, is removed from S_S, then X_S,
   then X_BH, then X_BA (the N of the biomass removed goes to S_NH). S_O and S_NO are then gone.
2. S_S goes to amino acids S_aa as far as S_ND covers their N (f_N,aa), the rest to sugars S_su.
3. X_S goes to proteins X_pr as far as X_ND covers their N; the rest is split into lipids
   (``frlixs``) and carbohydrates.
4. Biomass X_BH + X_BA: the fraction 1 − ``frxs_adm`` goes to X_I; the biodegradable part goes to
   X_pr as far as its N (and then X_ND) allows, the rest to lipids (``frlibac``) and
   carbohydrates; surplus biomass N goes to X_ND.
5. X_I + X_P go to X_I (with ``fdegrade_adm`` = 0 as in BSM2; a degradable part would go to X_c,
   its N taken from X_I/X_P-N, X_ND, S_ND, S_NH in that order).
6. S_I goes to S_I; its N in the digester (``fsni_adm``) is taken from S_ND, X_ND, S_NH.
7. S_IN = (S_NH + S_ND + X_ND left) / 14 000; S_IC from the charge balance of the ASM1 ions
   (S_NO, S_NH, S_ALK) at the digester pH; S_cat − S_an as the code computes it.

ADM1 → ASM1 (:func:`adm_to_asm`): the seven ADM1 biomasses go to X_P (1 − ``frxs_as``) and X_S,
with N balanced through S_IN; X_c, X_ch, X_pr, X_li go to X_S; X_I to X_I; S_su … S_ac to S_S
(S_h2 and S_ch4 are stripped); S_I to S_I (its surplus N to S_NH); X_ND = N of X_c, X_pr and the
biomass part mapped to X_S; S_ND = N of S_aa; S_NH = S_IN; S_ALK from the charge balance; S_O,
S_NO, X_BH, X_BA are zero.

Both directions conserve COD (ASM1 COD counted as S_I + S_S + X_I + X_S + X_BH + X_BA + X_P −
S_O − (40/14)·S_NO; ADM1 COD without the stripped S_h2, S_ch4 on the way back) and nitrogen
(ASM1 N = S_NH + S_ND + X_ND + i_XB·(X_BH + X_BA) + i_XP·(X_I + X_P), nitrate-N leaving as N2),
and carry the ASM1 charge of S_NO, S_NH, S_ALK into the charge of S_IC, S_IN and the volatile
fatty acids — unless a stream lacks the carbon or nitrogen the mapping needs, which the kernels
report by a status code (:data:`STATUS`) and the Python functions raise as
:class:`~ecocity.errors.ModelError`.

Temperature: the ADM1 stream leaves at the digester operating temperature (35 °C); the ASM1
stream leaving the digester side gets back the temperature the sludge had when it entered the
ASM1 → ADM1 interface (``temperature_c`` argument), as in the BSM2 code. The acid–base constants
pK_w, pK_a,CO2 and pK_a,IN are corrected to the digester temperature (van 't Hoff).

References
----------
Nopens, I., Batstone, D.J., Copp, J.B., Jeppsson, U., Volcke, E., Alex, J., Vanrolleghem, P.A.
(2009). An ASM/ADM model interface for dynamic plant-wide simulation. Water Research 43(7),
1913–1923. doi:10.1016/j.watres.2009.01.012

Rosen, C., Jeppsson, U. (2006). Aspects on ADM1 implementation within the BSM2 framework.
Department of Industrial Electrical Engineering and Automation, Lund University.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict

from ecocity.errors import InputError, ModelError

#: The 26 ADM1 input components in BSM2 order (kg COD/m³; S_IC, S_IN, S_cat, S_an in kmol/m³).
ADM1_COMPONENTS: tuple[str, ...] = (
    "S_su", "S_aa", "S_fa", "S_va", "S_bu", "S_pro", "S_ac", "S_h2", "S_ch4", "S_IC", "S_IN",
    "S_I", "X_xc", "X_ch", "X_pr", "X_li", "X_su", "X_aa", "X_fa", "X_c4", "X_pro", "X_ac", "X_h2",
    "X_I", "S_cat", "S_an",
)  # fmt: skip
#: Length of an ASM1 stream (13 concentrations, Q, T) and of an ADM1 stream (26, Q, T).
ASM_STREAM_LENGTH = 15
ADM_STREAM_LENGTH = 28
#: Status codes of the kernels: what the mapping could not do (0: nothing missing).
STATUS: dict[int, str] = {
    0: "ok",
    1: "carbon shortage: S_S, X_S and the biomass cannot meet the COD demand of S_O and S_NO",
    2: "not enough biomass nitrogen for the inert part of the activated-sludge biomass",
    3: "not enough nitrogen to map the biodegradable part of the digester biomass to X_S",
    4: "not enough nitrogen to map the digester S_I to the ASM1 S_I",
}
#: Order of the packed parameter vector the kernels take (:func:`pack`).
PACKED: tuple[str, ...] = (
    "cod_per_nitrate_n", "fnaa", "fnxc", "fnbac", "fxni", "fsni", "fsni_adm", "frlixs", "frlibac",
    "frxs_adm", "fdegrade_adm", "frxs_as", "fdegrade_as", "R_gas", "T_base_k",
    "digester_temperature_c", "pK_w_base", "pK_a_va_base", "pK_a_bu_base", "pK_a_pro_base",
    "pK_a_ac_base", "pK_a_co2_base", "pK_a_IN_base",
)  # fmt: skip

_DATA = resources.files("ecocity.wastewater") / "data"
_SECTIONS = ("nitrogen", "fractions", "acid_base", "operation")


class InterfaceParameters(BaseModel):
    """Parameters of the BSM2 ASM1 ↔ ADM1 interfaces (``data/interfaces_<name>.toml``).

    N contents [g N/g COD]: ``fnaa`` amino acids and proteins, ``fnxc`` composites, ``fnbac``
    biomass, ``fxni`` X_I and X_P, ``fsni`` ASM1 S_I, ``fsni_adm`` ADM1 S_I. Fractions [-]:
    ``frlixs`` lipids in the non-nitrogenous X_S, ``frlibac`` lipids in the non-nitrogenous
    biomass, ``frxs_adm`` / ``frxs_as`` degradable fraction of the biomass crossing to the
    digester / back to the AS, ``fdegrade_adm`` / ``fdegrade_as`` degradable part of the inerts.
    ``cod_per_nitrate_n`` [g COD/g N]; ``R_gas`` [bar·m³/(kmol·K)]; ``T_base_k`` [K]; pK values
    at 25 °C [-]; ``digester_temperature_c`` [°C]; ``initial_digester_ph`` [-].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    cod_per_nitrate_n: float
    fnaa: float
    fnxc: float
    fnbac: float
    fxni: float
    fsni: float
    fsni_adm: float
    frlixs: float
    frlibac: float
    frxs_adm: float
    fdegrade_adm: float
    frxs_as: float
    fdegrade_as: float
    R_gas: float
    T_base_k: float
    pK_w_base: float
    pK_a_va_base: float
    pK_a_bu_base: float
    pK_a_pro_base: float
    pK_a_ac_base: float
    pK_a_co2_base: float
    pK_a_IN_base: float
    digester_temperature_c: float
    initial_digester_ph: float


@cache
def load_parameters(name: str = "bsm2") -> InterfaceParameters:
    """Load a named interface parameter set from ``wastewater/data/interfaces_<name>.toml``.

    Raises
    ------
    InputError
        No parameter set of that name ships with ecocity.
    """
    resource = _DATA / f"interfaces_{name}.toml"
    if not resource.is_file():
        raise InputError(f"unknown ASM1/ADM1 interface parameter set {name!r}; known: bsm2", field="parameters")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    values = {key: entry["value"] for section in _SECTIONS for key, entry in data[section].items()}
    return InterfaceParameters(name=data["name"], **values)


def pack(p: InterfaceParameters) -> np.ndarray:
    """The parameters as the float64 vector the compiled kernels take, in :data:`PACKED` order."""
    return np.array([float(getattr(p, key)) for key in PACKED])


@njit(cache=True)
def _acid_base(ph, par):
    """Charge per unit of the ionic species at the digester pH and temperature (BSM2 interface).

    Returns α_va, α_bu, α_pro, α_ac [kmol charge/kg COD], α_CO2, α_IN [kmol/kmol] and pK_w.
    """
    t_op = par[15] + 273.15
    factor = (1.0 / par[14] - 1.0 / t_op) / (100.0 * par[13])
    pk_w = par[16] - math.log10(math.exp(55900.0 * factor))
    pk_a_co2 = par[21] - math.log10(math.exp(7646.0 * factor))
    pk_a_in = par[22] - math.log10(math.exp(51965.0 * factor))
    alfa_va = -1.0 / 208.0 / (1.0 + 10.0 ** (par[17] - ph))
    alfa_bu = -1.0 / 160.0 / (1.0 + 10.0 ** (par[18] - ph))
    alfa_pro = -1.0 / 112.0 / (1.0 + 10.0 ** (par[19] - ph))
    alfa_ac = -1.0 / 64.0 / (1.0 + 10.0 ** (par[20] - ph))
    alfa_co2 = -1.0 / (1.0 + 10.0 ** (pk_a_co2 - ph))
    alfa_in = 10.0 ** (pk_a_in - ph) / (1.0 + 10.0 ** (pk_a_in - ph))
    return alfa_va, alfa_bu, alfa_pro, alfa_ac, alfa_co2, alfa_in, pk_w


# ASM1 charge per unit: S_NO and S_NH [g N/m³ → kmol/m³], S_ALK [mol/m³ → kmol/m³]
_ALFA_NO = -1.0 / 14000.0
_ALFA_NH = 1.0 / 14000.0
_ALFA_ALK = -0.001


@njit(cache=True)
def asm_to_adm_kernel(u, ph, par):
    """ASM1 stream (15) → ADM1 stream (28) and a status code; compiled form of :func:`asm_to_adm`.

    ``ph`` is the digester pH [-] (BSM2 feeds back the digester's last pH); ``par`` is
    :func:`pack`'s vector. Status 0 when the mapping conserved COD and N (:data:`STATUS`).
    """
    cod_equiv, fnaa, fnxc, fnbac, fxni = par[0], par[1], par[2], par[3], par[4]
    fsni, fsni_adm, frlixs, frlibac, frxs_adm, fdegrade_adm = par[5], par[6], par[7], par[8], par[9], par[10]
    y = np.zeros(28)
    t = u[:13].copy()  # working copy (utemp of the BSM2 code); u keeps the inputs (utemp2)
    status = 0

    # 1. COD demand of S_O and S_NO, met by S_S, X_S, X_BH, X_BA in that order
    demand = u[7] + cod_equiv * u[8]
    t[7] = 0.0
    t[8] = 0.0
    if demand > u[1]:
        remain_a = demand - u[1]
        t[1] = 0.0
        if remain_a > u[3]:
            remain_b = remain_a - u[3]
            t[3] = 0.0
            if remain_b > u[4]:
                remain_c = remain_b - u[4]
                t[9] += u[4] * fnbac
                t[4] = 0.0
                if remain_c > u[5]:
                    t[9] += u[5] * fnbac
                    t[5] = 0.0
                    status = 1  # COD demand left over: carbon shortage
                else:
                    t[5] = u[5] - remain_c
                    t[9] += remain_c * fnbac
            else:
                t[4] = u[4] - remain_b
                t[9] += remain_b * fnbac
        else:
            t[3] = u[3] - remain_a
    else:
        t[1] = u[1] - demand

    # 2. S_S to amino acids as far as S_ND covers their N, the rest to sugars
    sorgn = u[10] / fnaa
    if sorgn >= t[1]:
        y[1] = t[1]
        t[10] -= t[1] * fnaa
        t[1] = 0.0
    else:
        y[1] = sorgn
        t[1] -= sorgn
        t[10] = 0.0

    # 3. X_S to proteins as far as X_ND covers their N, the rest to lipids and carbohydrates
    xorgn = u[11] / fnaa
    if xorgn >= t[3]:
        xpr = t[3]
        t[11] -= t[3] * fnaa
        t[3] = 0.0
        xli = 0.0
        xch = 0.0
    else:
        xpr = xorgn
        xli = frlixs * (t[3] - xorgn)
        xch = (1.0 - frlixs) * (t[3] - xorgn)
        t[3] = 0.0
        t[11] = 0.0

    # 4. biomass: inert part to X_I, biodegradable part to proteins (N-limited), lipids, carbohydrates
    biomass = t[4] + t[5]
    biomass_nobio = biomass * (1.0 - frxs_adm)
    biomass_bion = biomass * fnbac - biomass_nobio * fxni
    if biomass_bion < 0.0:
        status = 2
    xli2 = 0.0
    xch2 = 0.0
    if biomass_bion / fnaa <= biomass - biomass_nobio:
        xpr2 = biomass_bion / fnaa
        remain_cod = biomass - biomass_nobio - xpr2
        if t[11] / fnaa > remain_cod:
            xpr2 += remain_cod
            t[11] -= remain_cod * fnaa
            remain_cod = 0.0
        else:
            xpr2 += t[11] / fnaa
            remain_cod -= t[11] / fnaa
            t[11] = 0.0
        xli2 = frlibac * remain_cod
        xch2 = (1.0 - frlibac) * remain_cod
    else:
        xpr2 = biomass - biomass_nobio
        t[11] += biomass * fnbac - biomass_nobio * fxni - xpr2 * fnaa
    t[4] = 0.0
    t[5] = 0.0

    # 5. X_I and X_P to X_I; a degradable part (fdegrade_adm > 0) to composites, N from
    #    X_I/X_P-N, X_ND, S_ND, S_NH in that order
    inert_x = (1.0 - fdegrade_adm) * (t[2] + t[6])
    xc = 0.0
    xli3 = 0.0
    xch3 = 0.0
    if fdegrade_adm > 0.0:
        noninert = fdegrade_adm * (t[2] + t[6])
        if fxni < fnxc:
            xc = noninert * fxni / fnxc
            noninert -= noninert * fxni / fnxc
            for k in (11, 10, 9):
                if t[k] < noninert * fnxc:
                    xc += t[k] / fnxc
                    noninert -= t[k] / fnxc
                    t[k] = 0.0
                else:
                    xc += noninert
                    t[k] -= noninert * fnxc
                    noninert = 0.0
                    break
            if noninert > 0.0:  # N shortage: the rest as lipids and carbohydrates (50/50)
                xli3 = 0.5 * noninert
                xch3 = 0.5 * noninert
        else:
            xc += noninert
            t[11] += noninert * (fxni - fnxc)

    # 6. S_I to S_I; its digester N content from S_I-N, then S_ND, X_ND, S_NH
    inert_s = 0.0
    if fsni < fsni_adm:
        inert_s = t[0] * fsni / fsni_adm
        t[0] -= t[0] * fsni / fsni_adm
        for k in (10, 11, 9):
            if t[k] < t[0] * fsni_adm:
                inert_s += t[k] / fsni_adm
                t[0] -= t[k] / fsni_adm
                t[k] = 0.0
            else:
                inert_s += t[0]
                t[k] -= t[0] * fsni_adm
                t[0] = 0.0
                break
        if t[0] > 0.0:  # N shortage: the rest of S_I as sugars
            t[1] += t[0]
            t[0] = 0.0
    else:
        inert_s += t[0]
        t[10] += t[0] * (fsni - fsni_adm)
        t[0] = 0.0

    # 7. outputs [kg COD/m³, kmol/m³] and the charge balance
    y[0] = t[1] / 1000.0
    y[1] /= 1000.0
    y[10] = (t[9] + t[10] + t[11]) / 14000.0
    y[11] = inert_s / 1000.0
    y[12] = xc / 1000.0
    y[13] = (xch + xch2 + xch3) / 1000.0
    y[14] = (xpr + xpr2) / 1000.0
    y[15] = (xli + xli2 + xli3) / 1000.0
    y[23] = (biomass_nobio + inert_x) / 1000.0
    y[26] = u[13]
    y[27] = par[15]
    alfa_va, alfa_bu, alfa_pro, alfa_ac, alfa_co2, alfa_in, pk_w = _acid_base(ph, par)
    asm_charge = u[8] * _ALFA_NO + u[9] * _ALFA_NH + u[12] * _ALFA_ALK
    weak = y[3] * alfa_va + y[4] * alfa_bu + y[5] * alfa_pro + y[6] * alfa_ac + y[10] * alfa_in
    y[9] = (asm_charge - weak) / alfa_co2
    cat_minus_an = weak + y[9] * alfa_co2 + 10.0 ** (ph - pk_w) - 10.0 ** (-ph)
    if cat_minus_an > 0.0:
        y[24] = cat_minus_an
    else:
        y[25] = -cat_minus_an
    return y, status


@njit(cache=True)
def adm_to_asm_kernel(y_in, ph, temperature_c, par):
    """ADM1 stream (28) → ASM1 stream (15) and a status code; compiled form of :func:`adm_to_asm`.

    ``ph`` is the digester pH [-], ``temperature_c`` the temperature the ASM1 stream leaves with
    [°C]; ``par`` is :func:`pack`'s vector. Status 0 when COD and N were conserved.
    """
    fnaa, fnxc, fnbac, fxni, fsni, fsni_adm = par[1], par[2], par[3], par[4], par[5], par[6]
    frxs_as, fdegrade_as = par[11], par[12]
    out = np.zeros(15)
    s_in = y_in[10]  # working S_IN [kmol N/m³]
    status = 0

    # biomass: inert part to X_P, biodegradable part to X_S with N content fnxc, N via S_IN
    biomass = 1000.0 * (y_in[16] + y_in[17] + y_in[18] + y_in[19] + y_in[20] + y_in[21] + y_in[22])
    biomass_nobio = biomass * (1.0 - frxs_as)
    biomass_bion = biomass * fnbac - biomass_nobio * fxni
    if biomass_bion < 0.0:  # not enough biomass N for the inert part: as much as N allows to X_P
        xp = biomass * fnbac / fxni
        biomass_nobio = xp
        biomass_bion = 0.0
    else:
        xp = biomass_nobio
    if biomass_bion / fnxc <= biomass - biomass_nobio:
        xs = biomass_bion / fnxc
        remain_cod = biomass - biomass_nobio - xs
        if s_in * 14000.0 / fnaa >= remain_cod:
            xs += remain_cod
        else:
            status = 3
    else:
        xs = biomass - biomass_nobio
    s_in = s_in + biomass * fnbac / 14000.0 - xp * fxni / 14000.0 - xs * fnxc / 14000.0
    out[3] = (y_in[12] + y_in[13] + y_in[14] + y_in[15]) * 1000.0 + xs
    out[6] = xp

    # X_I to X_I; a degradable part (fdegrade_as > 0) to X_S, N from X_I-N then S_IN
    inert_x = (1.0 - fdegrade_as) * y_in[23] * 1000.0
    xs2 = 0.0
    if fdegrade_as > 0.0:
        noninert = fdegrade_as * y_in[23] * 1000.0
        if fxni < fnxc:
            xs2 = noninert * fxni / fnxc
            noninert -= noninert * fxni / fnxc
            if s_in * 14000.0 < noninert * fnxc:
                xs2 += s_in * 14000.0 / fnxc
                noninert -= s_in * 14000.0 / fnxc
                s_in = 0.0
                inert_x += noninert
            else:
                xs2 += noninert
                s_in -= noninert * fnxc / 14000.0
        else:
            xs2 += noninert
            s_in += noninert * (fxni - fnxc) / 14000.0
    out[2] = inert_x
    out[3] += xs2

    # S_I to S_I (100 % on COD); N difference through S_IN
    s_i = y_in[11]
    inert_s = 0.0
    if fsni_adm < fsni:
        inert_s = s_i * fsni_adm / fsni
        s_i -= s_i * fsni_adm / fsni
        if s_in * 14.0 < s_i * fsni:
            inert_s += s_in * 14.0 / fsni
            s_i -= s_in * 14.0 / fsni
            s_in = 0.0
            status = 4
        else:
            inert_s += s_i
            s_in -= s_i * fsni / 14.0
    else:
        inert_s += s_i
        s_in += s_i * (fsni_adm - fsni) / 14.0
    out[0] = inert_s * 1000.0

    # organic N: X_ND of X_S (biomass part, composites, proteins), S_ND of amino acids
    out[11] = fnxc * (xs + xs2) + fnxc * 1000.0 * y_in[12] + fnaa * 1000.0 * y_in[14]
    out[10] = fnaa * 1000.0 * y_in[1]
    # S_S = sugars … acetate (S_h2 and S_ch4 are stripped on the way to the AS)
    out[1] = (y_in[0] + y_in[1] + y_in[2] + y_in[3] + y_in[4] + y_in[5] + y_in[6]) * 1000.0
    out[9] = s_in * 14000.0
    out[13] = y_in[26]
    out[14] = temperature_c
    # charge balance: S_ALK carries the charge of the ADM1 weak ions less S_NO and S_NH
    alfa_va, alfa_bu, alfa_pro, alfa_ac, alfa_co2, alfa_in, _ = _acid_base(ph, par)
    weak = (y_in[3] * alfa_va + y_in[4] * alfa_bu + y_in[5] * alfa_pro + y_in[6] * alfa_ac
            + y_in[9] * alfa_co2 + y_in[10] * alfa_in)  # fmt: skip
    out[12] = (weak - out[8] * _ALFA_NO - out[9] * _ALFA_NH) / _ALFA_ALK
    return out, status


def _checked(values: np.ndarray, length: int, what: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != (length,):
        raise InputError(f"an {what} stream must be a vector of length {length}, got shape {array.shape}", field=what)
    if not np.all(np.isfinite(array)):
        raise InputError(f"the {what} stream has non-finite values", field=what)
    if array[length - 2] < 0.0:
        raise InputError(f"the {what} stream's flow must be >= 0 m3/d, got {array[length - 2]}", field="Q")
    return array


def _check_ph(ph: float) -> float:
    if not (math.isfinite(ph) and 0.0 < ph < 14.0):
        raise InputError(f"the digester pH must lie between 0 and 14, got {ph}", field="pH")
    return float(ph)


def asm_to_adm(stream: np.ndarray, p: InterfaceParameters, ph: float | None = None) -> np.ndarray:
    """Map an ASM1 stream entering the digester to an ADM1 stream (BSM2 ASM1 → ADM1 interface).

    Parameters
    ----------
    stream
        ASM1 stream, length 15: 13 concentrations [g/m³; S_ALK mol/m³], Q [m³/d], T [°C].
    p
        Interface parameters (:func:`load_parameters`).
    ph
        pH in the digester [-], which the charge balance needs (BSM2 feeds back the digester's
        pH of the previous instant); default ``p.initial_digester_ph`` (7.0).

    Returns
    -------
    numpy.ndarray
        ADM1 stream, length 28: :data:`ADM1_COMPONENTS` [kg COD/m³; kmol/m³], Q [m³/d], and the
        digester temperature ``p.digester_temperature_c`` [°C].

    Raises
    ------
    InputError
        Wrong shape, non-finite values, negative flow, or pH outside (0, 14).
    ModelError
        The stream lacks the carbon for the COD demand of S_O and S_NO, or the biomass lacks the
        N for its inert part (:data:`STATUS` 1, 2): COD or N would not be conserved.

    Notes
    -----
    Nopens et al. (2009), section 2 and Table 2; the BSM2 code ``asm2adm_v3_bsm2.c``. Charge
    balance: S_IC·α_CO2 = (−S_NO + S_NH)/14 000 − S_ALK/1000 − Σ α_i·S_VFA,i − α_IN·S_IN with
    α_i the charge per unit of each species at the digester pH; S_cat − S_an = Σ α_i·S_i +
    α_CO2·S_IC + 10^(pH − pK_w) − 10^(−pH), written as the BSM2 code writes it.
    """
    u = _checked(stream, ASM_STREAM_LENGTH, "ASM1")
    y, status = asm_to_adm_kernel(u, _check_ph(p.initial_digester_ph if ph is None else ph), pack(p))
    if status:
        raise ModelError(f"ASM1 -> ADM1 interface: {STATUS[int(status)]}")
    return y


def adm_to_asm(stream: np.ndarray, ph: float, temperature_c: float, p: InterfaceParameters) -> np.ndarray:
    """Map the digester's ADM1 effluent to an ASM1 stream (BSM2 ADM1 → ASM1 interface).

    Parameters
    ----------
    stream
        ADM1 stream, length 28: :data:`ADM1_COMPONENTS` [kg COD/m³; kmol/m³], Q [m³/d], T [°C]
        (the digester's liquid state with its outflow).
    ph
        pH in the digester [-] (an ADM1 output).
    temperature_c
        Temperature of the ASM1 stream leaving the interface [°C]; BSM2 gives it the temperature
        of the sludge entering the ASM1 → ADM1 interface.
    p
        Interface parameters (:func:`load_parameters`).

    Returns
    -------
    numpy.ndarray
        ASM1 stream, length 15 [g/m³; S_ALK mol/m³; Q m³/d; T °C].

    Raises
    ------
    InputError
        Wrong shape, non-finite values, negative flow, or pH outside (0, 14).
    ModelError
        Not enough nitrogen for the mapping (:data:`STATUS` 3, 4).

    Notes
    -----
    Nopens et al. (2009), section 2 and Table 3; the BSM2 code ``adm2asm_v3_bsm2.c``. Charge
    balance: S_ALK/1000 = −(Σ α_i·S_i + α_CO2·S_IC + α_IN·S_IN − S_NH/14 000) (S_NO = 0).
    """
    y = _checked(stream, ADM_STREAM_LENGTH, "ADM1")
    if not math.isfinite(temperature_c):
        raise InputError(f"temperature must be finite, got {temperature_c}", field="temperature_c")
    out, status = adm_to_asm_kernel(y, _check_ph(ph), float(temperature_c), pack(p))
    if status:
        raise ModelError(f"ADM1 -> ASM1 interface: {STATUS[int(status)]}")
    return out
