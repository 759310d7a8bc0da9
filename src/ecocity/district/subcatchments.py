"""Reading ``subcatchments.geojson`` into :class:`Subcatchment` records.

See ``docs/district-format.md`` for the properties. Land cover comes either as fractions
(``roof``, ``road``, ``paved``, ``green``, ``water``) or as ``imperviousness``, whose impervious
share counts as ``paved`` and the rest as ``green``. Area and width are derived from the
geometry when not given (:mod:`ecocity.district.geometry`).
"""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Any

import pyproj
import shapely.errors
import shapely.geometry

from ecocity.district import geometry as geo
from ecocity.district.files import read_text, validated
from ecocity.district.model import LAND_COVERS, LandCover, Subcatchment
from ecocity.errors import InputError

FILE_NAME = "subcatchments.geojson"
PROPERTIES = frozenset(
    {"id", *LAND_COVERS, "imperviousness", "slope_percent", "soil", "outlet", "area_m2", "width_m", "sub_area"}
)
SUBCATCHMENT_FIELDS = {"slope": "slope_percent"}  # model field -> file property


def read_subcatchments(path: Path, crs: pyproj.CRS) -> tuple[Subcatchment, ...]:
    """The subcatchments of a GeoJSON FeatureCollection whose coordinates are in ``crs``.

    Raises
    ------
    InputError
        Naming the file, the feature (its ``id``, or ``feature[i]`` before the id is known)
        and the property: missing or unreadable file, a feature that is not a (multi)polygon
        or whose geometry is invalid, a missing or wrong property, duplicate ids.
    """
    collection = _read_json(path)
    features = collection.get("features") if isinstance(collection, dict) else None
    if (
        not (isinstance(collection, dict) and collection.get("type") == "FeatureCollection")
        or not isinstance(features, list)
    ):
        raise InputError("expected a GeoJSON FeatureCollection with a 'features' array", file=path)
    if not features:
        raise InputError(
            "the FeatureCollection has no features; a district needs at least one subcatchment", file=path
        )
    subcatchments: list[Subcatchment] = []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        subcatchment = subcatchment_from_feature(feature, crs, file=path, index=index)
        if subcatchment.id in seen:
            raise InputError("duplicate subcatchment id", file=path, record=subcatchment.id, field="id")
        seen.add(subcatchment.id)
        subcatchments.append(subcatchment)
    return tuple(subcatchments)


def subcatchment_from_feature(feature: Any, crs: pyproj.CRS, *, file: Path, index: int) -> Subcatchment:
    """One GeoJSON feature as a Subcatchment (``index``: its position, to name it before its id)."""
    record = f"feature[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError("expected a GeoJSON Feature object", file=file, record=record)
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise InputError("the feature has no properties object", file=file, record=record, field="properties")
    record = _name(props, "id", file=file, record=record)
    for key in props:
        near = difflib.get_close_matches(key, PROPERTIES, n=1, cutoff=0.8) if key not in PROPERTIES else []
        if near:
            raise InputError(
                f"unknown property, did you mean {near[0]!r}? (other GIS attributes are kept out of the "
                f"model; ecocity reads: {', '.join(sorted(PROPERTIES))})",
                file=file, record=record, field=key,
            )
    given = {key: props[key] for key in ("area_m2", "width_m") if props.get(key) is not None}
    for key, value in given.items():
        _number(value, file=file, record=record, field=key)
    shape = _geometry(feature.get("geometry"), crs, file=file, record=record, needs=set(given))
    slope_percent = _number(_required(props, "slope_percent", file=file, record=record),
                            file=file, record=record, field="slope_percent")
    if not 0.0 < slope_percent <= 100.0:
        raise InputError(f"expected a slope in % in (0, 100], got {slope_percent!r}",
                         file=file, record=record, field="slope_percent")
    data: dict[str, Any] = {
        "id": record,
        "area_m2": given.get("area_m2", geo.plan_area_m2(shape, crs) if shape is not None else None),
        "width_m": given.get("width_m", geo.characteristic_width_m(shape, crs) if shape is not None else None),
        "slope": slope_percent / 100.0,
        "soil": _required(props, "soil", file=file, record=record),
        "outlet": _name(props, "outlet", file=file, record=record),
        "land_cover": land_cover_from_properties(props, file=file, record=record),
        "polygon": geo.outline(shape, crs) if shape is not None else (),
    }
    if "sub_area" in props:
        data["sub_area"] = props["sub_area"]
    if isinstance(data["soil"], str) and not data["soil"].strip():
        raise InputError(
            "expected a soil texture class name, got an empty string", file=file, record=record, field="soil"
        )
    return validated(Subcatchment, data, file=file, record=record, field_names=SUBCATCHMENT_FIELDS)


