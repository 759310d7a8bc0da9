"""Import an existing SWMM model's subcatchments and network; export a scenario as a SWMM model.

Import (documented in ``docs/methods/swmm.md``): land cover from %Imperv (impervious as
``paved``, the rest ``green``); soil class the texture class whose Ksat is nearest on a log
scale (Green-Ampt Ksat, or Horton's minimum rate, which tends to Ksat); the network (nodes,
links, curves, coordinates ...) kept as SWMM text for the district's ``network.inp``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from ecocity.district.model import District, LandCover, Scenario, Subcatchment
from ecocity.errors import InputError
from ecocity.stormwater.catalogue import soil_names, load_soil
from ecocity.stormwater.inp import Mode, build_inp, rain_file_text
from ecocity.stormwater.network import OWN_SECTIONS, network_from_text, parse_sections

_KSAT_COLUMN = {"GREEN_AMPT": 1, "MODIFIED_GREEN_AMPT": 1, "HORTON": 1, "MODIFIED_HORTON": 1}
_KSAT_FIELD = {"GREEN_AMPT": "Ksat", "MODIFIED_GREEN_AMPT": "Ksat", "HORTON": "MinRate", "MODIFIED_HORTON": "MinRate"}
_SUBCATCHMENT_NUMBERS = ("Area", "%Imperv", "Width", "%Slope")  # columns 4-7 of [SUBCATCHMENTS]
# Subcatchment model fields as SWMM names them, for errors on imported values.
_SWMM_FIELD = {"id": "Name", "area_m2": "Area", "width_m": "Width", "slope": "%Slope", "outlet": "Outlet",
               "land_cover": "%Imperv", "polygon": "POLYGONS", "soil": "INFILTRATION"}  # fmt: skip


@dataclass(frozen=True)
class ImportedModel:
    """What :func:`import_inp` read: subcatchments and the network as SWMM text.

    Save ``network_text`` as the district's ``network.inp`` and build a
    :class:`~ecocity.district.model.District` with ``subcatchments`` (e.g. for
    :func:`ecocity.district.write.write_district`).
    """

    subcatchments: tuple[Subcatchment, ...]
    network_text: str
    infiltration_method: str
    warnings: tuple[str, ...] = ()


def import_inp(path: str | Path) -> ImportedModel:
    """Read subcatchments and network from a SWMM 5 input file in SI units.

    A subcatchment without a [POLYGONS] outline is imported without one, with a warning
    (maps leave it out).

    Raises
    ------
    InputError
        Naming the file, subcatchment and field, for unreadable files, US units, missing
        subareas or infiltration, short lines, values that are not numbers or out of range.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise InputError(f"cannot read the SWMM input: {err}", file=path) from err
    network = network_from_text(text, where=str(path))  # rejects US units, needs an outfall
    sections = parse_sections(text)
    options = {p[0].upper(): p[1].upper() for p in (line.split() for line in sections.get("OPTIONS", [])) if len(p) > 1}
    method = options.get("INFILTRATION", "HORTON")
    infiltration = {p[0]: p[1:] for p in (line.split() for line in sections.get("INFILTRATION", []))}
    polygons: dict[str, list[tuple[float, float]]] = {}
    for line in sections.get("POLYGONS", []):
        parts = line.split()
        if len(parts) < 3:
            raise InputError("expected Subcatchment X-Coord Y-Coord", file=path, record=parts[0], field="POLYGONS")
        x, y = (_number(v, path, parts[0], f"POLYGONS {axis}") for v, axis in zip(parts[1:3], "XY"))
        polygons.setdefault(parts[0], []).append((x, y))
    notes = []
    if sections.get("LID_USAGE"):
        notes.append("the model's LID units were not imported; describe them as scenario measures")
    subs = []
    for line in sections.get("SUBCATCHMENTS", []):
        parts = line.split()
        if len(parts) < 7:
            raise InputError("expected Name Gage Outlet Area %Imperv Width %Slope", file=path, record=parts[0])
        name, outlet = parts[0], parts[2]
        area_ha, imperv_pct, width_m, slope_pct = (
            _number(v, path, name, field) for v, field in zip(parts[3:7], _SUBCATCHMENT_NUMBERS)
        )
        if not 0.0 <= imperv_pct <= 100.0:
            raise InputError(f"%Imperv {imperv_pct} outside 0-100", file=path, record=name, field="%Imperv")
        if not 0.0 < slope_pct <= 100.0:
            raise InputError(f"%Slope {slope_pct} must be in (0, 100]", file=path, record=name, field="%Slope")
        share = imperv_pct / 100.0
        soil = _soil_class(infiltration.get(name), method, path, name)
        try:
            sub = Subcatchment(
                id=name,
                area_m2=area_ha * 1e4,
                width_m=width_m,
                slope=slope_pct / 100.0,
                soil=soil,
                outlet=outlet,
                land_cover=LandCover(paved=share, green=1.0 - share),
                polygon=tuple(polygons.get(name, ())),
            )
        except ValidationError as err:
            first = err.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else None
            raise InputError(
                f"{first['msg']} (read {first.get('input')!r})", file=path, record=name, field=_SWMM_FIELD.get(field, field)
            ) from err
        subs.append(sub)
    if not subs:
        raise InputError("no [SUBCATCHMENTS] in the file", file=path, field="SUBCATCHMENTS")
    unoutlined = [sub.id for sub in subs if not sub.polygon]
    if unoutlined:
        shown = ", ".join(unoutlined[:5]) + (", ..." if len(unoutlined) > 5 else "")
        notes.append(f"{len(unoutlined)} of {len(subs)} subcatchments have no [POLYGONS] outline ({shown}); "
                     "maps leave them out")
    for note in notes:
        warnings.warn(f"{path}: {note}", stacklevel=2)
    network_text = _network_text(network.sections, options["FLOW_UNITS"])
    return ImportedModel(tuple(subs), network_text, method, tuple(notes))


