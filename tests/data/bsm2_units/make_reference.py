"""Write interface_cross_check.csv: bsm2-python's BSM2 interfaces on fixed inputs.

Run with the peers' environment (bsm2-python 0.0.16, a port of the IWA BSM2 MATLAB code):

    benchmarks/.venv-peers/bin/python tests/data/bsm2_units/make_reference.py

Each row: kind ("asm2adm" or "adm2asm"), case id, digester pH, the input vector, the output
vector (';'-separated). Inputs: the BSM2 steady-state digester feed and effluent, and seeded
random ASM1 / ADM1 streams chosen to reach every branch of the COD-demand and N mappings.
"""

from pathlib import Path

import numpy as np
from bsm2_python.bsm2.adm1_bsm2 import adm2asm, asm2adm
from bsm2_python.bsm2.init import adm1init_bsm2 as adm1init

HERE = Path(__file__).parent
T_OP = 308.15
PAR = adm1init.INTERFACEPAR.copy()
PAR[15] = T_OP

# BSM2 steady-state digester feed in ASM1 terms (MATLAB, ttronas/bsm2-python tests/storage_test.py)
FEED = [28.0665048629843, 48.9525780251450, 10361.7145189587, 20375.0163964256, 10210.0695779898,
        553.280744847661, 3204.66026217631, 0.252251384955929, 1.68714307465010, 28.9098125063162,
        4.68341082328394, 906.093288634802, 7.15490225533614, 178.467454963180, 14.8580800598190]
# BSM2 steady-state digester effluent (Rosen & Jeppsson 2006 / BSM2_steady_state.pdf), pH 7.2631
EFFLUENT = [0.012394, 0.0055432, 0.10741, 0.012333, 0.014003, 0.017584, 0.089315, 2.5055e-07,
            0.05549, 0.095149, 0.094468, 0.13087, 0.10792, 0.020517, 0.08422, 0.043629, 0.31222,
            0.93167, 0.33839, 0.33577, 0.10112, 0.67724, 0.28484, 17.2162, 0.0, 0.0052101,
            178.4674, 35.0]


def run_asm2adm(u15, ph):
    u = np.zeros(22)
    u[:13] = u15[:13]
    u[13] = 0.75 * sum(u15[2:7])
    u[14], u[15], u[21] = u15[13], u15[14], ph
    return asm2adm(u, T_OP, PAR)[:28]


def run_adm2asm(y28, ph, t_ww):
    y = np.zeros(35)
    y[:28] = y28
    y[33], y[34] = ph, t_ww
    out = adm2asm(y, T_OP, PAR)
    return np.concatenate([out[:13], out[14:16]])


rows = [("asm2adm", "bsm2_feed", 7.2631, np.array(FEED), run_asm2adm(np.array(FEED), 7.2631))]
rows.append(("adm2asm", "bsm2_effluent", 7.2631, np.array(EFFLUENT), run_adm2asm(np.array(EFFLUENT), 7.2631, 14.858)))
rng = np.random.default_rng(20260501)
for i in range(12):
    u = np.array(FEED) * rng.uniform(0.05, 2.0, 15)
    u[14] = rng.uniform(8.0, 25.0)
    if i % 3 == 1:  # large COD demand: exhausts S_S, X_S and part of the biomass
        u[7], u[8], u[1], u[3] = 2.0, 5000.0 * rng.uniform(0.5, 1.5), 5.0, 3000.0
    if i % 3 == 2:  # little organic N: S_S and X_S not covered by S_ND, X_ND
        u[10], u[11] = 0.1, 10.0
    ph = rng.uniform(6.8, 7.6)
    rows.append(("asm2adm", f"random_{i}", ph, u, run_asm2adm(u, ph)))
for i in range(6):
    y = np.array(EFFLUENT) * rng.uniform(0.2, 3.0, 28)
    y[27] = 35.0
    ph = rng.uniform(6.8, 7.6)
    rows.append(("adm2asm", f"random_{i}", ph, y, run_adm2asm(y, ph, 15.0)))

with open(HERE / "interface_cross_check.csv", "w", encoding="utf-8") as f:
    f.write("kind,case,ph,input,output\n")
    for kind, case, ph, x, out in rows:
        f.write(f"{kind},{case},{ph!r},{';'.join(repr(float(v)) for v in x)},{';'.join(repr(float(v)) for v in out)}\n")
