"""Benchmark (d): BSM1 in ecocity against EXPOsan/QSDsan, the Python peer, on the same work.

Work, in one invocation, for each side:

1. steady state of the BSM1 open-loop plant under the constant influent, started from the
   benchmark's initial state (``wastewater/data/bsm1_initial_state.toml``), 200 days of stiff
   integration (ours adds a Newton polish);
2. a 14-day dynamic run with the benchmark's dry-weather influent, open loop (EXPOsan has no
   PI control of BSM1), started from that steady state.

Accuracy: effluent S_NH, S_NO, TSS and COD at steady state against the MATLAB/Simulink reference
(``tests/wastewater/data/bsm1_openloop_matlab_effluent.csv``; see SOURCES.md there), as relative
errors; TSS = 0.75·(X_I+X_S+X_BH+X_BA+X_P) and COD = S_I+S_S+X_I+X_S+X_BH+X_BA+X_P (BSM1) for both.
For the dynamic run there is no reference in the repository; the two sides' flow-weighted
effluent means over days 7–14 are compared with each other.

The peers run as child processes with ``benchmarks/.venv-peers/bin/python`` (``make bench-peers``
creates it): EXPOsan through ``benchmarks/peers/exposan_bsm1.py``, bsm2-python 0.0.16 (the port of
the official BSM2 MATLAB code, BSD-3-Clause) through this file (``--bsm2-python``, the function
``_bsm2_python_main``; its open loop on the same steady-state and 14-day work, its closed loop
timed per simulated day). Without them the benchmark reports "peer not installed" and measures
ours only. Figure of merit: peer dynamic time / ours (wall; CPU seconds too, for a loaded
machine). Targets (issue 3): ≥ 10× and ours < 1 s for the dynamic run.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
ROOT = HERE.parent
PEER_PYTHON = HERE / ".venv-peers" / "bin" / "python"
PEER_SCRIPT = HERE / "peers" / "exposan_bsm1.py"
REFERENCE = ROOT / "tests" / "wastewater" / "data" / "bsm1_openloop_matlab_effluent.csv"
#: published open-loop dry-weather effluent means (BSM1 Appendix 2; see SOURCES.md there)
PUBLISHED_DRY = ROOT / "tests" / "wastewater" / "data" / "bsm1_dry_weather_evaluation.csv"
INITIAL = ROOT / "src" / "ecocity" / "wastewater" / "data" / "bsm1_initial_state.toml"
STEADY_DAYS = 200.0
DYNAMIC_DAYS = 14.0
#: days of bsm2-python's closed loop (its sensors and actuators step through python-control)
BSM2_PYTHON_CLOSED_LOOP_DAYS = float(os.environ.get("BENCH_BSM2PY_CLOSED_DAYS", "1"))
#: The peer takes minutes; override with the environment variable BENCH_PEER_TIMEOUT_S.
PEER_TIMEOUT_S = float(os.environ.get("BENCH_PEER_TIMEOUT_S", "3600"))
TARGET_RATIO = 10.0
TARGET_OURS_S = 1.0
COMPARED = ("S_NH", "S_NO", "TSS", "COD")
PARTICULATE_COD = ("X_I", "X_S", "X_BH", "X_BA", "X_P")


def _composite(states: dict) -> dict:
    """The compared quantities from ASM1 states [g/m³] (BSM1 formulas)."""
    particulate = sum(float(states[k]) for k in PARTICULATE_COD)
    return {
        "S_NH": float(states["S_NH"]),
        "S_NO": float(states["S_NO"]),
        "TSS": 0.75 * particulate,
        "COD": float(states["S_I"]) + float(states["S_S"]) + particulate,
    }


def _reference() -> dict:
    values = pd.read_csv(REFERENCE, index_col="quantity")["value"]
    return _composite(values.to_dict())


def _published_dry_means() -> dict:
    """The published open-loop dry-weather effluent means (days 7–14 of the protocol's evaluated
    file), as the compared quantities."""
    table = pd.read_csv(PUBLISHED_DRY, comment="#")
    rows = table[(table["control"] == "open") & table["quantity"].str.startswith("mean_")]
    return _composite({q.removeprefix("mean_"): float(v) for q, v in zip(rows["quantity"], rows["value"], strict=True)})


def _relative_errors(values: dict, reference: dict) -> dict:
    return {k: abs(values[k] - reference[k]) / abs(reference[k]) for k in COMPARED}


def _flow_weighted(effluent: pd.DataFrame, start: float = 7.0, stop: float = DYNAMIC_DAYS) -> dict:
    window = effluent[(effluent.index >= start - 1e-9) & (effluent.index < stop - 1e-9)]
    weights = window["Q"]
    return {k: float((window[k] * weights).sum() / weights.sum()) for k in window.columns if k != "Q"}


def run_ours() -> dict:
    """Steady state then 14 days dry weather through ecocity's public API, timed."""
    from ecocity.wastewater.layout import load_plant
    from ecocity.wastewater.simulate import simulate, steady_state

    start = time.perf_counter()
    layout = load_plant("bsm1")
    steady = steady_state(layout, "constant", days=STEADY_DAYS)
    steady_s = time.perf_counter() - start
    control = "control" in inspect.signature(simulate).parameters
    start, start_cpu = time.perf_counter(), time.process_time()
    dynamic = simulate(layout, "dry", initial=steady.state, days=DYNAMIC_DAYS)
    dynamic_s, dynamic_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    closed_s = closed_cpu_s = None
    if control:  # the run with default control; EXPOsan has none, so not in its ratio
        from ecocity.wastewater.control import load_control

        start, start_cpu = time.perf_counter(), time.process_time()
        simulate(layout, "dry", initial=steady.state, days=DYNAMIC_DAYS, control=load_control("bsm1"))
        closed_s, closed_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    return {
        "steady_s": steady_s,
        "dynamic_s": dynamic_s,
        "dynamic_cpu_s": dynamic_cpu_s,
        "closed_loop_cpu_s": closed_cpu_s,
        "steady_effluent": {k: float(v) for k, v in steady.effluent.items()},
        "residual_norm": steady.residual_norm,
        "dynamic_mean_7_14": _flow_weighted(dynamic.effluent),
        "simulate_offers_control": control,
        "closed_loop_s": closed_s,
    }


