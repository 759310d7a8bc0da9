"""The BSM2 20-day dynamic work in EXPOsan/QSDsan; run with the peers' interpreter, not ecocity's.

    benchmarks/.venv-peers/bin/python benchmarks/peers/exposan_bsm2.py WORK.json

WORK.json holds ``influent_tsv`` (the BSM2 dynamic influent, days 0 to ``days`` + 1, in QSDsan's
DynamicInfluent layout: ``t``, ASM1 states in mg/L with S_ALK in mg C/L, ``Q`` in m³/d),
``days`` (20) and ``method`` (``RK23``, the method EXPOsan's bsm2 module runs with).

The work: ``exposan.bsm2.create_system()`` (EXPOsan 1.4.3: primary clarifier, five ASM1 CSTRs at a
fixed 14.86 °C, 10-layer settler, thickener, ASM1/ADM1 interfaces, digester at 35 °C, dewatering;
no storage tank — its source says "equivalent to 100% bypass" — open loop, KLa 0/0/120/120/60 d⁻¹,
Qw 300 m³/d), started from the module's default initial conditions (BSM2's initial files), with
its constant influent replaced by ``qsdsan.sanunits.DynamicInfluent`` reading WORK's file
(cubic-spline interpolation, not periodic), simulated over (0, days); the scope's solver-step
records are resampled (linearly) every 15 min.

Prints one JSON line: times [s], and 15-min samples of the effluent (ASM1 states, S_ALK in
mol/m³, Q) and of the biogas (Q_gas [m³/d], CH4 [kg/d], CO2 [kg/d]).
"""

from __future__ import annotations

import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
T0 = time.perf_counter()
import numpy as np  # noqa: E402
import qsdsan as qs  # noqa: E402
from scipy.interpolate import CubicSpline  # noqa: E402
from qsdsan import System, sanunits as su  # noqa: E402
from exposan import bsm2  # noqa: E402

IMPORT_S = time.perf_counter() - T0
STATES = ("S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND", "S_ALK")
ALK_MG_PER_MOL = 12.0  # QSDsan's ASM1 carries S_ALK in mg C/L
CH4_KG_PER_KG_COD = 16.0 / 64.0
CO2_KG_PER_KG_C = 44.0 / 12.0


def main(path: str) -> None:
    work = json.loads(open(path, encoding="utf-8").read())
    days = float(work["days"])
    method = str(work.get("method", "RK23"))

    start = time.perf_counter()
    plant = bsm2.system.create_system()
    units = plant.flowsheet.unit
    feed = su.DynamicInfluent("DI", outs="bsm2_dynamic_influent", data_file=work["influent_tsv"],
                              interpolator=CubicSpline, intpl_kwargs={})  # fmt: skip
    C1 = units.C1
    C1.ins[0] = feed.outs[0]
    path_units = [feed] + list(plant.units)
    dynamic = System("bsm2_dynamic", path=tuple(path_units), recycle=plant.recycle)
    dynamic.set_tolerance(mol=1e-5, rmol=1e-5)
    dynamic.maxiter = 5000
    effluent, biogas = plant.flowsheet.stream.effluent, units.AD1.outs[0]
    dynamic.set_dynamic_tracker(effluent, biogas)
    build_s = time.perf_counter() - start

    start, start_cpu = time.perf_counter(), time.process_time()
    t_eval = np.arange(0.0, days + 1e-9, 1.0 / 96.0)
    dynamic.simulate(t_span=(0.0, days), t_eval=t_eval, method=method, state_reset_hook="reset_cache")
    run_s, run_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu

    def sampled(stream):  # the scope records every solver step; resample at t_eval (linear)
        times = np.asarray(stream.scope.time_series)
        values = np.asarray(stream.scope.record)
        return np.column_stack([np.interp(t_eval, times, values[:, j]) for j in range(values.shape[1])])

    ids = list(effluent.components.IDs)
    rec = sampled(effluent)
    tt = t_eval
    eff = {k: rec[:, ids.index(k)].tolist() for k in STATES}
    eff["S_ALK"] = (rec[:, ids.index("S_ALK")] / ALK_MG_PER_MOL).tolist()
    eff["Q"] = rec[:, -1].tolist()
    gids = list(biogas.components.IDs)
    grec = sampled(biogas)
    q_gas = grec[:, -1]
    gas = {
        "t": t_eval.tolist(),
        "Q_gas": q_gas.tolist(),
        "CH4_kg_per_d": (grec[:, gids.index("S_ch4")] * q_gas / 1000.0 * CH4_KG_PER_KG_COD).tolist(),
        "CO2_kg_per_d": (grec[:, gids.index("S_IC")] * q_gas / 1000.0 * CO2_KG_PER_KG_C).tolist(),
    }
    print(json.dumps({
        "import_s": IMPORT_S, "build_s": build_s, "run_s": run_s, "run_cpu_s": run_cpu_s,
        "method": method, "days": days,
        "effluent": {"t": tt.tolist(), **eff}, "gas": gas,
        "versions": {"qsdsan": qs.__version__, "exposan": __import__("exposan").__version__},
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
