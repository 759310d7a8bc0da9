"""Loading a district folder into a validated :class:`District`.

The folder (``docs/district-format.md``)::

    district.toml            [district] name, crs; [climate]; [targets]
    subcatchments.geojson    the subcatchments (FeatureCollection of (multi)polygons)
    network.inp              optional: an existing SWMM 5 drainage network
    scenarios/*.toml         optional: one scenario per file
    wastewater.toml          optional: the plant that treats the district's wastewater
    buildings.toml           optional: the district's building portfolio (meters, benchmarks)

Every problem raises :class:`ecocity.InputError` naming the file, the record and the field.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pyproj

from ecocity.district import geometry as geo
from ecocity.district.files import read_toml, reject_unknown_keys, require_table, validated
from ecocity.climate.idf import resolve_idf
from ecocity.district.model import Climate, District, Targets
from ecocity.district.network import check_outlets, read_network_nodes
from ecocity.district.scenarios import read_scenarios
from ecocity.district.subcatchments import read_subcatchments
from ecocity.district.buildings import read_buildings
from ecocity.district.wastewater import read_wastewater
from ecocity.errors import InputError

DISTRICT_FILE = "district.toml"
SUBCATCHMENTS_FILE = "subcatchments.geojson"
NETWORK_FILE = "network.inp"
SCENARIOS_FOLDER = "scenarios"

DISTRICT_KEYS = frozenset({"name", "crs"})
CLIMATE_KEYS = frozenset(Climate.model_fields)
TARGETS_KEYS = frozenset(Targets.model_fields)
MONTHS = 12


def load_district(
    folder: str | Path,
    *,
    lid_types: Collection[str] | None = None,
    effluent_standards: Collection[str] | None = None,
) -> District:
    """Read and check a district folder.

    Parameters
    ----------
    folder
        The district folder.
    lid_types
        Names of the LID types measures may use (the stormwater catalogue's); ``None`` skips
        that check.
    effluent_standards
        Names of the effluent standards ``wastewater.toml`` may name (the wastewater area's);
        ``None`` skips that check.

    Returns
    -------
    District
        With absolute paths, areas in m², widths in m, slopes in m/m, defaults filled in.

    Raises
    ------
    InputError
        Naming the file, the record (TOML table, feature id, ``measure[i]``) and the field.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise InputError("not a district folder: no such directory", file=folder)
    toml_path = folder / DISTRICT_FILE
    table = read_toml(toml_path)
    reject_unknown_keys(table, {"district", "climate", "targets"}, file=toml_path, record=None)
    name, crs_text, crs = _read_head(table, toml_path)
    climate = read_climate(table.get("climate"), folder=folder, file=toml_path)
    targets = validated(
        Targets,
        _table(table, "targets", TARGETS_KEYS, file=toml_path, required=False),
        file=toml_path,
        record="targets",
    )
    subcatchments_path = folder / SUBCATCHMENTS_FILE
    subcatchments = read_subcatchments(subcatchments_path, crs)
    network_path = folder / NETWORK_FILE
    network = network_path if network_path.is_file() else None
    check_outlets(
        {s.id: s.outlet for s in subcatchments},
        read_network_nodes(network) if network else None,
        file=subcatchments_path,
        network_file=network,
    )
    scenarios = read_scenarios(folder / SCENARIOS_FOLDER, subcatchments, lid_types)
    data = {
        "name": name,
        "folder": folder,
        "crs": crs_text,
        "climate": climate,
        "targets": targets,
        "subcatchments": subcatchments,
        "network_inp": network,
        "scenarios": scenarios,
        "wastewater": read_wastewater(folder, standards=effluent_standards),
        "buildings": read_buildings(folder),
    }
    return validated(District, data, file=toml_path, record="district")


def read_climate(raw: Any, *, folder: Path, file: Path) -> Climate:
    """The ``[climate]`` table: the rainfall path resolved against ``folder`` and required to exist."""
    if raw is None:
        raise InputError("missing [climate] table (it names the rainfall file)", file=file, record="climate")
    table = dict(_checked_table(raw, CLIMATE_KEYS, file=file, record="climate"))
    rainfall = table.get("rainfall")
    if not isinstance(rainfall, str) or not rainfall:
        raise InputError(
            f"expected the rainfall file's path (relative to the district folder), got {rainfall!r}",
            file=file, record="climate", field="rainfall",
        )
    path = (folder / rainfall).resolve()
    if not path.is_file():
        raise InputError(f"rainfall file not found: {path}", file=file, record="climate", field="rainfall")
    table["rainfall"] = path
    evaporation = table.get("evaporation_mm_per_day")
    if evaporation is not None and (not isinstance(evaporation, list) or len(evaporation) != MONTHS):
        raise InputError(
            f"expected {MONTHS} monthly values, January first, got {evaporation!r}",
            file=file, record="climate", field="evaporation_mm_per_day",
        )
    climate = validated(Climate, table, file=file, record="climate")
    try:
        resolve_idf(climate.idf)
    except InputError as err:
        raise InputError(err.problem, file=file, record="climate", field="idf") from err
    _check_climate_scenarios(climate, folder=folder, file=file)
    if any(value < 0.0 for value in climate.evaporation_mm_per_day):
        raise InputError(
            f"evaporation cannot be negative, got {climate.evaporation_mm_per_day}",
            file=file, record="climate", field="evaporation_mm_per_day",
        )
    return climate


def _check_climate_scenarios(climate: Climate, *, folder: Path, file: Path) -> None:
    """Every name in ``[climate] scenarios`` must resolve (:func:`ecocity.climate.change.climate_scenario`)."""
    from ecocity.climate.change import climate_scenario

    for name in climate.scenarios:
        try:
            climate_scenario(name, folder=folder)
        except InputError as err:
            if err.file is not None and err.file != "climate_factors.toml":  # a scenario file's own error
                raise
            raise InputError(err.problem, file=file, record="climate", field="scenarios") from err


def _read_head(table: Mapping[str, Any], file: Path) -> tuple[str, str, pyproj.CRS]:
    head = _table(table, "district", DISTRICT_KEYS, file=file, required=True)
    for key in ("name", "crs"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise InputError(
                f"expected a non-empty text, got {head.get(key)!r}", file=file, record="district", field=key
            )
    try:
        crs = geo.parse_crs(head["crs"])
        geo.measurement(crs)
    except ValueError as err:
        raise InputError(str(err), file=file, record="district", field="crs") from err
    return head["name"], head["crs"], crs


def _table(
    table: Mapping[str, Any], name: str, allowed: Collection[str], *, file: Path, required: bool
) -> Mapping[str, Any]:
    if name not in table:
        if required:
            raise InputError(f"missing [{name}] table", file=file, record=name)
        return {}
    return _checked_table(table[name], allowed, file=file, record=name)


def _checked_table(raw: Any, allowed: Collection[str], *, file: Path, record: str) -> Mapping[str, Any]:
    table = require_table(raw, file=file, record=record)
    reject_unknown_keys(table, allowed, file=file, record=record)
    return table
