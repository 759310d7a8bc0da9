"""Scale-out and restart: the same search on a process pool and on a real Dask cluster over TCP;
a CLI run killed mid-search resumes from the store. Slow (tens of SWMM runs each)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ecocity.district.write import write_district
from ecocity.optimise.evaluate import AREA, settings_for
from ecocity.optimise.search import SearchSettings, optimise
from ecocity.store import Store
from ecocity.stormwater.design_space import design_space

from .helpers import small_district

pytestmark = pytest.mark.slow


def _search(district, rain, store, dask_address=None, surrogate=False):
    space = design_space(district, ("green_roof", "bioretention"), levels=2)
    return optimise(district, rain, space, store, SearchSettings(evaluations=18, population=6, seed=11,
                                                                 surrogate=surrogate),
                    evaluation=settings_for(district, peak=True), workers=2, dask_address=dask_address)  # fmt: skip


@pytest.mark.parametrize("surrogate", [False, True])
def test_same_seed_same_front_on_the_pool_and_on_a_dask_cluster_over_tcp(tmp_path, surrogate):
    from distributed import LocalCluster

    district, rain = small_district(tmp_path / "district", capture_target=0.8)
    pool = _search(district, rain, tmp_path / "pool" / "ecocity.db", surrogate=surrogate)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                      dashboard_address=None) as cluster:  # fmt: skip
        assert cluster.scheduler_address.startswith("tcp://")
        dask = _search(district, rain, tmp_path / "dask" / "ecocity.db", cluster.scheduler_address, surrogate)
    if surrogate:
        assert pool.counts["predicted"] > 0 and dask.surrogate == pool.surrogate
    assert pool.counts["simulated"] > 10 and dask.counts == pool.counts
    assert dask.evaluations["levels"].tolist() == pool.evaluations["levels"].tolist()
    columns = ["capture_ratio", "tss_reduction", "peak_flow_m3_per_s", "capital_cost_yuan"]
    assert dask.evaluations[columns].equals(pool.evaluations[columns])  # bitwise: same SWMM runs
    assert dask.front["levels"].tolist() == pool.front["levels"].tolist()
    assert dask.chosen == pool.chosen


def _completed_keys(store_path: Path) -> list[str]:
    with Store.open(store_path) as store:
        return [r.input_hash for r in store.runs() if r.area == AREA and r.status == "complete"]


def test_cli_run_killed_mid_search_resumes_from_the_store(tmp_path):
    district, _ = small_district(tmp_path / "src", capture_target=0.8)
    folder = write_district(district, tmp_path / "district")
    out = tmp_path / "out"
    args = ["sponge", "optimise", str(folder), "--lid", "green_roof", "--lid", "bioretention", "--levels", "2",
            "--evaluations", "16", "--population", "4", "--seed", "4", "--no-peak", "--workers", "1",
            "--out", str(out), "--json"]  # fmt: skip
    child = subprocess.Popen([sys.executable, "-m", "ecocity.cli", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and (not (out / "ecocity.db").exists()
                                               or len(_completed_keys(out / "ecocity.db")) < 5):
            time.sleep(0.5)
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the child and its SWMM process, mid-search
        child.wait()
    before = _completed_keys(out / "ecocity.db")
    assert len(before) >= 5 and not (out / "optimisation.json").exists()

    resumed = subprocess.run([sys.executable, "-m", "ecocity.cli", *args], capture_output=True, text=True,
                             timeout=600, check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    payload = json.loads(resumed.stdout)
    after = _completed_keys(out / "ecocity.db")
    assert len(after) == len(set(after))  # no design saved (simulated) twice
    assert payload["counts"]["from_store"] >= len(before)
    assert payload["counts"]["simulated"] == len(after) - len(before)
    assert Path(payload["files"]["json"]).exists() and Path(payload["files"]["html"]).exists()
    if payload["status"] == "feasible":
        assert Path(payload["files"]["scenario"]).read_text(encoding="utf-8").count("[[measure]]") >= 1
        assert Path(payload["files"]["inp"]).exists()
