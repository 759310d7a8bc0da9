"""Writing a :class:`District` as a district folder that :func:`load_district` reads back.

Used to save a district built elsewhere (e.g. imported from a SWMM model). The folder is
self-contained: the rainfall file and ``network.inp`` are copied into it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ecocity.district.load import DISTRICT_FILE, NETWORK_FILE, SCENARIOS_FOLDER, SUBCATCHMENTS_FILE
from ecocity.district.model import LAND_COVERS, Climate, District, Measure, Scenario, Subcatchment, Targets
from ecocity.errors import InputError


def write_district(district: District, folder: str | Path) -> Path:
    """Write ``district`` into ``folder`` (created; it must not exist or be empty).

    Writes ``district.toml``, ``subcatchments.geojson``, ``scenarios/<name>.toml``, and copies
    the rainfall file and ``network.inp`` (if any) into the folder. Areas and widths are written
    explicitly, so ``load_district(folder)`` equals ``district`` with ``folder``,
    ``climate.rainfall`` and ``network_inp`` pointing into the new folder.

    Returns
    -------
    Path
        The folder, resolved.

    Raises
    ------
    InputError
        If the folder already holds files, or the rainfall or network file cannot be read.
    """
    folder = Path(folder).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError("will not write a district into a folder that is not empty", file=folder)
    folder.mkdir(parents=True, exist_ok=True)
    rainfall_name = district.climate.rainfall.name
    if rainfall_name in (DISTRICT_FILE, SUBCATCHMENTS_FILE, NETWORK_FILE):
        rainfall_name = f"rainfall{district.climate.rainfall.suffix}"
    _copy(district.climate.rainfall, folder / rainfall_name)
    if district.network_inp is not None:
        _copy(district.network_inp, folder / NETWORK_FILE)
    (folder / DISTRICT_FILE).write_text(district_toml(district, rainfall_name), encoding="utf-8")
    (folder / SUBCATCHMENTS_FILE).write_text(subcatchments_geojson(district.subcatchments), encoding="utf-8")
    if district.scenarios:
        (folder / SCENARIOS_FOLDER).mkdir()
        for stem, scenario in zip(_file_stems(s.name for s in district.scenarios), district.scenarios, strict=True):
            (folder / SCENARIOS_FOLDER / f"{stem}.toml").write_text(scenario_toml(scenario), encoding="utf-8")
    return folder


def district_toml(district: District, rainfall: str) -> str:
    """The text of ``district.toml``; ``rainfall``: the rainfall path relative to the folder."""
    climate = {**_non_default(district.climate, Climate), "rainfall": rainfall}
    return "".join([
        _toml_table("district", {"name": district.name, "crs": district.crs}),
        "\n", _toml_table("climate", climate),
        "\n", _toml_table("targets", _non_default(district.targets, Targets)),
    ])


def subcatchments_geojson(subcatchments: Iterable[Subcatchment]) -> str:
    """The text of ``subcatchments.geojson``, one feature per line; null geometry without a polygon."""
    features = [json.dumps(_feature(s), ensure_ascii=False) for s in subcatchments]
    return '{\n  "type": "FeatureCollection",\n  "features": [\n    ' + ",\n    ".join(features) + "\n  ]\n}\n"


def scenario_toml(scenario: Scenario) -> str:
    """The text of a scenario file, its measures as ``[[measure]]`` tables."""
    text = _toml_pairs({"name": scenario.name, "description": scenario.description})
    for measure in scenario.measures:
        text += "\n[[measure]]\n" + _toml_pairs(_non_default(measure, Measure))
    return text


def percent_of(fraction: float) -> float:
    """``fraction`` × 100, as the float p with p / 100 == ``fraction`` when there is one.

    The loader reads a slope as ``slope_percent / 100``; every slope read from a file (or from
    SWMM's %Slope) is such a quotient, and this finds its percentage again, so the slope round
    trips exactly. A fraction that is no float's hundredth (about one in five arbitrary floats)
    gets the nearest percentage: 1 ulp off after reading back.
    """
    percent = fraction * 100.0
    candidates = [percent]
    for direction in (math.inf, -math.inf):
        step = percent
        for _ in range(3):
            step = math.nextafter(step, direction)
            candidates.append(step)
    return next((c for c in candidates if c / 100.0 == fraction), percent)


def _feature(subcatchment: Subcatchment) -> dict[str, Any]:
    cover = {name: getattr(subcatchment.land_cover, name) for name in LAND_COVERS}
    properties = {
        "id": subcatchment.id,
        **{name: value for name, value in cover.items() if value},
        "slope_percent": percent_of(subcatchment.slope),
        "soil": subcatchment.soil,
        "outlet": subcatchment.outlet,
        "area_m2": subcatchment.area_m2,
        "width_m": subcatchment.width_m,
        "sub_area": subcatchment.sub_area,
    }
    geometry = (
        {"type": "Polygon", "coordinates": [[list(xy) for xy in subcatchment.polygon]]}
        if subcatchment.polygon
        else None
    )
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _non_default(model: Any, kind: type) -> dict[str, Any]:
    return {
        name: getattr(model, name)
        for name, info in kind.model_fields.items()
        if getattr(model, name) != info.get_default(call_default_factory=True)
    }


def _toml_table(name: str, pairs: Mapping[str, Any]) -> str:
    return f"[{name}]\n" + _toml_pairs(pairs)


def _toml_pairs(pairs: Mapping[str, Any]) -> str:
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in pairs.items())


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, int | float):
        return repr(float(value))
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Iterable):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _file_stems(names: Iterable[str]) -> list[str]:
    """Safe file stems for scenario names (each file also states its name).

    The loader reads scenario files in file-name order; when the cleaned names would not sort
    in the district's order, or would clash, they are numbered ``01-``, ``02-``, ...
    """
    stems = [re.sub(r"[^\w.-]+", "-", name).strip(".-") or "scenario" for name in names]
    files = [f"{stem}.toml" for stem in stems]
    if files != sorted(files) or len({f.lower() for f in files}) < len(files):
        stems = [f"{index:02d}-{stem}" for index, stem in enumerate(stems, start=1)]
    return stems


def _copy(source: Path, target: Path) -> None:
    try:
        shutil.copyfile(source, target)
    except OSError as err:
        raise InputError(f"cannot copy the file into the district folder ({err})", file=source) from err
