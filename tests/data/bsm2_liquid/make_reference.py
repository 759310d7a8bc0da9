"""Reference numbers for the BSM2 liquid line from bsm2-python 0.0.16 (port of the IWA BSM2 MATLAB code).

Run with the peers' venv (not part of the test suite):
    benchmarks/.venv-peers/bin/python tests/data/bsm2_liquid/make_reference.py
It wires bsm2-python's own units as bsm2_base.py does for the liquid line (input splitter,
primary clarifier, reactor combiner, five ASM1 reactors with carbon 2 m3/d in reactor 1,
splitter with Qintr = 61944, 10-layer settler with Qr = 20648, Qw = 300), with the BSM2 constant
influent (data/constinfluent_bsm2.csv), no reject water, tempmodel False, KLa 0/0/120/120/60,
a fixed 15-min step for 1000 days (X_I settles with the sludge age), and writes the last step's streams to liquid_line_steady.csv.
"""
import csv
import os

import numpy as np
from bsm2_python.bsm2.asm1_bsm2 import ASM1Reactor
from bsm2_python.bsm2.init import asm1init_bsm2 as asm1init
from bsm2_python.bsm2.init import primclarinit_bsm2 as primclarinit
from bsm2_python.bsm2.init import reginit_bsm2 as reginit
from bsm2_python.bsm2.init import settler1dinit_bsm2 as settler1dinit
from bsm2_python.bsm2.primclar_bsm2 import PrimaryClarifier
from bsm2_python.bsm2.settler1d_bsm2 import Settler
import bsm2_python

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(os.path.dirname(bsm2_python.__file__), "data", "constinfluent_bsm2.csv")
y_in = np.loadtxt(data, delimiter=",")[0, 1:]

primclar = PrimaryClarifier(primclarinit.VOL_P, primclarinit.YINIT1.copy(), primclarinit.PAR_P, asm1init.PAR1,
                            primclarinit.XVECTOR_P, tempmodel=False, activate=False)
klas = (reginit.KLA1, reginit.KLA2, reginit.KLA3, reginit.KLA4, reginit.KLA5)
carbs = (reginit.CARB1, reginit.CARB2, reginit.CARB3, reginit.CARB4, reginit.CARB5)
vols = (asm1init.VOL1, asm1init.VOL2, asm1init.VOL3, asm1init.VOL4, asm1init.VOL5)
inits = (asm1init.YINIT1, asm1init.YINIT2, asm1init.YINIT3, asm1init.YINIT4, asm1init.YINIT5)
reactors = [ASM1Reactor(k, v, y0.copy(), asm1init.PAR1, c, reginit.CARBONSOURCECONC, tempmodel=False, activate=False)
            for k, v, y0, c in zip(klas, vols, inits, carbs)]
settler = Settler(settler1dinit.DIM, settler1dinit.LAYER, asm1init.QR, asm1init.QW, settler1dinit.settlerinit.copy(),
                  settler1dinit.SETTLERPAR, asm1init.PAR1, False, settler1dinit.MODELTYPE)


def combine(*streams):
    # flow-weighted mixing of 21-column streams (as bsm2-python's Combiner)
    q = sum(s[14] for s in streams)
    out = sum(s * s[14] for s in streams) / q
    out[14] = q
    return out


dt = 15 / 1440
n = int(round(1000 / dt))
y_out5_r = np.zeros(21)
ys_r = np.zeros(21)
y_out5_r = np.array(asm1init.YINIT5, dtype=float)
y_out5_r[14] = asm1init.QINTR
ys_r = np.array(asm1init.YINIT5, dtype=float)
ys_r[14] = asm1init.QR + asm1init.QW  # first step only; then the settler's underflow
for i in range(n):
    t = i * dt
    yp_in = y_in.copy()  # Q < Qbypass: nothing bypassed
    yp_uf, yp_of, _ = primclar.output(dt, t, yp_in)
    y = combine(ys_r, yp_of[:21], y_out5_r)
    outs = []
    for r in reactors:
        y = r.output(dt, t, y)
        outs.append(y)
    ys_in = y.copy()
    ys_in[14] = y[14] - asm1init.QINTR
    y_out5_r = y.copy()
    y_out5_r[14] = asm1init.QINTR
    ys_r, ys_was, ys_of, _, _ = settler.output(dt, t, ys_in)

rows = {"primary_effluent": yp_of, "primary_sludge": yp_uf}
for k, o in enumerate(outs):
    rows[f"reactor{k + 1}"] = o
rows.update({"settler_effluent": ys_of, "return_sludge": ys_r, "wastage": ys_was})
names = ["S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND", "S_ALK",
         "TSS", "Q", "T"]
with open(os.path.join(here, "liquid_line_steady.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["stream", *names])
    for key, v in rows.items():
        w.writerow([key, *(f"{x:.10g}" for x in np.asarray(v)[:16])])
print("done")
