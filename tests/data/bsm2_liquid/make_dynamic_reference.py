"""Dynamic reference for the BSM2 liquid line from bsm2-python 0.0.16 (port of the IWA BSM2 MATLAB code).

Run with the peers' venv (not part of the test suite):
    benchmarks/.venv-peers/bin/python tests/data/bsm2_liquid/make_dynamic_reference.py
bsm2-python's own primary clarifier, five ASM1 reactors and settler, wired as its bsm2_base.py
liquid line (inlet bypass above 60000 m3/d straight to the effluent, no reject water, open loop,
tempmodel False), start state dynamic_start_state.csv (the open-loop steady state under the
constant influent, in bsm2-python's 21-column / 120-entry layouts), days 0-10 of the BSM2 dynamic
influent (each 15-min row held), at a 1-min sequential step so that the units' one-step coupling
lag is small. Writes the flow-weighted means of the effluent (settler overflow + bypass) over the
15-min samples of days 5-10 to liquid_line_dynamic_means.csv.
"""
import csv
import os

import bsm2_python
import numpy as np
from bsm2_python.bsm2.asm1_bsm2 import ASM1Reactor
from bsm2_python.bsm2.init import asm1init_bsm2 as asm1init
from bsm2_python.bsm2.init import primclarinit_bsm2 as primclarinit
from bsm2_python.bsm2.init import reginit_bsm2 as reginit
from bsm2_python.bsm2.init import settler1dinit_bsm2 as settler1dinit
from bsm2_python.bsm2.primclar_bsm2 import PrimaryClarifier
from bsm2_python.bsm2.settler1d_bsm2 import Settler

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(os.path.dirname(bsm2_python.__file__), "data")
dyn = np.loadtxt(os.path.join(data, "dyninfluent_bsm2.csv"), delimiter=",", max_rows=96 * 12)
start = np.loadtxt(os.path.join(here, "dynamic_start_state.csv"), delimiter=",")  # pc, r1..r5, settler, return

primclar = PrimaryClarifier(primclarinit.VOL_P, start[0][:21].copy(), primclarinit.PAR_P, asm1init.PAR1,
                            primclarinit.XVECTOR_P, tempmodel=False, activate=False)
klas = (reginit.KLA1, reginit.KLA2, reginit.KLA3, reginit.KLA4, reginit.KLA5)
carbs = (reginit.CARB1, reginit.CARB2, reginit.CARB3, reginit.CARB4, reginit.CARB5)
vols = (asm1init.VOL1, asm1init.VOL2, asm1init.VOL3, asm1init.VOL4, asm1init.VOL5)
reactors = [ASM1Reactor(kla, v, start[1 + i][:21].copy(), asm1init.PAR1, c, reginit.CARBONSOURCECONC, tempmodel=False,
                        activate=False) for i, (kla, v, c) in enumerate(zip(klas, vols, carbs))]
settler = Settler(settler1dinit.DIM, settler1dinit.LAYER, asm1init.QR, asm1init.QW, start[6][:120].copy(),
                  settler1dinit.SETTLERPAR, asm1init.PAR1, False, settler1dinit.MODELTYPE)


def combine(*streams):
    q = sum(s[14] for s in streams)
    out = sum(s * s[14] for s in streams) / q
    out[14] = q
    return out


dt = 1 / 1440
y5r = start[5][:21].copy()
y5r[14] = asm1init.QINTR
ysr = start[7][:21].copy()
samples = []
for i in range(1440 * 10):
    t = i * dt
    y_in = dyn[i // 15, 1:].copy()
    q_bypass = max(y_in[14] - reginit.QBYPASS, 0.0)
    yp = y_in.copy()
    yp[14] -= q_bypass
    yp_uf, yp_of, _ = primclar.output(dt, t, yp)
    y = combine(ysr, yp_of[:21], y5r)
    for r in reactors:
        y = r.output(dt, t, y)
    ys_in = y.copy()
    ys_in[14] = y[14] - asm1init.QINTR
    y5r = y.copy()
    y5r[14] = asm1init.QINTR
    ysr, _, ys_of, _, _ = settler.output(dt, t, ys_in)
    effluent = ys_of.copy()
    if q_bypass > 0.0:
        bypass = y_in.copy()
        bypass[14] = q_bypass
        effluent = combine(ys_of, bypass)
    if (i + 1) % 15 == 0:
        samples.append(effluent[:16].copy())
samples = np.array(samples)[480:]  # samples at t = 5 d + 15 min ... 10 d
q = samples[:, 14]
names = ["S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND", "S_ALK"]
with open(os.path.join(here, "liquid_line_dynamic_means.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["state", "flow_weighted_mean"])
    for j, name in enumerate(names):
        w.writerow([name, f"{(samples[:, j] * q).sum() / q.sum():.8g}"])
    w.writerow(["Q", f"{q.mean():.8g}"])
print("done")
