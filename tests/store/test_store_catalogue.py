"""The run catalogue: round trips, finding by hash, history, bad store files, concurrency."""

import math
import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from ecocity import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import Store, hash_inputs, versions


def _result(scenario: str = "sponge") -> AreaResult:
    time_index = pd.date_range("2024-06-01", periods=48, freq="h", name="time")
    rain = pd.DataFrame(
        {"depth_mm": np.linspace(0.0, 4.7, 48), "intensity_mm_per_h": np.full(48, 0.25)},
        index=time_index,
    )
    outflow = pd.DataFrame(
        {"flow_m3_per_s": np.sin(np.arange(96) / 10.0).astype("float64")},
        index=pd.date_range("2024-06-01", periods=96, freq="30min", tz="UTC"),
    )
    return AreaResult(
        area="stormwater",
        scenario=scenario,
        indicators=(
            Indicator("annual_runoff_capture", 0.82, "-", target=0.75, passed=True,
                      source="GB/T 51345-2018"),
            Indicator("peak_flow", 1.3, "m3/s", scope="subcatchment:S1"),
            Indicator("undefined_ratio", math.nan, "-"),
        ),
        series={"rain": rain, "outflow": outflow},
        figures={
            "capture_curve": {"depth_mm": [5.0, 10.0], "ratio": [0.5, 0.7]},
            "title": "通州",
        },
    )


def _save(store: Store, result: AreaResult, key: str) -> str:
    return store.save(result, district="tongzhou", input_hash=key,
                      versions=versions({"swmm": "5.2.4"}), wall_time_s=3.25)


def _assert_same_result(loaded: AreaResult, saved: AreaResult) -> None:
    assert (loaded.area, loaded.scenario) == (saved.area, saved.scenario)
    assert [i.to_dict() for i in loaded.indicators[:2]] == [
        i.to_dict() for i in saved.indicators[:2]
    ]
    assert math.isnan(loaded.indicator("undefined_ratio").value)
    assert list(loaded.series) == list(saved.series)
    for name, frame in saved.series.items():
        pd.testing.assert_frame_equal(loaded.series[name], frame)
    assert loaded.figures == saved.figures


def test_round_trip_restores_indicators_series_and_figures(tmp_path):
    saved = _result()
    with Store.open(tmp_path / "out") as store:
        run_id = _save(store, saved, hash_inputs({"scenario": "sponge"}))
    with Store.open(tmp_path / "out") as store:
        _assert_same_result(store.load(run_id), saved)
    assert (tmp_path / "out" / "ecocity.db").is_file()
    assert (tmp_path / "out" / "series" / run_id / "rain.parquet").is_file()
    assert (tmp_path / "out" / "series" / run_id / "figures.json").is_file()


def test_find_returns_the_run_of_the_same_inputs_and_area_only(tmp_path):
    store = Store.open(tmp_path)
    key = hash_inputs({"scenario": "sponge"})
    assert store.find(key, "stormwater") is None
    run_id = _save(store, _result(), key)
    found = store.find(key, "stormwater")
    assert found is not None and found.id == run_id and found.status == "complete"
    assert store.find(key, "wastewater") is None
    assert store.find(hash_inputs({"scenario": "other"}), "stormwater") is None


def test_saving_the_same_inputs_again_keeps_history_and_finds_the_newest(tmp_path):
    store = Store.open(tmp_path)
    key = hash_inputs({"scenario": "sponge"})
    first = _save(store, _result(), key)
    second = _save(store, _result(), key)
    assert store.find(key, "stormwater").id == second
    assert [run.id for run in store.runs()] == [first, second]
    store.load(first)  # the earlier run stays readable


def test_run_records_versions_time_and_district(tmp_path):
    store = Store.open(tmp_path)
    run_id = _save(store, _result(), hash_inputs("x"))
    other = store.save(_result(), district="copenhagen", input_hash=hash_inputs("y"),
                       versions=versions(), wall_time_s=0.5)
    (record,) = store.runs(district="tongzhou")
    assert record.id == run_id and other != run_id
    assert record.versions == versions({"swmm": "5.2.4"})
    assert record.engine_versions["swmm"] == "5.2.4"
    assert record.wall_time_s == 3.25
    assert record.created_at.utcoffset().total_seconds() == 0
    assert len(store.runs()) == 2


def test_a_save_that_fails_is_marked_failed_and_not_found(tmp_path):
    store = Store.open(tmp_path)
    result = AreaResult("stormwater", "bad", (), figures={"not_json": object()})
    key = hash_inputs("bad")
    with pytest.raises(TypeError, match="JSON"):
        _save(store, result, key)
    assert store.find(key, "stormwater") is None
    (record,) = store.runs()
    assert record.status == "failed"
    with pytest.raises(InputError, match="failed"):
        store.load(record.id)