def land_cover_from_properties(props: dict[str, Any], *, file: Path, record: str) -> LandCover:
    """Land cover from fractions, or from ``imperviousness`` (impervious → paved, rest → green)."""
    fractions = {name: props[name] for name in LAND_COVERS if name in props}
    if "imperviousness" in props:
        if fractions:
            raise InputError(
                f"give land cover either as fractions or as imperviousness, not both (got {', '.join(fractions)})",
                file=file, record=record, field="imperviousness",
            )
        share = _number(props["imperviousness"], file=file, record=record, field="imperviousness")
        if not 0.0 <= share <= 1.0:
            raise InputError(
                f"expected a fraction in [0, 1], got {share!r}", file=file, record=record, field="imperviousness"
            )
        fractions = {"paved": share, "green": 1.0 - share}
    elif not fractions:
        raise InputError(
            "no land cover: give fractions roof, road, paved, green, water (summing to 1) or imperviousness",
            file=file, record=record, field="land cover",
        )
    for name, value in fractions.items():
        _number(value, file=file, record=record, field=name)
    return validated(LandCover, fractions, file=file, record=record, whole_field="+".join(fractions))


def _read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise InputError(
            f"JSON syntax error: {err.msg} at line {err.lineno} column {err.colno}", file=path
        ) from err
    except ValueError as err:
        raise InputError(str(err), file=path) from err


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number GeoJSON allows")


def _geometry(raw: Any, crs: pyproj.CRS, *, file: Path, record: str, needs: set[str]) -> Any:
    """The feature's shapely geometry; None only when it is null and area and width are given."""
    if raw is None:
        if needs == {"area_m2", "width_m"}:
            return None
        raise InputError("no geometry: give a Polygon or MultiPolygon, or both area_m2 and width_m",
                         file=file, record=record, field="geometry")
    try:
        shape = shapely.geometry.shape(raw)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError) as err:
        raise InputError(f"unreadable geometry ({err})", file=file, record=record, field="geometry") from err
    problem = geo.geometry_problem(shape)
    if problem is None and geo.measurement(crs) == "geodesic":
        try:
            geo.check_geographic_range(shape)
        except ValueError as err:
            problem = str(err)
    if problem:
        raise InputError(problem, file=file, record=record, field="geometry")
    return shape


def _required(props: dict[str, Any], key: str, *, file: Path, record: str) -> Any:
    if props.get(key) is None:
        raise InputError("missing required property", file=file, record=record, field=key)
    return props[key]


def _name(props: dict[str, Any], key: str, *, file: Path, record: str) -> str:
    """A required id-like property: a non-empty string without spaces or ``;`` (SWMM separates
    fields by spaces and starts comments with ``;``); an integer is taken as its decimal text."""
    value = _required(props, key, file=file, record=record)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or any(c.isspace() or c == ";" for c in value):
        raise InputError(f"expected a non-empty name without spaces or ';', got {value!r}",
                         file=file, record=record, field=key)
    return value


def _number(value: Any, *, file: Path, record: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"expected a number, got {value!r}", file=file, record=record, field=field)
    return float(value)
