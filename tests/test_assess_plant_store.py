"""assess_plant with an open store (the dashboard's): the run lands there, not in store_dir."""

from __future__ import annotations

from ecocity.assess import assess_plant
from ecocity.store import Store


def test_a_plant_run_lands_in_the_given_open_store_and_is_read_back(tmp_path):
    folder = tmp_path / "job"
    with Store.open(tmp_path / "dashboard.db") as store:
        first = assess_plant(folder, "bsm1", influent="constant", control="open", store=store)
        again = assess_plant(folder, "bsm1", influent="constant", control="open", store=store)
        assert [r.id for r in store.runs()] == [first.run_id]
    assert not first.cached and again.cached and again.run_id == first.run_id
    assert not (folder / "ecocity.db").exists()
