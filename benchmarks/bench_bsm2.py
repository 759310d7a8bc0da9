"""Benchmark (e): BSM2 plant-wide in ecocity against EXPOsan/QSDsan and bsm2-python.

Work:

1. ours, the full protocol (issue 4's heavy case): ``run_bsm2("dynamic", control="default")``
   (200 d constant influent, then the 609-day dynamic influent with DO control, seasonal Qw and
   sensor noise, evaluated on days 245–609), timed cold (a fresh child process: imports and numba
   compilation from the on-disk cache included) and warm (the same call again in that process);
   accuracy against the official MATLAB ``bsm2_cl`` run (third-party summary; see
   ``docs/methods/bsm2.md`` and ``the team's reference notes shared/references/wastewater.md`` §1.2);
2. the same 20-day dynamic work on every side: the open-loop plant (KLa 0/0/120/120/60 d⁻¹,
   Qw 300 m³/d) under days 0–20 of the BSM2 dynamic influent, evaluated on days 15–20 and compared
   with the MATLAB values of that window (ttronas/bsm2-python:tests/bsm2_ol_pp_test.py, EQI 14 753,
   MP 1 021.0 ...). Ours: the 20 days alone (``stabilisation_d=0``, timing) and 200 d constant + 20 d
   (accuracy, as the MATLAB run starts from its stabilised state). EXPOsan: ``exposan.bsm2`` (its BSM2
   system, open loop, constant influent by default) with the influent replaced by
   ``DynamicInfluent`` (``benchmarks/peers/exposan_bsm2.py``). bsm2-python 0.0.16: ``BSM2OL`` at its
   1-minute step over days 0–20 (the settings of its own MATLAB comparison test), in this file with
   ``--bsm2-python``.

The peers run as child processes with ``benchmarks/.venv-peers/bin/python`` (``make bench-peers``);
a missing peer is skipped with a message. Peer runs take minutes (EXPOsan ~15 CPU-min for 20 days);
``BENCH_PEER_TIMEOUT_S`` (default 3600) caps each; ``BENCH_BSM2_PEERS=0`` skips them.
Figure of merit: peer 20-day wall time / ours; target (issue 4): ours full protocol < 120 s with
every criterion within 1 % of the reference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ROOT = HERE.parent
PEER_PYTHON = HERE / ".venv-peers" / "bin" / "python"
EXPOSAN_SCRIPT = HERE / "peers" / "exposan_bsm2.py"
PEER_TIMEOUT_S = float(os.environ.get("BENCH_PEER_TIMEOUT_S", "3600"))
RUN_PEERS = os.environ.get("BENCH_BSM2_PEERS", "1") != "0"
DAYS = 20.0
WINDOW = (15.0, 20.0)
TARGET_S = 120.0
TARGET_REL = 0.01

#: MATLAB open loop, dynamic influent, days 0–20, evaluated on days 15–20
#: (ttronas/bsm2-python:tests/bsm2_ol_pp_test.py, ``eval_par_matlab``; [1] in the references)
MATLAB_20D = {
    "effluent_quality_index_kg_pu_per_d": 14_753.0,
    "total_sludge_production_kg_per_d": 4_652.9,
    "sludge_production_kg_per_d": 3_676.7,
    "methane_production_kg_per_d": 1_021.0,
    "carbon_dioxide_production_kg_per_d": 1_495.5,
    "biogas_flow_m3_per_d": 2_610.3,
    "heating_energy_kwh_per_d": 7_417.9,
    "pumping_energy_kwh_per_d": 450.7097,
    "operational_cost_index": 12_794.0,
}
#: default closed loop, days 245–609: the official MATLAB/Simulink bsm2_cl run as summarised by
#: Danielmarinn/bsm2-marl:results/bsm2_manual_baseline_official_summary.csv (single source, [1])
OFFICIAL_CL = {
    "effluent_quality_index_kg_pu_per_d": 5_576.67,
    "operational_cost_index": 9_450.03,
    "aeration_energy_kwh_per_d": 4_225.43,
    "pumping_energy_kwh_per_d": 445.45,
    "mixing_energy_kwh_per_d": 768.00,
    "sludge_production_kg_per_d": 2_707.77,
    "methane_production_kg_per_d": 1_085.36,
}


def _rel(values: dict, reference: dict) -> dict:
    return {k: (float(values[k]) - v) / v for k, v in reference.items() if values.get(k) is not None}


# --- ours ---------------------------------------------------------------------------------------------


def _ours_child() -> None:
    """Full protocol cold then warm, and the 20-day work; prints one JSON line (child process)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    from ecocity.wastewater.bsm2 import run_bsm2

    import_s = time.perf_counter() - start
    full = run_bsm2("dynamic", control="default")
    cold_s, cold_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    start, start_cpu = time.perf_counter(), time.process_time()
    again = run_bsm2("dynamic", control="default")
    warm_s, warm_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    start, start_cpu = time.perf_counter(), time.process_time()
    run_bsm2("dynamic", control="open", days=DAYS, stabilisation_d=0.0, evaluate=False)
    twenty_s, twenty_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    start = time.perf_counter()
    short = run_bsm2("dynamic", control="open", days=DAYS)
    twenty_stab_s = time.perf_counter() - start
    same = full.evaluation.effluent_quality_index_kg_pu_per_d == again.evaluation.effluent_quality_index_kg_pu_per_d
    print(json.dumps({
        "import_s": import_s, "full_cold_s": cold_s, "full_cold_cpu_s": cold_cpu_s, "full_warm_s": warm_s,
        "full_warm_cpu_s": warm_cpu_s, "twenty_s": twenty_s, "twenty_cpu_s": twenty_cpu_s,
        "twenty_with_stabilisation_s": twenty_stab_s,
        "full": _plain(full.evaluation.to_dict()), "short": _plain(short.evaluation.to_dict()),
        "repeatable": bool(same),
    }))  # fmt: skip