def peer_installed() -> bool:
    if not PEER_PYTHON.exists():
        return False
    probe = subprocess.run(
        [str(PEER_PYTHON), "-c", "import exposan.bsm1"], capture_output=True, timeout=600
    )  # fmt: skip
    return probe.returncode == 0


def run_peer() -> tuple[dict | None, str]:
    """EXPOsan in the peers' interpreter; (result, '') or (None, why not)."""
    if not peer_installed():
        return None, "peer not installed (run `make bench-peers`)"
    initial = tomllib.loads(INITIAL.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "initial.json"
        path.write_text(
            json.dumps({**initial, "days": STEADY_DAYS, "dynamic_days": DYNAMIC_DAYS, "dynamic_method": "RK45"})
        )  # fmt: skip
        try:
            done = subprocess.run(
                [str(PEER_PYTHON), str(PEER_SCRIPT), str(path)],
                capture_output=True, text=True, timeout=PEER_TIMEOUT_S, cwd=tmp,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"peer run exceeded {PEER_TIMEOUT_S:.0f} s (BENCH_PEER_TIMEOUT_S)"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "peer failed: " + " | ".join(tail)
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def run_bsm2_python() -> tuple[dict | None, str]:
    """bsm2-python in the peers' interpreter (this file with ``--bsm2-python``); (result, '') or
    (None, why not)."""
    if not PEER_PYTHON.exists():
        return None, "peer not installed (run `make bench-peers`)"
    probe = subprocess.run([str(PEER_PYTHON), "-c", "import bsm2_python.bsm1_ol"], capture_output=True, timeout=600)
    if probe.returncode != 0:
        return None, "bsm2-python not installed in the peers' environment"
    initial = tomllib.loads(INITIAL.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "initial.json"
        path.write_text(json.dumps({**initial, "days": STEADY_DAYS, "dynamic_days": DYNAMIC_DAYS,
                                    "closed_loop_days": BSM2_PYTHON_CLOSED_LOOP_DAYS}))  # fmt: skip
        try:
            done = subprocess.run(
                [str(PEER_PYTHON), str(Path(__file__).resolve()), "--bsm2-python", str(path)],
                capture_output=True, text=True, timeout=PEER_TIMEOUT_S, cwd=tmp,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"bsm2-python run exceeded {PEER_TIMEOUT_S:.0f} s (BENCH_PEER_TIMEOUT_S)"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "bsm2-python failed: " + " | ".join(tail)
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def bsm2_python_summary(peer: dict, ours: dict, reference: dict, published: dict) -> dict:
    """The bsm2-python peer's figures next to ours (wall and CPU seconds; errors vs MATLAB)."""
    theirs_mean = _composite(peer["dynamic_mean_7_14"])
    ours_mean = _composite(ours["dynamic_mean_7_14"])
    out = {
        "peer": "bsm2-python " + peer["versions"]["bsm2_python"] + " (bsm1_ol.BSM1OL / bsm1_cl.BSM1CL, 1-min steps)",
        "peer_dynamic_s": peer["dynamic_s"], "peer_dynamic_cpu_s": peer["dynamic_cpu_s"],
        "ratio": peer["dynamic_s"] / ours["dynamic_s"], "cpu_ratio": peer["dynamic_cpu_s"] / ours["dynamic_cpu_s"],
        "peer_steady_s": peer["steady_s"], "peer_steady_cpu_s": peer["steady_cpu_s"],
        "steady_ratio": peer["steady_s"] / ours["steady_s"],
        "peer_steady_rel_error": _relative_errors(_composite(peer["steady_effluent"]), reference),
        "peer_dynamic_mean_7_14": theirs_mean,
        "peer_dynamic_rel_error_vs_published": _relative_errors(theirs_mean, published),
        "ours_dynamic_rel_error_vs_published": _relative_errors(ours_mean, published),
        "peer_import_s": peer["import_s"],
    }  # fmt: skip
    if peer.get("closed_loop_s") and ours.get("closed_loop_s"):
        per_day = peer["closed_loop_s"] / peer["closed_loop_days"]
        out.update(peer_closed_loop_s_per_day=per_day,
                   closed_loop_ratio_per_day=per_day / (ours["closed_loop_s"] / DYNAMIC_DAYS))  # fmt: skip
    return out


def run() -> dict:
    reference = _reference()
    ours = run_ours()
    ours_err = _relative_errors(_composite(ours["steady_effluent"]), reference)
    peer, why = run_peer()
    result = {
        "name": "bsm1_dynamic_dry_14d_open_loop",
        "ours_s": ours["dynamic_s"],
        "peer": "EXPOsan/QSDsan BSM1 (exposan.bsm1.create_system, System.simulate)",
        "peer_s": None,
        "ratio": None,
        "metric": "speed-up on the 14-day dry-weather run (peer dynamic s / ours dynamic s)",
        "target": f">= {TARGET_RATIO:g}x and ours < {TARGET_OURS_S:g} s",
        "met": False,
        "ours_steady_s": ours["steady_s"],
        "ours_steady_rel_error": ours_err,
        "ours_steady_residual": ours["residual_norm"],
        "ours_dynamic_mean_7_14": {k: ours["dynamic_mean_7_14"][k] for k in ("S_NH", "S_NO")}
        | {k: v for k, v in _composite(ours["dynamic_mean_7_14"]).items() if k in ("TSS", "COD")},
        "ours_closed_loop_dynamic_s": ours["closed_loop_s"],
    }
    notes = ["ratio on the open-loop run (EXPOsan's BSM1 has no PI control)"]
    if ours["closed_loop_s"] is not None:
        notes.append(f"ours with the default PI control (load_control('bsm1')): {ours['closed_loop_s']:.2f} s")
    if peer is None:
        notes.append(why)
    else:
        peer_err = _relative_errors(_composite(peer["steady_effluent"]), reference)
        peer_mean = peer["dynamic_mean_7_14"] or {}
        ratio = peer["dynamic_s"] / ours["dynamic_s"]
        result.update(
            peer_s=peer["dynamic_s"],
            ratio=ratio,
            met=bool(ratio >= TARGET_RATIO and ours["dynamic_s"] < TARGET_OURS_S),
            peer_steady_s=peer["steady_s"],
            steady_ratio=peer["steady_s"] / ours["steady_s"],
            peer_steady_rel_error=peer_err,
            peer_import_s=peer["import_s"],
            peer_dynamic_method=peer["dynamic_method"],
            peer_versions=peer["versions"],
        )
        if peer_mean:
            theirs = {k: peer_mean[k] for k in ("S_NH", "S_NO")}
            theirs |= {k: v for k, v in _composite(peer_mean).items() if k in ("TSS", "COD")}
            result["peer_dynamic_mean_7_14"] = theirs
        notes.append(
            f"steady state: ours {ours['steady_s']:.2f} s, peer {peer['steady_s']:.2f} s "
            f"(build {peer['build_s']:.2f} s included; peer imports {peer['import_s']:.1f} s excluded); "
            f"max rel. error vs MATLAB ours {max(ours_err.values()):.2e}, peer {max(peer_err.values()):.2e}"
        )
    second, why = run_bsm2_python()
    if second is None:
        notes.append(why)
    else:
        result["bsm2_python"] = bsm2_python_summary(second, ours, reference, _published_dry_means())
    result["ours_dynamic_cpu_s"] = ours["dynamic_cpu_s"]
    result["notes"] = "; ".join(notes)
    return result


# --- bsm2-python peer (runs in the peers' interpreter: this file with --bsm2-python) -------------
BSM2_PYTHON_STATES = ("S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND",
                      "S_ALK")  # fmt: skip
CONSTANT_INFLUENT = ROOT / "src" / "ecocity" / "wastewater" / "data" / "bsm1" / "constinfluent.ascii"
MINUTE_D = 1.0 / 1440.0
STEADY_STEP_D = 15.0 / 1440.0  # bsm2-python's own steady-state test steps at 15 min


def _bsm2_python_main(path: str) -> None:
    """The benchmark work in bsm2-python 0.0.16 (``bsm1_ol.BSM1OL``, ``bsm1_cl.BSM1CL``); prints one
    JSON line. Its BSM1 is sequential-modular: every unit integrated with ``odeint`` over a fixed
    1-minute step, the influent held (zero-order) at the last sample.

    1. steady state as the package's own test against MATLAB does it (``tests/bsm1_ol_test.py``
       of ttronas/bsm2-python): the constant influent (``constinfluent.ascii``) for ``days``
       (200) in 15-minute steps from its default initial state (tanks all ones, the settler at
       the benchmark's profile). (Its ``stabilize()`` stops when no stream changes by > 1e-3
       within one step, here after two steps, far from steady state.);
    2. 14 days dry weather open loop (the package's ``data/dryinfluent.csv``, the benchmark's
       file) from that state, stepping ``step(i)`` at 1 minute (no plotting, no evaluation export);
    3. the default closed loop (``BSM1CL``, ``use_noise=0``; its sensors and actuators step
       through python-control's ``forced_response``, ≈ 35 s of CPU per simulated day) over
       ``closed_loop_days`` (1 by default; BENCH_BSM2PY_CLOSED_DAYS), reported per day.
    """
    import logging

    sys.setrecursionlimit(20_000)  # numba's pickling of the jitclass Splitter's exceptions recurses deeply
    t0 = time.perf_counter()
    import numpy as np
    import bsm2_python
    from bsm2_python.bsm1_cl import BSM1CL
    from bsm2_python.bsm1_ol import BSM1OL

    logging.disable(logging.WARNING)
    import_s = time.perf_counter() - t0
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    package = Path(bsm2_python.__file__).parent
    raw = np.loadtxt(CONSTANT_INFLUENT)  # time, 13 ASM1 states, TSS, Q
    # bsm2-python's 22 columns: time, 13 states, TSS, Q, T, 5 dummy states
    row = np.concatenate((raw[0, 1:16], [15.0], np.zeros(5)))
    constant = np.array([[0.0, *row], [data["days"] + 0.1, *row]])
    reactors = ("reactor1", "reactor2", "reactor3", "reactor4", "reactor5")
    streams = ("y_out1", "y_out2", "y_out3", "y_out4", "y_out5", "y_out5_r", "ys_in", "ys_out", "ys_eff")

    start, start_cpu = time.perf_counter(), time.process_time()
    steady = BSM1OL(data_in=constant, timestep=STEADY_STEP_D, endtime=data["days"])
    for i in range(len(steady.simtime) - 1):
        steady.step(i)
    steady_s, steady_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu

    dry = np.loadtxt(package / "data" / "dryinfluent.csv", delimiter=",")
    dry = np.vstack((dry, [data["dynamic_days"] + MINUTE_D, *dry[-1, 1:]]))  # the last sample held to the end

    def dynamic(plant_class, days: float, **kwargs) -> tuple[float, float, dict]:
        plant = plant_class(data_in=dry, timestep=MINUTE_D, endtime=days, **kwargs)
        for name in reactors:
            getattr(plant, name).y0 = getattr(steady, name).y0.copy()
        plant.settler.ys0 = steady.settler.ys0.copy()
        for name in streams:
            setattr(plant, name, getattr(steady, name).copy())
        begin, begin_cpu = time.perf_counter(), time.process_time()
        steps = round(days / MINUTE_D)  # [0, days) in 1-minute steps
        for i in range(steps):
            plant.step(i)
        seconds, cpu_s = time.perf_counter() - begin, time.process_time() - begin_cpu
        t = plant.simtime[:steps]
        window = (t >= 7.0 - 1e-9) & (t < days - 1e-9)
        effluent = plant.ys_eff_all[:steps][window]
        if not window.any():
            return seconds, cpu_s, None
        weights = effluent[:, 14]
        means = {k: float((effluent[:, j] * weights).sum() / weights.sum()) for j, k in enumerate(BSM2_PYTHON_STATES)}
        return seconds, cpu_s, means

    open_s, open_cpu_s, open_means = dynamic(BSM1OL, data["dynamic_days"])
    closed_days = data.get("closed_loop_days", 0.0)
    closed_s, closed_cpu_s, _ = dynamic(BSM1CL, closed_days, use_noise=0) if closed_days else (None, None, None)
    print(json.dumps({
        "import_s": import_s, "build_s": 0.0, "steady_s": steady_s, "steady_cpu_s": steady_cpu_s,
        "dynamic_s": open_s, "dynamic_cpu_s": open_cpu_s, "closed_loop_days": closed_days,
        "closed_loop_s": closed_s, "closed_loop_cpu_s": closed_cpu_s,
        "dynamic_method": "odeint per unit, fixed 1-min step",
        "steady_effluent": dict(zip(BSM2_PYTHON_STATES, map(float, steady.ys_eff[:13]), strict=True)),
        "dynamic_mean_7_14": open_means,
        "versions": {"bsm2_python": getattr(bsm2_python, "__version__", "0.0.16")},
    }))  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bsm2-python"]:
        _bsm2_python_main(sys.argv[2])
        sys.exit(0)
    print(json.dumps(run(), indent=2))
    sys.exit(0)