def nearest_soil_class(ksat_mm_per_h: float) -> str:
    """The texture class whose Ksat is nearest to ``ksat_mm_per_h`` on a log scale."""
    if ksat_mm_per_h <= 0:
        raise InputError(f"Ksat must be positive, got {ksat_mm_per_h}", field="ksat_mm_per_h")
    return min(soil_names(), key=lambda n: abs(math.log(load_soil(n).ksat_mm_per_h / ksat_mm_per_h)))


def export_inp(
    district: District,
    scenario: Scenario,
    path: str | Path,
    rain_depth_mm: pd.Series,
    *,
    mode: Mode = "continuous",
) -> Path:
    """Write the scenario as a SWMM 5.2 model that the SWMM GUI opens and draws.

    The rain gauge file is written beside it as ``<stem>.rain.dat`` and named in the input
    without a folder, so the pair can be moved together.

    Returns
    -------
    Path
        The input file written.
    """
    path = Path(path)
    rain = path.with_name(f"{path.stem}.rain.dat")
    text = build_inp(district, scenario, rain_depth_mm, mode=mode, rain_file=Path(rain.name))
    # The GUI keeps object tables for browsing: report every subcatchment and node there.
    text = text.replace("SUBCATCHMENTS NONE", "SUBCATCHMENTS ALL")
    rain.write_text(rain_file_text(rain_depth_mm), encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return path


def _soil_class(values: list[str] | None, method: str, path: Path, name: str) -> str:
    if values is None:
        raise InputError("no [INFILTRATION] line for the subcatchment", file=path, record=name, field="INFILTRATION")
    if method not in _KSAT_COLUMN or len(values) <= _KSAT_COLUMN[method]:
        raise InputError(
            f"infiltration method {method} cannot be mapped to a soil texture class; "
            "use GREEN_AMPT or HORTON, or set the soil by hand",
            file=path,
            record=name,
            field="INFILTRATION",
        )
    field = _KSAT_FIELD[method]
    ksat_mm_per_h = _number(values[_KSAT_COLUMN[method]], path, name, field)
    if ksat_mm_per_h <= 0:
        raise InputError(f"must be positive, got {ksat_mm_per_h:g}", file=path, record=name, field=field)
    return nearest_soil_class(ksat_mm_per_h)


def _number(text: str, path: Path, record: str, field: str) -> float:
    """A finite number read from a SWMM input field."""
    try:
        value = float(text)
    except ValueError as err:
        raise InputError(f"expected a number, got {text!r}", file=path, record=record, field=field) from err
    if not math.isfinite(value):
        raise InputError(f"expected a finite number, got {text!r}", file=path, record=record, field=field)
    return value


def _network_text(sections: dict[str, list[str]], flow_units: str) -> str:
    """The network as SWMM text, with the source's FLOW_UNITS (required to read it back)."""
    kept = {"OPTIONS": [f"FLOW_UNITS {flow_units}"]}
    kept.update((name, lines) for name, lines in sections.items() if name not in OWN_SECTIONS)
    return "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in kept.items())
