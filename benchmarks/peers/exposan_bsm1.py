"""The BSM1 benchmark work in EXPOsan/QSDsan; run with the peers' interpreter, not ecocity's.

    benchmarks/.venv-peers/bin/python benchmarks/peers/exposan_bsm1.py INITIAL.json

INITIAL.json holds the benchmark's initial state (``tanks``: 5 rows of the 13 ASM1 states in the
benchmark's order, S_ALK in mol/m³; ``settler_tss``: 10 layers, top first) and ``days`` (the
steady-state integration, 200). The script does, timing each part (imports excluded):

1. steady state: ``exposan.bsm1.create_system()`` (ASM1, CSTRs, constant influent) started from
   that state, ``System.simulate(t_span=(0, days), method="BDF")`` — EXPOsan's documented way;
2. dynamic: the same plant fed by ``qsdsan.sanunits.DynamicInfluent`` with QSDsan's bundled
   BSM1 dry-weather file (``_inf_dry_2006.tsv``, the same 15-min data as the benchmark's
   ``dryinfluent.ascii``; QSDsan interpolates it with a periodic cubic spline), started from the
   steady state of step 1, 14 days, ``method="RK45"`` (the benchmark's ode45), effluent sampled
   every 15 min.

Prints one JSON line: times [s], effluent states [g/m³, S_ALK mol/m³] at steady state, and the
dynamic effluent's flow-weighted means over days 7–14.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
T0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import qsdsan as qs  # noqa: E402
from qsdsan import System, sanunits as su  # noqa: E402
from exposan import bsm1  # noqa: E402

IMPORT_S = time.perf_counter() - T0
STATES = ("S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND", "S_ALK")
PARTICULATES = ("X_I", "X_S", "X_BH", "X_BA", "X_P", "X_ND")
TANKS = ("A1", "A2", "O1", "O2", "O3")
ALK_MG_PER_MOL = 12.0  # QSDsan's ASM1 carries S_ALK in mg/L as C (7 mol/m³ -> 84)


def initial_frame(data: dict) -> pd.DataFrame:
    """The benchmark's initial state in the layout of ``exposan.bsm1.system.batch_init``."""
    rows = {}
    for name, values in zip(TANKS, data["tanks"]):
        row = dict(zip(STATES, map(float, values)))
        row["S_ALK"] *= ALK_MG_PER_MOL
        rows[name] = row
    last = rows["O3"]
    rows["C1_s"] = {k: v for k, v in last.items() if k not in PARTICULATES}
    rows["C1_x"] = {k: v for k, v in last.items() if k in PARTICULATES}
    rows["C1_tss"] = {STATES[i]: float(v) for i, v in enumerate(data["settler_tss"])}
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(STATES))
    return frame.fillna(0.0)


def effluent_states(stream) -> dict:
    conc = dict(zip(stream.components.IDs, stream.state[:-1]))
    out = {k: float(conc[k]) for k in STATES}
    out["S_ALK"] /= ALK_MG_PER_MOL
    out["Q"] = float(stream.state[-1])
    return out


def main(path: str) -> None:
    data = json.loads(open(path, encoding="utf-8").read())
    days = float(data.get("days", 200.0))
    dyn_days = float(data.get("dynamic_days", 14.0))
    method = str(data.get("dynamic_method", "RK45"))
    tolerances = {"rtol": 1e-5, "atol": 1e-8} if method == "RK45" else {}

    start = time.perf_counter()
    # create_system(init_conds=<DataFrame>) fails in EXPOsan 1.4.3 (``if init_conds:`` on a
    # frame), so the frame goes through the module's own batch_init afterwards
    plant = bsm1.create_system()
    bsm1.system.batch_init(plant, initial_frame(data))
    build_s = time.perf_counter() - start
    plant.simulate(t_span=(0.0, days), method="BDF", state_reset_hook="reset_cache")
    steady_s = time.perf_counter() - start
    units = plant.flowsheet.unit
    effluent = effluent_states(plant.flowsheet.stream.effluent)

    # steady state -> initial conditions of the dynamic run
    tanks = {u.ID: u._state[:-1].copy() for u in plant.units if u.ID in TANKS}
    n_cmps = len(units.C1.components)
    c1_solubles = units.C1._state[:n_cmps].copy()
    c1_tss = units.C1._state[-units.C1._N_layer:].copy()

    start = time.perf_counter()
    feed = su.DynamicInfluent("DI", outs="dry_influent")
    A1, A2, O1, O2, O3, C1 = (getattr(units, k) for k in ("A1", "A2", "O1", "O2", "O3", "C1"))
    A1.ins[0] = feed.outs[0]
    for unit in (A1, A2, O1, O2, O3):
        unit._concs = tanks[unit.ID]
    C1._solubles = c1_solubles
    C1._solids = c1_tss
    dynamic = System("bsm1_dry", path=(feed, A1, A2, O1, O2, O3, C1), recycle=(O3 - 0, C1 - 1))
    dynamic.set_tolerance(rmol=1e-6)
    dynamic.set_dynamic_tracker(C1 - 0)
    t_eval = np.arange(0.0, dyn_days + 1e-9, 1.0 / 96.0)
    dynamic.simulate(
        t_span=(0.0, dyn_days), t_eval=t_eval, method=method, state_reset_hook="reset_cache",
        **tolerances,
    )  # fmt: skip
    dynamic_s = time.perf_counter() - start

    record = (C1 - 0).scope.record  # rows: t_eval, columns: components + Q
    ids = list((C1 - 0).components.IDs) + ["Q"]
    tt = np.asarray((C1 - 0).scope.time_series)
    frame = pd.DataFrame(np.asarray(record), columns=ids, index=tt)
    frame = frame.reindex(t_eval, method="nearest")
    window = frame[(frame.index >= 7.0) & (frame.index < 14.0)]
    means = None
    if len(window):
        weights = window["Q"]
        means = {k: float((window[k] * weights).sum() / weights.sum()) for k in STATES}
        means["S_ALK"] /= ALK_MG_PER_MOL
    print(json.dumps({
        "import_s": IMPORT_S, "build_s": build_s, "steady_s": steady_s, "dynamic_s": dynamic_s,
        "steady_effluent": effluent, "dynamic_mean_7_14": means,
        "versions": {"qsdsan": qs.__version__, "exposan": __import__("exposan").__version__},
        "n_samples": int(len(frame)), "dynamic_method": method, "dynamic_days": dyn_days,
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