def _plain(d: dict) -> dict:
    return {k: v for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def run_ours() -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--ours"], capture_output=True, text=True,
                          cwd=ROOT, timeout=3600)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError("ours failed: " + (done.stderr or done.stdout)[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- EXPOsan ------------------------------------------------------------------------------------------


def _influent_tsv(path: Path) -> None:
    """Days 0–21 of the BSM2 dynamic influent in QSDsan's DynamicInfluent layout (S_ALK in mg C/L);
    the first row repeated one interval after the end (DynamicInfluent appends it otherwise, with
    ``DataFrame.append``, which current pandas lacks)."""
    from ecocity.wastewater.influent import read_bsm2_influent

    frame = read_bsm2_influent("bsm2-dynamic")
    frame = frame[frame.index <= DAYS + 1.0 + 1e-9].drop(columns=["TSS", "T"]).copy()
    frame["S_ALK"] *= 12.0
    table = frame.reset_index()
    closing = table.iloc[[0]].copy()
    closing["t"] = table["t"].iloc[-1] + 1.0 / 96.0
    pd.concat([table, closing]).to_csv(path, sep="\t", index=False)


def exposan_criteria(peer: dict) -> dict:
    """EQI and gas production of the peer's 15-min samples over days 15–20 (ecocity's BSM2 formulas)."""
    from ecocity.wastewater import evaluation
    from ecocity.wastewater.evaluation_bsm2 import (
        STREAM_COLUMNS,
        effluent_composition,
        effluent_quality_index_kg_pu_per_d,
    )

    eff = peer["effluent"]
    t = np.asarray(eff["t"])
    frame = pd.DataFrame({c: eff[c] if c in eff else np.full(t.size, 15.0) for c in STREAM_COLUMNS},
                         index=pd.Index(t, name="t"))  # fmt: skip
    weights = evaluation.window_weights_d(frame.index, *WINDOW)
    eqi = effluent_quality_index_kg_pu_per_d(effluent_composition(frame), frame["Q"], weights)
    gas = pd.DataFrame({k: v for k, v in peer["gas"].items() if k != "t"}, index=pd.Index(peer["gas"]["t"]))
    gw = evaluation.window_weights_d(gas.index, *WINDOW)
    return {
        "effluent_quality_index_kg_pu_per_d": eqi,
        "methane_production_kg_per_d": evaluation.time_average(gas["CH4_kg_per_d"], gw),
        "carbon_dioxide_production_kg_per_d": evaluation.time_average(gas["CO2_kg_per_d"], gw),
        "biogas_flow_m3_per_d": evaluation.time_average(gas["Q_gas"], gw),
    }


def run_exposan() -> tuple[dict | None, str]:
    if not PEER_PYTHON.exists():
        return None, "EXPOsan: peer environment missing (run `make bench-peers`)"
    probe = subprocess.run([str(PEER_PYTHON), "-c", "import exposan.bsm2"], capture_output=True, timeout=600)
    if probe.returncode != 0:
        return None, "EXPOsan: exposan.bsm2 not importable in benchmarks/.venv-peers"
    with tempfile.TemporaryDirectory() as tmp:
        tsv, work = Path(tmp) / "influent.tsv", Path(tmp) / "work.json"
        _influent_tsv(tsv)
        work.write_text(json.dumps({"influent_tsv": str(tsv), "days": DAYS, "method": "RK23"}))
        try:
            done = subprocess.run([str(PEER_PYTHON), str(EXPOSAN_SCRIPT), str(work)], capture_output=True, text=True,
                                  timeout=PEER_TIMEOUT_S, cwd=tmp)  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"EXPOsan run exceeded {PEER_TIMEOUT_S:.0f} s (BENCH_PEER_TIMEOUT_S)"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "EXPOsan failed: " + " | ".join(tail)
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


# --- bsm2-python --------------------------------------------------------------------------------------

BSM2PY_KEYS = (
    "influent_quality_index_kg_pu_per_d", "effluent_quality_index_kg_pu_per_d", "total_sludge_production_kg_per_d",
    "sludge_production_kg_per_d", "external_carbon_kg_cod_per_d", "methane_production_kg_per_d",
    "hydrogen_production_kg_per_d", "carbon_dioxide_production_kg_per_d", "biogas_flow_m3_per_d",
    "heating_energy_kwh_per_d", "mixing_energy_kwh_per_d", "pumping_energy_kwh_per_d", "aeration_energy_kwh_per_d",
    "operational_cost_index",
)  # fmt: skip  # the order of BSM2Base.get_final_performance()


def _bsm2_python_main() -> None:
    """bsm2-python 0.0.16 ``BSM2OL`` (defaults: its initial states, its 609-day influent file,
    ``tempmodel=False``), 1-min step, days 0–20, evaluated on its default last 5 days; prints one
    JSON line (runs in the peers' interpreter)."""
    import logging

    sys.setrecursionlimit(100_000)  # numba's pickling of the package's jitclasses recurses deeply
    t0 = time.perf_counter()
    import bsm2_python
    from bsm2_python.bsm2_ol import BSM2OL

    logging.disable(logging.WARNING)
    import_s = time.perf_counter() - t0
    start, start_cpu = time.perf_counter(), time.process_time()
    plant = BSM2OL(endtime=DAYS, timestep=1.0 / 1440.0, tempmodel=False, activate=False)
    for i, _ in enumerate(plant.simtime):
        plant.step(i)
    run_s, run_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    values = dict(zip(BSM2PY_KEYS, map(float, plant.get_final_performance()), strict=True))
    print(json.dumps({"import_s": import_s, "run_s": run_s, "run_cpu_s": run_cpu_s, "criteria": values,
                      "version": getattr(bsm2_python, "__version__", "0.0.16")}))  # fmt: skip


def run_bsm2_python() -> tuple[dict | None, str]:
    if not PEER_PYTHON.exists():
        return None, "bsm2-python: peer environment missing (run `make bench-peers`)"
    probe = subprocess.run([str(PEER_PYTHON), "-c", "import bsm2_python.bsm2_ol"], capture_output=True, timeout=600)
    if probe.returncode != 0:
        return None, "bsm2-python not installed in benchmarks/.venv-peers"
    try:
        done = subprocess.run([str(PEER_PYTHON), str(Path(__file__).resolve()), "--bsm2-python"], capture_output=True,
                              text=True, timeout=PEER_TIMEOUT_S, cwd=tempfile.gettempdir())  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, f"bsm2-python run exceeded {PEER_TIMEOUT_S:.0f} s (BENCH_PEER_TIMEOUT_S)"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "bsm2-python failed: " + " | ".join(tail)
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


# --- the benchmark ------------------------------------------------------------------------------------


def run() -> dict:
    ours = run_ours()
    full_err = _rel(ours["full"], OFFICIAL_CL)
    short_err = _rel(ours["short"], MATLAB_20D)
    met = ours["full_cold_s"] < TARGET_S and max(map(abs, full_err.values())) <= TARGET_REL
    result = {
        "name": "bsm2_full_protocol_closed_loop",
        "ours_s": ours["full_cold_s"],
        "peer": "EXPOsan/QSDsan exposan.bsm2 (20 d dynamic, open loop); bsm2-python BSM2OL (20 d, 1-min step)",
        "peer_s": None,
        "ratio": None,
        "metric": "speed-up on the 20-day dynamic run (EXPOsan wall s / ours wall s)",
        "target": f"full protocol < {TARGET_S:g} s, criteria within {TARGET_REL:.0%} of the reference",
        "met": bool(met),
        "ours_full_warm_s": ours["full_warm_s"],
        "ours_full_cold_cpu_s": ours["full_cold_cpu_s"],
        "ours_full_warm_cpu_s": ours["full_warm_cpu_s"],
        "ours_import_s": ours["import_s"],
        "ours_full_rel_error_vs_official": full_err,
        "ours_20d_s": ours["twenty_s"],
        "ours_20d_cpu_s": ours["twenty_cpu_s"],
        "ours_20d_with_stabilisation_s": ours["twenty_with_stabilisation_s"],
        "ours_20d_rel_error_vs_matlab": short_err,
        "ours_repeatable": ours["repeatable"],
    }
    notes = []
    if RUN_PEERS:
        peer, why = run_exposan()
        if peer is None:
            notes.append(why)
        else:
            crit = exposan_criteria(peer)
            result.update(peer_s=peer["run_s"], ratio=peer["run_s"] / ours["twenty_s"],
                          exposan_cpu_s=peer.get("run_cpu_s"),
                          exposan_build_s=peer["build_s"], exposan_import_s=peer["import_s"],
                          exposan_versions=peer["versions"], exposan_criteria_15_20=crit,
                          exposan_rel_error_vs_matlab=_rel(crit, MATLAB_20D))  # fmt: skip
        second, why = run_bsm2_python()
        if second is None:
            notes.append(why)
        else:
            result.update(bsm2_python_s=second["run_s"], bsm2_python_cpu_s=second["run_cpu_s"],
                          bsm2_python_ratio=second["run_s"] / ours["twenty_s"],
                          bsm2_python_criteria_15_20=second["criteria"],
                          bsm2_python_rel_error_vs_matlab=_rel(second["criteria"], MATLAB_20D))  # fmt: skip
    else:
        notes.append("peers skipped (BENCH_BSM2_PEERS=0)")
    result["notes"] = "; ".join(notes)
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bsm2-python"]:
        _bsm2_python_main()
    elif sys.argv[1:2] == ["--ours"]:
        _ours_child()
    else:
        print(json.dumps(run(), indent=2))
    sys.exit(0)