def test_loading_an_unknown_run_names_the_store(tmp_path):
    store = Store.open(tmp_path)
    with pytest.raises(InputError, match=r"ecocity\.db.*no run 'nope'"):
        store.load("nope")


def test_a_missing_series_file_is_an_input_error_naming_it(tmp_path):
    store = Store.open(tmp_path)
    run_id = _save(store, _result(), hash_inputs("x"))
    (tmp_path / "series" / run_id / "outflow.parquet").unlink()
    with pytest.raises(InputError, match="outflow.parquet"):
        store.load(run_id)


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes, not a database\n")
    with pytest.raises(InputError, match="notes.db.*not an ecocity store"):
        Store.open(notes)
    assert notes.read_text() == "these are my notes, not a database\n"


def test_another_applications_sqlite_file_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "inventory.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE pipes (id TEXT)")
    with pytest.raises(InputError, match="inventory.sqlite.*other tables"):
        Store.open(other)
    with sqlite3.connect(other) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("pipes",)]


def test_a_corrupt_store_file_is_an_input_error_naming_it(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(InputError, match="broken.db"):
        Store.open(broken)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="file permissions do not bind root (or non-POSIX systems)")
def test_a_read_only_store_reads_but_refuses_to_save(tmp_path):
    store = Store.open(tmp_path / "out")
    run_id = _save(store, _result(), hash_inputs("x"))
    store.close()
    db = tmp_path / "out" / "ecocity.db"
    db.chmod(0o444)
    (tmp_path / "out").chmod(0o555)
    try:
        readonly = Store.open(db)
        assert readonly.readonly and [r.id for r in readonly.runs()] == [run_id]
        with pytest.raises(InputError, match="ecocity.db.*read-only"):
            _save(readonly, _result(), hash_inputs("y"))
    finally:
        (tmp_path / "out").chmod(0o755)


def test_a_store_without_write_permission_opens_read_only(tmp_path, monkeypatch):
    store = Store.open(tmp_path / "out")
    run_id = _save(store, _result(), hash_inputs("x"))
    store.close()
    monkeypatch.setattr("ecocity.store.engine.os.access", lambda path, mode: False)
    readonly = Store.open(tmp_path / "out")
    assert readonly.readonly
    _assert_same_result(readonly.load(run_id), _result())
    with pytest.raises(InputError, match="ecocity.db.*read-only"):
        _save(readonly, _result(), hash_inputs("y"))


def test_an_existing_file_without_suffix_is_the_store_file(tmp_path):
    Store.open(tmp_path / "first.db").close()
    (tmp_path / "first.db").rename(tmp_path / "catalogue")
    store = Store.open(tmp_path / "catalogue")
    assert store.name == str(tmp_path / "catalogue") and store.runs() == []


def test_a_sqlite_url_keeps_series_beside_the_file(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'catalogue.db'}")
    run_id = _save(store, _result(), hash_inputs("x"))
    assert (tmp_path / "series" / run_id / "rain.parquet").is_file()


def test_a_server_url_without_series_folder_is_refused():
    with pytest.raises(InputError, match="series_dir"):
        Store.open("postgresql://planner@db.example/ecocity")


@pytest.mark.skipif(not os.environ.get("ECOCITY_TEST_POSTGRES_URL"),
                    reason="set ECOCITY_TEST_POSTGRES_URL to a scratch PostgreSQL database")
def test_round_trip_on_postgresql(tmp_path):
    saved = _result()
    key = hash_inputs({"postgres": str(tmp_path)})
    with Store.open(os.environ["ECOCITY_TEST_POSTGRES_URL"], series_dir=tmp_path) as store:
        run_id = _save(store, saved, key)
        assert store.find(key, "stormwater").id == run_id
        _assert_same_result(store.load(run_id), saved)


_WRITER = textwrap.dedent(
    """
    import sys, time, pathlib
    sys.path.insert(0, {tests!r})
    from test_store_catalogue import _result, _save
    from ecocity.store import Store, hash_inputs
    folder, label = pathlib.Path(sys.argv[1]), sys.argv[2]
    while not (folder / "go").exists():
        time.sleep(0.01)
    store = Store.open(folder / "out")
    for number in range({saves}):
        _save(store, _result(label), hash_inputs(label, number))
    """
)


def test_two_processes_save_to_one_sqlite_file_at_once(tmp_path):
    saves = 12
    script = _WRITER.format(tests=os.path.dirname(__file__), saves=saves)
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), label],
                         stderr=subprocess.PIPE, text=True)
        for label in ("first", "second")
    ]
    time.sleep(0.5)
    (tmp_path / "go").touch()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    store = Store.open(tmp_path / "out")
    runs = store.runs()
    assert len(runs) == 2 * saves and {r.status for r in runs} == {"complete"}
    assert {r.scenario for r in runs} == {"first", "second"}
    _assert_same_result(store.load(runs[-1].id), _result(runs[-1].scenario))
