"""The run catalogue: SQL (an SQLite file by default, PostgreSQL by URL) plus Parquet series.

Typical use by the orchestrator::

    store = Store.open(out_folder)
    key = hash_inputs(scenario, district_settings, versions(), files=[rain_file])  # see ecocity.assess.input_hash
    found = store.find(key, "stormwater")
    if found is None:
        run_id = store.save(result, district="tongzhou", input_hash=key,
                            versions=versions({"swmm": "5.2.4"}), wall_time_s=12.5)
"""

from ecocity.store.catalogue import RunRecord, Store
from ecocity.store.hashing import hash_inputs, versions

__all__ = ["RunRecord", "Store", "hash_inputs", "versions"]
