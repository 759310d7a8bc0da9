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

The peer runs as a child process with ``benchmarks/.venv-peers/bin/python``
(``make bench-peers`` creates it; script ``benchmarks/peers/exposan_bsm1.py``). Without it the
benchmark reports "peer not installed" and measures ours only. Figure of merit: peer dynamic
time / ours. Targets (issue 3): ≥ 10× and ours < 1 s for the dynamic run.
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

from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.simulate import simulate, steady_state

HERE = Path(__file__).parent
ROOT = HERE.parent
PEER_PYTHON = HERE / ".venv-peers" / "bin" / "python"
PEER_SCRIPT = HERE / "peers" / "exposan_bsm1.py"
REFERENCE = ROOT / "tests" / "wastewater" / "data" / "bsm1_openloop_matlab_effluent.csv"
INITIAL = ROOT / "src" / "ecocity" / "wastewater" / "data" / "bsm1_initial_state.toml"
STEADY_DAYS = 200.0
DYNAMIC_DAYS = 14.0
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


def _relative_errors(values: dict, reference: dict) -> dict:
    return {k: abs(values[k] - reference[k]) / abs(reference[k]) for k in COMPARED}


def _flow_weighted(effluent: pd.DataFrame, start: float = 7.0, stop: float = DYNAMIC_DAYS) -> dict:
    window = effluent[(effluent.index >= start - 1e-9) & (effluent.index < stop - 1e-9)]
    weights = window["Q"]
    return {k: float((window[k] * weights).sum() / weights.sum()) for k in window.columns if k != "Q"}


def run_ours() -> dict:
    """Steady state then 14 days dry weather through ecocity's public API, timed."""
    start = time.perf_counter()
    layout = load_plant("bsm1")
    steady = steady_state(layout, "constant", days=STEADY_DAYS)
    steady_s = time.perf_counter() - start
    control = "control" in inspect.signature(simulate).parameters
    start = time.perf_counter()
    dynamic = simulate(layout, "dry", initial=steady.state, days=DYNAMIC_DAYS)
    dynamic_s = time.perf_counter() - start
    closed_s = None
    if control:  # the run with default control; the peer has none, so not in the ratio
        from ecocity.wastewater.control import load_control

        start = time.perf_counter()
        simulate(layout, "dry", initial=steady.state, days=DYNAMIC_DAYS, control=load_control("bsm1"))
        closed_s = time.perf_counter() - start
    return {
        "steady_s": steady_s,
        "dynamic_s": dynamic_s,
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
    result["notes"] = "; ".join(notes)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
    sys.exit(0)
