"""GB/T 51161-2016 indicator values from the user's own copy of the standard (``gbt51161.csv``).

ecocity ships only the GB/T 51161-2016 rows it could tie to a readable source (see
:mod:`ecocity.buildings.benchmarks`); Beijing's cold zone, hotels and malls are not among them,
so their verdict is ``"not verified"``. An engineer who holds the standard transcribes the rows
the portfolio needs into a small table, and the assessment then uses them, marked as
user-supplied (confidence ``"user"``) with the source the user wrote, in every output::

    building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source
    office,beijing,…,…,"GB/T 51161-2016 表 5.2.1, A 类商业办公建筑 (our copy, p. 12)"

``building_type`` matches the ``type`` column of ``portfolio.csv`` (case and surrounding spaces
ignored); ``climate_zone`` is a zone key (``severe_cold_and_cold`` …) or a known city
(``beijing``). Values are non-heating energy-use intensities [kWh/(m² a)]; the guide value is
the stricter one, so 0 < guide ≤ constraint. ecocity checks the table's form, not its numbers:
they are the user's transcription.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecocity.buildings.benchmarks import climate_zone
from ecocity.buildings.csv_tables import positive_number, read_csv_table
from ecocity.errors import InputError

#: Default file name of the table inside a portfolio folder.
TABLE_FILE = "gbt51161.csv"
#: Columns the table must have.
COLUMNS: tuple[str, ...] = ("building_type", "climate_zone", "constraint_kwh_per_m2", "guide_kwh_per_m2", "source")
#: Confidence mark of a user-supplied value (beside V, 2+, 1, C, NF of the shipped data).
CONFIDENCE = "user"


@dataclass(frozen=True)
class IndicatorTable:
    """The user's GB/T 51161-2016 rows, keyed by (building type, climate zone).

    Attributes
    ----------
    path
        The file the rows were read from.
    rows
        ``{(type, zone): record}``; a record has ``constraint_kwh_per_m2``, ``guide_kwh_per_m2``
        [kWh/(m² a)], ``confidence`` (``"user"``), ``source`` and ``user_supplied`` (True).
    """

    path: Path
    rows: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)

    def get(self, building_type: str, zone: str) -> Mapping[str, Any] | None:
        """The record for a type and a zone key, or None."""
        return self.rows.get((building_type.strip().lower(), zone))


def _references(row: pd.Series, kind: str, path: Path, record: str) -> dict[str, float]:
    """The optional reference use time T0 [h/a] and area per person S0 [m²/person] of a row.

    The correction forms γ1 = 0.3 + 0.7·T0/T and γ2 = 0.7 + 0.3·S/S0 are known for offices (both)
    and malls (γ1 only); other types (hotels: occupancy rate, guest-room share) are corrected
    differently by the standard, and a reference value for them is refused rather than misapplied.
    """
    allowed = {"reference_use_hours_per_a": kind.startswith("office") or kind == "mall",
               "reference_area_per_person_m2": kind.startswith("office")}
    units = {"reference_use_hours_per_a": "h/a", "reference_area_per_person_m2": "m²/person"}
    out = {}
    for column, ok in allowed.items():
        text = row.get(column, "").strip() if column in row.index else ""
        if not text:
            continue
        if not ok:
            raise InputError(f"{column} is a correction of offices{' and malls' if 'use' in column else ''} only; "
                             f"the standard corrects {kind!r} differently (not implemented): leave it empty",
                             file=path, record=record, field=column)
        out[column] = positive_number(text, path, record, column, units[column])
    return out


def read_indicator_table(path: str | Path) -> IndicatorTable:
    """Read and check a user's GB/T 51161-2016 indicator table (CSV, UTF-8 with or without BOM).

    Parameters
    ----------
    path
        The CSV file: columns :data:`COLUMNS`; optionally ``reference_use_hours_per_a`` (T0 of the
        use-time correction, offices and malls) and ``reference_area_per_person_m2`` (S0, offices),
        which replace the shipped secondary-source values for that row; other columns (a ``note``)
        are ignored.

    Returns
    -------
    IndicatorTable

    Raises
    ------
    InputError
        Naming the file, row and column: a missing file or column, an empty table, an empty
        building type or source, an unknown climate zone or city, a value that is not a number
        > 0, a guide value above the constraint value, a (type, zone) given twice, or a reference
        value for a type whose correction form is not known.
    """
    path = Path(path)
    table = read_csv_table(path, COLUMNS, "the GB/T 51161 indicator table")
    rows: dict[tuple[str, str], Mapping[str, Any]] = {}
    for i, row in table.iterrows():
        record = f"row {int(i) + 1}"
        kind = row["building_type"].strip().lower()
        if not kind:
            raise InputError("empty building_type", file=path, record=record, field="building_type")
        try:
            zone = climate_zone(row["climate_zone"])
        except InputError as err:
            raise InputError(err.problem, file=path, record=record, field="climate_zone") from None
        constraint = positive_number(row["constraint_kwh_per_m2"], path, record, "constraint_kwh_per_m2", "kWh/(m² a)")
        guide = positive_number(row["guide_kwh_per_m2"], path, record, "guide_kwh_per_m2", "kWh/(m² a)")
        if guide > constraint:
            raise InputError(f"the guide value {guide:g} is above the constraint value {constraint:g}: the guide "
                             "value (引导值) is the stricter, lower one", file=path, record=record,
                             field="guide_kwh_per_m2")
        source = row["source"].strip()
        if not source:
            raise InputError("empty source: name the standard's table (and your copy) the values come from",
                             file=path, record=record, field="source")
        if (kind, zone) in rows:
            raise InputError(f"building type {kind!r} in zone {zone!r} is given twice", file=path, record=record,
                             field="building_type")
        rows[(kind, zone)] = {"constraint_kwh_per_m2": constraint, "guide_kwh_per_m2": guide,
                              "confidence": CONFIDENCE, "user_supplied": True,
                              "source": f"{source} (user table {path.name}, {record})",
                              **_references(row, kind, path, record)}
    return IndicatorTable(path, rows)
