"""The LID catalogue, soil table and surface table: cited parameter data as frozen models.

The data live in ``stormwater/data/*.toml``, every value with its source and confidence (see
the files' headers). This module only loads and validates them; it adds no hydrology.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ecocity.errors import InputError

_DATA = resources.files("ecocity.stormwater") / "data"
CATALOGUE_FILE = "lid_catalogue.toml"
SOILS_FILE = "soils.toml"
SURFACES_FILE = "surfaces.toml"

Confidence = Literal["verified", "secondary", "judgement"]
SwmmLidType = Literal["BC", "RG", "GR", "IT", "PP", "RB", "VS", "RD"]

# SWMM 5.2 [LID_CONTROLS] layer lines: our parameter names in SWMM's column order, each with
# the value written when a design leaves it out (None: the layer needs it).
LAYER_FIELDS: dict[str, tuple[tuple[str, float | None], ...]] = {
    "surface": (
        ("berm_height_mm", None),
        ("vegetation_fraction", 0.0),
        ("roughness_n", 0.1),
        ("slope_pct", 1.0),
        ("side_slope", 5.0),
    ),
    "pavement": (
        ("thickness_mm", None),
        ("void_ratio", None),
        ("impervious_fraction", 0.0),
        ("permeability_mm_per_h", None),
        ("clogging_factor", 0.0),
    ),
    "soil": (
        ("thickness_mm", None),
        ("porosity", None),
        ("field_capacity", None),
        ("wilting_point", None),
        ("ksat_mm_per_h", None),
        ("conductivity_slope", None),
        ("suction_mm", None),
    ),
    "storage": (
        ("height_mm", None),
        ("void_ratio", None),
        ("seepage_mm_per_h", None),
        ("clogging_factor", 0.0),
        ("covered", 0.0),
    ),
    "drain": (
        ("coefficient", None),
        ("exponent", 0.5),
        ("offset_mm", 0.0),
        ("delay_h", 0.0),
    ),
    "drainmat": (
        ("thickness_mm", None),
        ("void_fraction", None),
        ("roughness_n", None),
    ),
}
NATIVE = "native"  # storage seepage equal to the Ksat of the subcatchment's soil


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Parameter(_Frozen):
    """One LID layer parameter. ``value`` None means "the native soil's Ksat" (seepage)."""

    value: float | None
    source: str
    confidence: Confidence


class UnitCost(_Frozen):
    """A construction unit-cost range (Technical Guide 2014, Table F3-1)."""

    low: float = Field(ge=0.0)
    high: float = Field(ge=0.0)
    unit: Literal["yuan/m2", "yuan/m3", "yuan/m"]
    row: str


class LidDesign(_Frozen):
    """An LID design: SWMM type, layer parameters (SI), placement, SS removal, unit cost.

    ``layers`` maps a SWMM layer (``surface``, ``soil``, ``storage``, ``drain``, ``pavement``,
    ``drainmat``) to its parameters. ``ss_removal`` is the midpoint of the Guide's range. [-]
    """

    name: str
    swmm_type: SwmmLidType
    description: str
    default_on: str
    allowed_on: tuple[str, ...]
    outflow_to_pervious: bool = False
    layers: dict[str, dict[str, Parameter]]
    ss_removal_range: tuple[float, float] | None = None
    ss_removal_row: str | None = None
    ss_removal_note: str | None = None
    cost: UnitCost | None = None
    cost_note: str | None = None

    @property
    def ss_removal(self) -> float | None:
        """Midpoint of the Guide's SS removal range, or None where the Guide gives none. [-]"""
        if self.ss_removal_range is None:
            return None
        return round(sum(self.ss_removal_range) / 2.0, 6)

    def value(self, layer: str, parameter: str) -> float | None:
        """A layer parameter's value, the layer default where the design leaves it out."""
        given = self.layers[layer].get(parameter)
        if given is not None:
            return given.value
        return dict(LAYER_FIELDS[layer])[parameter]

    def with_overrides(self, overrides: dict[str, float], *, where: str = "") -> LidDesign:
        """A copy with ``{"layer.parameter": value}`` overrides applied.

        Raises
        ------
        InputError
            For an unknown layer, a layer this LID type does not have, or an unknown parameter.
        """
        layers = {name: dict(params) for name, params in self.layers.items()}
        for key, value in overrides.items():
            layer, _, parameter = key.partition(".")
            if layer not in LAYER_FIELDS or not parameter:
                raise InputError(
                    f"unknown design override {key!r}; write 'layer.parameter' with a layer of "
                    f"{', '.join(sorted(self.layers))}",
                    file=where or None,
                    field="design",
                )
            if layer not in layers:
                raise InputError(
                    f"{self.name} ({self.swmm_type}) has no {layer!r} layer; its layers are "
                    f"{', '.join(sorted(self.layers))}",
                    file=where or None,
                    field=f"design.{key}",
                )
            known = [name for name, _ in LAYER_FIELDS[layer]]
            if parameter not in known:
                raise InputError(
                    f"unknown {layer} parameter {parameter!r}; known: {', '.join(known)}",
                    file=where or None,
                    field=f"design.{key}",
                )
            layers[layer][parameter] = Parameter(
                value=float(value), source="design override", confidence="judgement"
            )
        return self.model_copy(update={"layers": layers})


