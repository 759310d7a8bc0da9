"""A district's subcatchments as GeoJSON in WGS84 (what Leaflet draws), with the latest
results' per-subcatchment indicators and measures in each feature's properties."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from ecocity.errors import InputError

SUBCATCHMENTS_FILE = "subcatchments.geojson"
WGS84 = CRS.from_epsg(4326)


def subcatchments_wgs84(folder: Path, district_crs: str) -> dict[str, Any]:
    """The district's ``subcatchments.geojson`` with coordinates in WGS84 (lon, lat)."""
    path = folder / SUBCATCHMENTS_FILE
    if not path.is_file():
        raise InputError("is missing", file=path)
    return copy.deepcopy(_read(str(path), path.stat().st_mtime_ns, district_crs))


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, district_crs: str) -> dict[str, Any]:
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"cannot be read as GeoJSON: {err}", file=path) from err
    named = (collection.get("crs") or {}).get("properties", {}).get("name")
    try:
        source = CRS.from_user_input(named or district_crs or "EPSG:4326")
    except CRSError as err:
        raise InputError(f"unknown coordinate reference system: {err}", file=path, field="crs") from err
    features = []
    transform = None if source == WGS84 else Transformer.from_crs(source, WGS84, always_xy=True)
    for feature in collection.get("features", []):
        geometry = feature.get("geometry") or {}
        features.append({
            "type": "Feature",
            "properties": dict(feature.get("properties") or {}),
            "geometry": {"type": geometry.get("type"),
                         "coordinates": _project(geometry.get("coordinates"), transform)},
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _project(coordinates: Any, transform: Transformer | None) -> Any:
    if not isinstance(coordinates, list) or not coordinates:
        return coordinates
    if isinstance(coordinates[0], int | float):
        if transform is None:
            return [float(coordinates[0]), float(coordinates[1])]
        x, y = transform.transform(float(coordinates[0]), float(coordinates[1]))
        return [round(x, 7), round(y, 7)]
    return [_project(item, transform) for item in coordinates]


def subcatchment_indicators(document: dict[str, Any] | None) -> dict[str, dict[str, dict[str, float | None]]]:
    """Per subcatchment id, per scenario, the indicators at that subcatchment: those of scope
    ``subcatchment:<id>``, and ``capture_ratio`` from ``subcatchment_capture_ratio``."""
    found: dict[str, dict[str, dict[str, float | None]]] = {}
    if not document:
        return found
    for scenario in document.get("scenarios", []):
        name = scenario.get("name", "")
        for sub_id, value in (scenario.get("subcatchment_capture_ratio") or {}).items():
            found.setdefault(sub_id, {}).setdefault(name, {})["capture_ratio"] = value
        for item in scenario.get("indicators", []):
            scope = str(item.get("scope", ""))
            if scope.startswith("subcatchment:"):
                sub_id = scope.split(":", 1)[1]
                found.setdefault(sub_id, {}).setdefault(name, {})[item["name"]] = item.get("value")
    return found


def map_indicator_names(document: dict[str, Any] | None) -> list[str]:
    """The indicators the map can colour subcatchments by."""
    names: list[str] = []
    for per_scenario in subcatchment_indicators(document).values():
        for values in per_scenario.values():
            names += [n for n in values if n not in names]
    return names


def district_geojson(folder: Path, district_crs: str, document: dict[str, Any] | None) -> dict[str, Any]:
    """Subcatchments in WGS84, each with ``indicators`` {scenario: {name: value}} and
    ``measures`` {scenario: [{lid, area_m2}]} from the results document."""
    collection = subcatchments_wgs84(folder, district_crs)
    values = subcatchment_indicators(document)
    measures = {s["id"]: s.get("lids", {}) for s in (document or {}).get("map", {}).get("subcatchments", [])}
    for feature in collection["features"]:
        sub_id = str(feature["properties"].get("id", ""))
        feature["properties"]["indicators"] = values.get(sub_id, {})
        feature["properties"]["measures"] = measures.get(sub_id, {})
    return collection
