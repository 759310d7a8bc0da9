"""Compiled ADM1 (BSM2 variant) right-hand side and integrator, DAE form of Rosen & Jeppsson (2006).

The state vector ``y`` has :data:`N_Y` = 30 entries: the 26 ADM1 liquid components in BSM2 order
(0 … 25; ``y[7]`` = S_h2 is algebraic), the three head-space concentrations S_gas,h2 [kg COD/m³],
S_gas,ch4 [kg COD/m³], S_gas,co2 [kmol C/m³] (26 … 28) and S_H+ [kmol/m³] (29, algebraic).
The algebraic entries hold the last solution and serve as warm starts; their time derivative is
zero. The packed parameter vector ``p`` is built by :func:`ecocity.wastewater.adm1.pack`: the
scalars at the indices named below, then the 19 × 24 stoichiometric matrix row by row.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

N_LIQ = 26
N_Y = 30
I_SH2 = 7
I_GAS_H2, I_GAS_CH4, I_GAS_CO2, I_H = 26, 27, 28, 29
N_PROC = 19
N_COMP = 24  # components touched by the biochemical processes (S_su … X_I)

# scalar slots of the packed parameter vector
(V_LIQ, V_GAS, T_OP, R, K_W, KA_VA, KA_BU, KA_PRO, KA_AC, KA_CO2, KA_IN, P_ATM, P_H2O, K_P, KLA,
 KH_CO2, KH_CH4, KH_H2, K_S_IN, K_DIS, K_HYD_CH, K_HYD_PR, K_HYD_LI, KM_SU, KS_SU, KM_AA, KS_AA,
 KM_FA, KS_FA, KI_H2_FA, KM_C4, KS_C4, KI_H2_C4, KM_PRO, KS_PRO, KI_H2_PRO, KM_AC, KS_AC,
 KI_NH3, KM_H2, KS_H2, KDEC0, _KDEC1, _KDEC2, _KDEC3, _KDEC4, _KDEC5, _KDEC6, PHLIM_AA, N_AA,
 PHLIM_AC, N_AC, PHLIM_H2, N_H2) = range(54)  # fmt: skip
NU0 = 54
N_P = NU0 + N_PROC * N_COMP

# Dormand–Prince 5(4) tableau (Dormand & Prince 1980), as in wastewater/_kernel.py
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1 / 5, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3 / 40, 9 / 40, 0.0, 0.0, 0.0, 0.0],
    [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0, 0.0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0, 0.0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0.0],
])  # fmt: skip
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
_E = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])


@njit(cache=True)
def _pos(x):
    return x if x > 0.0 else 0.0


@njit(cache=True)
def ions(y, h, p, out):
    """Dissociated species at S_H+ = h: out = [S_va-, S_bu-, S_pro-, S_ac-, S_hco3-, S_nh3]."""
    out[0] = p[KA_VA] * _pos(y[3]) / (p[KA_VA] + h)
    out[1] = p[KA_BU] * _pos(y[4]) / (p[KA_BU] + h)
    out[2] = p[KA_PRO] * _pos(y[5]) / (p[KA_PRO] + h)
    out[3] = p[KA_AC] * _pos(y[6]) / (p[KA_AC] + h)
    out[4] = p[KA_CO2] * _pos(y[9]) / (p[KA_CO2] + h)
    out[5] = p[KA_IN] * _pos(y[10]) / (p[KA_IN] + h)


@njit(cache=True)
def solve_ph(y, p, h0):
    """S_H+ [kmol/m³] from the charge balance (Rosen & Jeppsson 2006, DAE), Newton in ln S_H+.

    The balance S_cat + S_nh4+ + S_H+ − S_hco3- − S_ac-/64 − S_pro-/112 − S_bu-/160
    − S_va-/208 − K_w/S_H+ − S_an = 0 is monotone in S_H+, so the root is unique; a bracket
    keeps Newton safe.
    """
    va, bu, pro, ac = _pos(y[3]), _pos(y[4]), _pos(y[5]), _pos(y[6])
    ic, inn, cat, an = _pos(y[9]), _pos(y[10]), _pos(y[24]), _pos(y[25])
    kw = p[K_W]
    lo, hi = math.log(1e-14), math.log(1.0)
    x = math.log(h0) if 1e-14 < h0 < 1.0 else math.log(1e-7)
    for _ in range(100):
        h = math.exp(x)
        a_va, a_bu, a_pro, a_ac = p[KA_VA] + h, p[KA_BU] + h, p[KA_PRO] + h, p[KA_AC] + h
        a_co2, a_in = p[KA_CO2] + h, p[KA_IN] + h
        f = (cat + inn * h / a_in + h - ic * p[KA_CO2] / a_co2 - ac * p[KA_AC] / a_ac / 64.0
             - pro * p[KA_PRO] / a_pro / 112.0 - bu * p[KA_BU] / a_bu / 160.0
             - va * p[KA_VA] / a_va / 208.0 - kw / h - an)  # fmt: skip
        df = (inn * p[KA_IN] / (a_in * a_in) + 1.0 + ic * p[KA_CO2] / (a_co2 * a_co2)
              + ac * p[KA_AC] / (a_ac * a_ac) / 64.0 + pro * p[KA_PRO] / (a_pro * a_pro) / 112.0
              + bu * p[KA_BU] / (a_bu * a_bu) / 160.0 + va * p[KA_VA] / (a_va * a_va) / 208.0
              + kw / (h * h)) * h  # fmt: skip
        if f > 0.0:
            hi = x
        else:
            lo = x
        step = f / df
        x_new = x - step
        if x_new <= lo or x_new >= hi:
            x_new = 0.5 * (lo + hi)
        if abs(x_new - x) < 1e-13:
            return math.exp(x_new)
        x = x_new
    return math.exp(x)


@njit(cache=True)
def inhibitions(y, h, s_nh3, p, out):
    """Inhibition factors without the H2 terms: out = [I_5-10, I_11, I_12] (BSM2 Hill pH terms).

    I_5-10 = I_pH,aa · I_IN,lim; I_11 = I_pH,ac · I_IN,lim · I_nh3; I_12 = I_pH,h2 · I_IN,lim,
    with I_pH = K^n / (S_H+^n + K^n) = 1 / (1 + exp(n (ln S_H+ − ln K))).
    """
    i_in = 1.0 / (1.0 + p[K_S_IN] / y[10]) if y[10] > 0.0 else 0.0
    lnh = math.log(h)
    out[0] = i_in / (1.0 + math.exp(p[N_AA] * (lnh - p[PHLIM_AA])))
    out[1] = i_in / (1.0 + math.exp(p[N_AC] * (lnh - p[PHLIM_AC]))) / (1.0 + s_nh3 / p[KI_NH3])
    out[2] = i_in / (1.0 + math.exp(p[N_H2] * (lnh - p[PHLIM_H2])))


@njit(cache=True)
def rates(y, inh, sh2, p, rho):
    """The 19 biochemical process rates ρ_1 … ρ_19 [kg COD/(m³·d)] (inh from inhibitions)."""
    sh2 = _pos(sh2)
    rho[0] = p[K_DIS] * _pos(y[12])
    rho[1] = p[K_HYD_CH] * _pos(y[13])
    rho[2] = p[K_HYD_PR] * _pos(y[14])
    rho[3] = p[K_HYD_LI] * _pos(y[15])
    su, aa, fa, va, bu, pro, ac = (_pos(y[0]), _pos(y[1]), _pos(y[2]), _pos(y[3]), _pos(y[4]),
                                   _pos(y[5]), _pos(y[6]))  # fmt: skip
    rho[4] = p[KM_SU] * su / (p[KS_SU] + su) * _pos(y[16]) * inh[0]
    rho[5] = p[KM_AA] * aa / (p[KS_AA] + aa) * _pos(y[17]) * inh[0]
    rho[6] = p[KM_FA] * fa / (p[KS_FA] + fa) * _pos(y[18]) * inh[0] / (1.0 + sh2 / p[KI_H2_FA])
    # the BSM2 code adds 1e-6 to the denominator of the valerate/butyrate share
    c4 = _pos(y[19]) * inh[0] / (1.0 + sh2 / p[KI_H2_C4]) / (va + bu + 1e-6)
    rho[7] = p[KM_C4] * va / (p[KS_C4] + va) * va * c4
    rho[8] = p[KM_C4] * bu / (p[KS_C4] + bu) * bu * c4
    rho[9] = p[KM_PRO] * pro / (p[KS_PRO] + pro) * _pos(y[20]) * inh[0] / (1.0 + sh2 / p[KI_H2_PRO])
    rho[10] = p[KM_AC] * ac / (p[KS_AC] + ac) * _pos(y[21]) * inh[1]
    rho[11] = p[KM_H2] * sh2 / (p[KS_H2] + sh2) * _pos(y[22]) * inh[2]
    for j in range(7):
        rho[12 + j] = p[KDEC0 + j] * _pos(y[16 + j])


@njit(cache=True)
def _nu(p, j, i):
    return p[NU0 + j * N_COMP + i]


@njit(cache=True)
def partial_pressures(y, p, out):
    """Head-space partial pressures [bar]: out = [p_h2, p_ch4, p_co2, P_gas (incl. H2O)]."""
    rt = p[R] * p[T_OP]
    out[0] = _pos(y[I_GAS_H2]) * rt / 16.0
    out[1] = _pos(y[I_GAS_CH4]) * rt / 64.0
    out[2] = _pos(y[I_GAS_CO2]) * rt
    out[3] = out[0] + out[1] + out[2] + p[P_H2O]


@njit(cache=True)
def solve_h2(y, u, q_in, inh, p_h2, p, s0, rho):
    """S_h2 [kg COD/m³] from its quasi-steady mass balance (Rosen & Jeppsson 2006, DAE), Newton.

    F(S) = q/V (S_in − S) + Σ_j ν_j,h2 ρ_j(S) − k_L a (S − 16 K_H,h2 p_gas,h2) = 0 is
    strictly decreasing and convex in S ≥ 0, so its root is unique and Newton converges from
    the left.
    ``rho`` is scratch space (19).
    """
    rates(y, inh, 0.0, p, rho)
    const = q_in / p[V_LIQ] * _pos(u[I_SH2]) + p[KLA] * 16.0 * p[KH_H2] * p_h2
    for j in range(6):
        const += _nu(p, j, I_SH2) * rho[j]
    for j in range(10, N_PROC):
        if j != 11:
            const += _nu(p, j, I_SH2) * rho[j]
    b0 = _nu(p, 6, I_SH2) * rho[6]
    b1 = _nu(p, 7, I_SH2) * rho[7] + _nu(p, 8, I_SH2) * rho[8]
    b3 = _nu(p, 9, I_SH2) * rho[9]
    k0, k1, k3 = p[KI_H2_FA], p[KI_H2_C4], p[KI_H2_PRO]
    c12 = -_nu(p, 11, I_SH2) * p[KM_H2] * _pos(y[22]) * inh[2]
    lin = q_in / p[V_LIQ] + p[KLA]
    ks = p[KS_H2]
    s = s0 if s0 > 0.0 else 1e-7
    for _ in range(60):
        g0, g1, g3 = 1.0 / (1.0 + s / k0), 1.0 / (1.0 + s / k1), 1.0 / (1.0 + s / k3)
        f = const + b0 * g0 + b1 * g1 + b3 * g3 - c12 * s / (ks + s) - lin * s
        df = (-b0 / k0 * g0 * g0 - b1 / k1 * g1 * g1 - b3 / k3 * g3 * g3
              - c12 * ks / ((ks + s) * (ks + s)) - lin)  # fmt: skip
        s_new = s - f / df
        if s_new <= 0.0:
            s_new = 0.1 * s
        if abs(s_new - s) <= 1e-12 * s + 1e-20:
            return s_new
        s = s_new
    return s


@njit(cache=True)
def rhs(y, u, q_in, p, dy):
    """Time derivative of the DAE-reduced ADM1 (algebraic S_H+ and S_h2 solved first).

    ``u`` holds the 26 input concentrations, ``q_in`` [m³/d] the held flow. Writes ``dy``
    (zero at the algebraic entries) and returns (S_H+, S_h2) of this evaluation.
    """
    h = solve_ph(y, p, y[I_H])
    io = np.empty(6)
    ions(y, h, p, io)
    pp = np.empty(4)
    partial_pressures(y, p, pp)
    inh = np.empty(3)
    inhibitions(y, h, io[5], p, inh)
    rho = np.empty(N_PROC)
    sh2 = solve_h2(y, u, q_in, inh, pp[0], p, y[I_SH2], rho)
    rates(y, inh, sh2, p, rho)
    d = q_in / p[V_LIQ]
    for i in range(N_LIQ):
        acc = d * (u[i] - y[i])
        if i < N_COMP:
            for j in range(N_PROC):
                acc += _nu(p, j, i) * rho[j]
        dy[i] = acc
    kla = p[KLA]
    t8 = kla * (sh2 - 16.0 * p[KH_H2] * pp[0])
    t9 = kla * (_pos(y[8]) - 64.0 * p[KH_CH4] * pp[1])
    t10 = kla * ((_pos(y[9]) - io[4]) - p[KH_CO2] * pp[2])
    dy[8] -= t9
    dy[9] -= t10
    dy[I_SH2] = 0.0
    q_gas = p[K_P] * (pp[3] - p[P_ATM])
    if q_gas < 0.0:
        q_gas = 0.0
    vr = p[V_LIQ] / p[V_GAS]
    dy[I_GAS_H2] = -_pos(y[I_GAS_H2]) * q_gas / p[V_GAS] + t8 * vr
    dy[I_GAS_CH4] = -_pos(y[I_GAS_CH4]) * q_gas / p[V_GAS] + t9 * vr
    dy[I_GAS_CO2] = -_pos(y[I_GAS_CO2]) * q_gas / p[V_GAS] + t10 * vr
    dy[I_H] = 0.0
    return h, sh2


@njit(cache=True)
def advance_explicit(y, u28, dt_d, p, h_try, rtol, atol, max_steps):
    """Advance the digester state ``y`` in place over ``dt_d`` days with the input ``u28`` held.

    ``u28`` is the 26 ADM1 input components, Q [m³/d] and T [°C] (T is not used: the digester
    runs at the parameter T_op, as in BSM2). Explicit Dormand–Prince 5(4) with error control on
    the differential states; after each accepted step the algebraic S_H+ and S_h2 are set to the
    values consistent with the new state. Returns (next step size [d], RHS calls, status):
    status 0 ok, 1 step-size underflow, 2 too many steps.
    """
    n = N_Y
    u = u28[:N_LIQ]
    q_in = u28[N_LIQ]
    k = np.empty((7, n))
    tmp = np.empty(n)
    y_new = np.empty(n)
    h = h_try if h_try > 0.0 else 1e-3
    alg = rhs(y, u, q_in, p, k[0])
    y[I_H], y[I_SH2] = alg[0], alg[1]
    calls = 1
    steps = 0
    t = 0.0
    rejected = False
    while t < dt_d:
        span = dt_d - t
        last = h >= span
        step = span if last else h
        if step < 1e-14 * max(dt_d, 1.0):
            return h, calls, 1
        for s in range(1, 6):
            for m in range(n):
                acc = 0.0
                for q in range(s):
                    acc += _A[s, q] * k[q, m]
                tmp[m] = y[m] + step * acc
            rhs(tmp, u, q_in, p, k[s])
        for m in range(n):
            acc = 0.0
            for q in range(6):
                acc += _B[q] * k[q, m]
            y_new[m] = y[m] + step * acc
        alg = rhs(y_new, u, q_in, p, k[6])
        calls += 6
        steps += 1
        if steps > max_steps:
            return h, calls, 2
        norm = 0.0
        for m in range(n):
            acc = 0.0
            for q in range(7):
                acc += _E[q] * k[q, m]
            scale = atol + rtol * max(abs(y[m]), abs(y_new[m]))
            norm += (step * acc / scale) ** 2
        norm = math.sqrt(norm / n)
        if norm < 1.0:
            factor = 5.0 if norm == 0.0 else min(5.0, 0.9 * norm**-0.2)
            if rejected:
                factor = min(factor, 1.0)
            t = dt_d if last else t + step
            y[:] = y_new
            y[I_H], y[I_SH2] = alg[0], alg[1]
            k[0] = k[6]
            if not (last and step < h):
                h = step * factor
            rejected = False
        else:
            h = step * max(0.2, 0.9 * norm**-0.2)
            rejected = True
    return h, calls, 0


@njit(cache=True)
def advance_series_explicit(y0, inputs, dts, p, rtol, atol, max_steps):
    """Advance over consecutive intervals dts[i] with inputs[i] (n × 28) held; states after each.

    Explicit Dormand–Prince (:func:`advance_explicit`); returns (states, RHS calls, status).
    """
    out = np.empty((dts.size + 1, N_Y))
    y = y0.copy()
    out[0] = y
    h = 1e-3
    calls = 0
    for i in range(dts.size):
        h, c, status = advance_explicit(y, inputs[i], dts[i], p, h, rtol, atol, max_steps)
        calls += c
        if status != 0:
            return out[: i + 1], calls, status
        out[i + 1] = y
    return out, calls, 0


# ---------------------------------------------------------------------------------------------
# Linearly implicit integrator: ROS2 of Verwer et al. (1999), second order for any matrix W
# (a W-method), so the finite-difference Jacobian can be kept over many steps and intervals.
_GAMMA = 1.0 + 1.0 / math.sqrt(2.0)
DIFF = np.array([i for i in range(N_Y) if i != I_SH2 and i != I_H])
N_DIFF = DIFF.size
#: length of the work array of :func:`advance`:
#: [h_next, J age (d), J valid, h of the LU, J (m × m), LU of I − γhJ (m × m), pivots (m)]
N_WORK = 4 + 2 * N_DIFF * N_DIFF + N_DIFF
_J0 = 4
_LU0 = 4 + N_DIFF * N_DIFF
_PIV0 = 4 + 2 * N_DIFF * N_DIFF
J_MAX_AGE_D = 1.0


@njit(cache=True)
def _jacobian(y, u, q_in, p, f0, work):
    """Forward-difference Jacobian of the differential part, stored row-major in work."""
    m = N_DIFF
    z = y.copy()
    f1 = np.empty(N_Y)
    for c in range(m):
        j = DIFF[c]
        delta = 1e-7 * max(abs(y[j]), 1e-6)
        z[j] = y[j] + delta
        rhs(z, u, q_in, p, f1)
        z[j] = y[j]
        for r in range(m):
            work[_J0 + r * m + c] = (f1[DIFF[r]] - f0[DIFF[r]]) / delta
    work[1] = 0.0
    work[2] = 1.0
    work[3] = -1.0  # the stored LU no longer matches


@njit(cache=True)
def _lu(a, piv):
    """In-place LU factorisation with partial pivoting of the m × m matrix a."""
    m = a.shape[0]
    for k in range(m):
        best = k
        for i in range(k + 1, m):
            if abs(a[i, k]) > abs(a[best, k]):
                best = i
        piv[k] = best
        if best != k:
            for j in range(m):
                a[k, j], a[best, j] = a[best, j], a[k, j]
        inv = 1.0 / a[k, k]
        for i in range(k + 1, m):
            a[i, k] *= inv
            f = a[i, k]
            if f != 0.0:
                for j in range(k + 1, m):
                    a[i, j] -= f * a[k, j]


@njit(cache=True)
def _solve(a, piv, b):
    m = a.shape[0]
    for k in range(m):
        if piv[k] != k:
            b[k], b[piv[k]] = b[piv[k]], b[k]
    for i in range(m):
        for j in range(i):
            b[i] -= a[i, j] * b[j]
    for i in range(m - 1, -1, -1):
        for j in range(i + 1, m):
            b[i] -= a[i, j] * b[j]
        b[i] /= a[i, i]


@njit(cache=True)
def advance(y, u28, dt_d, p, work, rtol, atol, max_steps):
    """Advance ``y`` in place over ``dt_d`` days with ``u28`` held: ROS2 W-method, reused Jacobian.

    ``work`` (:data:`N_WORK` floats, zeros on the first call) carries the next step size and the
    Jacobian between calls; the Jacobian is refreshed when older than :data:`J_MAX_AGE_D` days or
    when a step with an old Jacobian is rejected. Error control on the embedded first-order
    solution. Returns (RHS calls, status): status 0 ok, 1 step-size underflow, 2 too many steps.
    """
    m = N_DIFF
    u = u28[:N_LIQ]
    q_in = u28[N_LIQ]
    f0 = np.empty(N_Y)
    f1 = np.empty(N_Y)
    z = np.empty(N_Y)
    k1 = np.empty(m)
    k2 = np.empty(m)
    a = np.empty((m, m))
    piv = np.empty(m, dtype=np.int64)
    alg = rhs(y, u, q_in, p, f0)
    y[I_H], y[I_SH2] = alg[0], alg[1]
    calls = 1
    h = work[0] if work[0] > 0.0 else 1e-3
    if work[2] == 0.0:
        _jacobian(y, u, q_in, p, f0, work)
        calls += m
    t = 0.0
    steps = 0
    while t < dt_d:
        span = dt_d - t
        last = h >= span
        step = span if last else h
        if step < 1e-14 * max(dt_d, 1.0):
            return calls, 1
        if step == work[3]:
            for r in range(m):
                for c in range(m):
                    a[r, c] = work[_LU0 + r * m + c]
                piv[r] = int(work[_PIV0 + r])
        else:
            for r in range(m):
                for c in range(m):
                    a[r, c] = -_GAMMA * step * work[_J0 + r * m + c]
                a[r, r] += 1.0
            _lu(a, piv)
            for r in range(m):
                for c in range(m):
                    work[_LU0 + r * m + c] = a[r, c]
                work[_PIV0 + r] = piv[r]
            work[3] = step
        for r in range(m):
            k1[r] = f0[DIFF[r]]
        _solve(a, piv, k1)
        z[:] = y
        for r in range(m):
            z[DIFF[r]] += step * k1[r]
        rhs(z, u, q_in, p, f1)
        for r in range(m):
            k2[r] = f1[DIFF[r]] - 2.0 * k1[r]
        _solve(a, piv, k2)
        calls += 1
        steps += 1
        if steps > max_steps:
            return calls, 2
        norm = 0.0
        for r in range(m):
            i = DIFF[r]
            z[i] = y[i] + step * (1.5 * k1[r] + 0.5 * k2[r])
            scale = atol + rtol * max(abs(y[i]), abs(z[i]))
            norm += (0.5 * step * (k1[r] + k2[r]) / scale) ** 2
        norm = math.sqrt(norm / m)
        if norm <= 1.0:
            alg = rhs(z, u, q_in, p, f0)
            calls += 1
            y[:] = z
            y[I_H], y[I_SH2] = alg[0], alg[1]
            t = dt_d if last else t + step
            work[1] += step
            factor = 5.0 if norm == 0.0 else min(5.0, 0.9 / math.sqrt(norm))
            if 1.0 <= factor <= 1.3:
                factor = 1.0  # keep the step, and so the LU factors
            if not (last and step < h):
                h = step * factor
            if work[1] > J_MAX_AGE_D:
                _jacobian(y, u, q_in, p, f0, work)
                calls += m
        elif work[1] > 0.0:
            _jacobian(y, u, q_in, p, f0, work)
            calls += m
            h = step * max(0.2, 0.9 / math.sqrt(norm))
        else:
            h = step * max(0.2, 0.9 / math.sqrt(norm))
    work[0] = h
    return calls, 0


@njit(cache=True)
def advance_series(y0, inputs, dts, p, rtol, atol, max_steps):
    """As :func:`advance_series_explicit` with the ROS2 W-method :func:`advance`."""
    out = np.empty((dts.size + 1, N_Y))
    y = y0.copy()
    out[0] = y
    work = np.zeros(N_WORK)
    calls = 0
    for i in range(dts.size):
        c, status = advance(y, inputs[i], dts[i], p, work, rtol, atol, max_steps)
        calls += c
        if status != 0:
            return out[: i + 1], calls, status
        out[i + 1] = y
    return out, calls, 0
