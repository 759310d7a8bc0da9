"""Write ``results_small.json``, the district results document the PDF tests render.

Run from the repository root (``.venv/bin/python tests/report/data/make_results_fixture.py``);
see SOURCES.md beside it for where each part comes from. It is stored so that the PDF tests
need neither SWMM nor a plant run.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conftest import make_results  # noqa: E402
from test_report_buildings import make_section  # noqa: E402

from ecocity.results import wastewater_section  # noqa: E402
from ecocity.wastewater import bsm2, plantwide  # noqa: E402


def main() -> None:
    results = make_results()
    parts = bsm2.load_bsm2()
    run = bsm2.run_bsm2("dynamic", control="default", days=1.0, stabilisation_d=0.0, parts=parts)
    plant = plantwide.summarise(run, parts, source="dynamic", standards=("gb18918_2002_1a",))
    results["wastewater"] = wastewater_section(plant, "run-bsm2-1d", cached=False)
    results["buildings"] = make_section()
    results["sources"] += results["wastewater"].get("sources", []) + results["buildings"].get("sources", [])
    text = json.dumps(results, ensure_ascii=False, indent=None, allow_nan=False, separators=(",", ":"))
    (HERE / "results_small.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
