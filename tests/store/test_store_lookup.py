"""Store.run: one run's record by id, whatever its status."""

from __future__ import annotations

from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import Store, hash_inputs, versions


def test_a_run_is_found_by_its_id_and_an_unknown_id_is_none(tmp_path):
    result = AreaResult(area="stormwater", scenario="baseline",
                        indicators=(Indicator(name="capture_ratio", value=0.5, unit="-", scope="district",
                                              target=None, passed=None, source="test"),),
                        series={}, figures={})  # fmt: skip
    with Store.open(tmp_path) as store:
        run_id = store.save(result, district="d", input_hash=hash_inputs("r"), versions=versions(), wall_time_s=4.0)
        record = store.run(run_id)
        assert (record.id, record.status, record.wall_time_s) == (run_id, "complete", 4.0)
        assert store.run("0" * 32) is None
