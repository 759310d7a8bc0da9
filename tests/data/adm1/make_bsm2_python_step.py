"""Reference step response of the ADM1 ODE form of bsm2-python 0.0.16 -> bsm2_python_step.csv.

Run with the peers' environment (bsm2-python is not a dependency of ecocity):
    benchmarks/.venv-peers/bin/python tests/data/adm1/make_bsm2_python_step.py \
        > tests/data/adm1/bsm2_python_step.csv
From the Rosen & Jeppsson (2006) steady state, the benchmark influent with X_ch doubled and
Q = 200 m³/d, integrated by scipy LSODA (rtol 1e-10, atol 1e-12) through bsm2-python's
`adm1equations` (the ODE form: acid–base kinetics with k_A,B = 1e10, S_h2 a state).
"""

import math
import tomllib
from pathlib import Path

import numpy as np
from bsm2_python.bsm2.adm1_bsm2 import adm1equations
from bsm2_python.bsm2.init import adm1init_bsm2 as init
from scipy.integrate import solve_ivp

COMPONENTS = (
    "S_su", "S_aa", "S_fa", "S_va", "S_bu", "S_pro", "S_ac", "S_h2", "S_ch4", "S_IC", "S_IN",
    "S_I", "X_xc", "X_ch", "X_pr", "X_li", "X_su", "X_aa", "X_fa", "X_c4", "X_pro", "X_ac",
    "X_h2", "X_I", "S_cat", "S_an",
)  # fmt: skip
IONS = ("S_va_ion", "S_bu_ion", "S_pro_ion", "S_ac_ion", "S_hco3_ion", "S_nh3")
TIMES = [0.0, 0.25, 0.5, 1.0, 2.0, 3.0]

ref = tomllib.loads(Path(__file__).with_name("rosen_jeppsson_2006.toml").read_text())
steady, influent = ref["steady_state"], ref["influent"]
y0 = np.zeros(42)
y0[:26] = [steady[c] for c in COMPONENTS]
y0[26:32] = [steady[c] for c in IONS]
y0[32:35] = [steady["S_gas_h2"], steady["S_gas_ch4"], steady["S_gas_co2"]]
y0[35:37] = [170.0, 35.0]
u = np.zeros(42)
u[:26] = [influent[c] for c in COMPONENTS]
u[13] *= 2.0
u[35:37] = [200.0, 35.0]
T_OP, R = 308.15, 0.083145
sol = solve_ivp(
    lambda t, y: adm1equations(t, y, u, init.DIGESTERPAR, T_OP, np.array([3400.0, 300.0])),
    (0.0, TIMES[-1]), y0, method="LSODA", t_eval=TIMES, rtol=1e-10, atol=1e-12,
)  # fmt: skip
assert sol.status == 0, sol.message

p_h2o = 0.0313 * math.exp(5290 * (1 / 298.15 - 1 / T_OP))
k_w = 1e-14 * math.exp(55900 * (1 / 298.15 - 1 / T_OP) / (100 * R))
print("time,pH,q_gas,S_gas_ch4,S_gas_co2,S_ac,S_IC,S_h2,S_su,X_ch")
for t, y in zip(sol.t, sol.y.T):
    phi = (y[24] + (y[10] - y[31]) - y[30] - y[29] / 64 - y[28] / 112 - y[27] / 160
           - y[26] / 208 - y[25])  # fmt: skip
    s_h = -phi / 2 + 0.5 * math.sqrt(phi * phi + 4 * k_w)
    p_gas = (y[32] / 16 + y[33] / 64 + y[34]) * R * T_OP + p_h2o
    q_gas = max(5e4 * (p_gas - 1.013), 0.0) * p_gas / 1.013
    values = [-math.log10(s_h), q_gas, y[33], y[34], y[6], y[9], y[7], y[0], y[13]]
    print(f"{t}," + ",".join(f"{v:.10g}" for v in values))
