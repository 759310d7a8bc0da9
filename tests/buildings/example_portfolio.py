"""A few buildings of the example portfolio (examples/buildings) copied into a test folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

EXAMPLE = Path(__file__).parents[2] / "examples" / "buildings"


def small_portfolio(folder: Path, ids: tuple[str, ...], *, readme: bool = False) -> Path:
    """``folder`` holding the example's ``portfolio.csv`` rows of ``ids``, their meter files and the
    weather files (the files layout); ``readme`` also copies the README (its SYNTHETIC mark)."""
    table = pd.read_csv(EXAMPLE / "portfolio.csv", dtype=str, keep_default_na=False)
    table = table[table["building_id"].isin(ids)]
    (folder / "meters").mkdir(parents=True)
    shutil.copytree(EXAMPLE / "weather", folder / "weather")
    for column in ("electricity_file", "district_heat_file"):
        for name in table[column]:
            if name:
                shutil.copy(EXAMPLE / name, folder / name)
    table.to_csv(folder / "portfolio.csv", index=False)
    if readme:
        shutil.copy(EXAMPLE / "README.md", folder / "README.md")
    return folder