class Soil(_Frozen):
    """Green-Ampt parameters of a soil texture class (Rawls et al. 1983)."""

    name: str
    ksat_mm_per_h: float = Field(gt=0.0)
    suction_mm: float = Field(gt=0.0)
    porosity: float = Field(gt=0.0, lt=1.0)
    field_capacity: float = Field(gt=0.0, lt=1.0)
    wilting_point: float = Field(gt=0.0, lt=1.0)

    @property
    def initial_deficit(self) -> float:
        """Initial moisture deficit, soil at field capacity: porosity − field capacity. [-]"""
        return self.porosity - self.field_capacity


class Surface(_Frozen):
    """Overland-flow parameters of a land cover (SWMM manual Tables A.5, A.6)."""

    name: str
    manning_n: float = Field(gt=0.0)
    depression_storage_mm: float = Field(ge=0.0)


def _read(name: str) -> dict:
    with (_DATA / name).open("rb") as handle:
        return tomllib.load(handle)


@cache
def _catalogue() -> dict[str, LidDesign]:
    raw = _read(CATALOGUE_FILE)["lid"]
    designs = {}
    for name, entry in raw.items():
        layers = {}
        meta = {}
        for key, value in entry.items():
            if key in LAYER_FIELDS:
                layers[key] = {
                    p: Parameter(
                        value=None if spec["value"] == NATIVE else float(spec["value"]),
                        source=spec["source"],
                        confidence=spec["confidence"],
                    )
                    for p, spec in value.items()
                }
            else:
                meta[key] = value
        designs[name] = LidDesign(name=name, layers=layers, **meta)
    return designs


def lid_type_names() -> tuple[str, ...]:
    """Names of the LID designs in the catalogue, in file order."""
    return tuple(_catalogue())


def load_lid(name: str, overrides: dict[str, float] | None = None, *, where: str = "") -> LidDesign:
    """The catalogue's LID design called ``name``, with optional ``layer.parameter`` overrides.

    Raises
    ------
    InputError
        For an unknown name (listing the known ones) or a bad override.
    """
    designs = _catalogue()
    if name not in designs:
        raise InputError(
            f"unknown LID type {name!r}; known: {', '.join(designs)}", file=where or None, field="lid"
        )
    design = designs[name]
    return design.with_overrides(overrides, where=where) if overrides else design


@cache
def _soils() -> dict[str, Soil]:
    return {name: Soil(name=name, **values) for name, values in _read(SOILS_FILE)["soil"].items()}


def soil_names() -> tuple[str, ...]:
    """Soil texture classes in the table."""
    return tuple(_soils())


def load_soil(name: str, *, where: str = "") -> Soil:
    """Green-Ampt parameters of soil texture class ``name`` (e.g. ``"silt_loam"``).

    Raises
    ------
    InputError
        For an unknown class, listing the known classes.
    """
    soils = _soils()
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in soils:
        raise InputError(
            f"unknown soil class {name!r}; known: {', '.join(soils)}", file=where or None, field="soil"
        )
    return soils[key]


@cache
def load_surfaces() -> tuple[dict[str, Surface], float]:
    """Overland-flow parameters per land cover, and the hard surfaces' zero-storage share [-]."""
    raw = _read(SURFACES_FILE)
    surfaces = {
        name: Surface(name=name, manning_n=v["manning_n"], depression_storage_mm=v["depression_storage_mm"])
        for name, v in raw["cover"].items()
    }
    return surfaces, float(raw["hard_zero_storage_share"])
