"""The shared domain model: District, Subcatchment, Scenario, Measure, Targets.

Thin, validated containers (pydantic, frozen). They hold what a planner wrote in the district
folder (see ``docs/district-format.md``) after units were converted to SI and defaults filled
in; they add no algorithms. Loading and the error messages that name the file live in
:mod:`ecocity.district.load`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ecocity.climate.storms import BEIJING_PEAK_RATIO
from ecocity.district.buildings import BuildingsLink
from ecocity.district.wastewater import WastewaterLink

DEFAULT_IDF = "beijing-classic-zone2"

LandCoverName = Literal["roof", "road", "paved", "green", "water"]
LAND_COVERS: tuple[LandCoverName, ...] = ("roof", "road", "paved", "green", "water")
IMPERVIOUS_COVERS: tuple[LandCoverName, ...] = ("roof", "road", "paved")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LandCover(_Frozen):
    """Fractions of a subcatchment's plan area by surface type. [-], summing to 1."""

    roof: float = Field(0.0, ge=0.0, le=1.0)
    road: float = Field(0.0, ge=0.0, le=1.0)
    paved: float = Field(0.0, ge=0.0, le=1.0)
    green: float = Field(0.0, ge=0.0, le=1.0)
    water: float = Field(0.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _sums_to_one(self) -> LandCover:
        total = sum(getattr(self, name) for name in LAND_COVERS)
        if abs(total - 1.0) > 0.005:
            raise ValueError(f"land-cover fractions sum to {total:.3f}, expected 1")
        return self

    @property
    def impervious(self) -> float:
        """Impervious fraction (roof + road + paved). [-]"""
        return self.roof + self.road + self.paved


class Subcatchment(_Frozen):
    """One subcatchment of the district.

    ``outlet`` is a node of the drainage network (a junction or outfall id) or another
    subcatchment's id. ``polygon`` holds the exterior ring as (x, y) pairs in the district's
    CRS, for maps; areas and widths are already in m² / m.
    """

    id: str = Field(min_length=1)
    area_m2: float = Field(gt=0.0)
    width_m: float = Field(gt=0.0)
    slope: float = Field(gt=0.0, le=1.0, description="Mean surface slope. [m/m]")
    soil: str = Field(description="Soil texture class (see stormwater soil table)")
    outlet: str = Field(min_length=1)
    land_cover: LandCover
    sub_area: str = Field("district", description="Drainage sub-area the subcatchment belongs to")
    polygon: tuple[tuple[float, float], ...] = ()


class Targets(_Frozen):
    """The district's planning targets (GB/T 51345-2018 style)."""

    capture_ratio: float = Field(0.85, gt=0.0, le=1.0, description="Annual runoff volume capture ratio. [-]")
    tss_reduction: float | None = Field(None, gt=0.0, le=1.0, description="Annual TSS load reduction. [-]")
    pipe_return_period_yr: float = Field(3.0, gt=0.0, description="Design storm for pipes. [yr]")
    waterlogging_return_period_yr: float = Field(50.0, gt=0.0, description="Waterlogging design storm. [yr]")
    design_storm_return_periods_yr: tuple[float, ...] = Field((2.0, 5.0), min_length=1)
    design_storm_duration_min: float = Field(120.0, gt=0.0)
    design_storm_step_min: float = Field(5.0, gt=0.0)

    @model_validator(mode="after")
    def _storms(self) -> Targets:
        if any(not p > 0.0 for p in self.design_storm_return_periods_yr):
            raise ValueError(f"design_storm_return_periods_yr must be positive, got {self.design_storm_return_periods_yr}")
        steps = self.design_storm_duration_min / self.design_storm_step_min
        if abs(steps - round(steps)) > 1e-9:
            raise ValueError(
                f"design_storm_step_min {self.design_storm_step_min:g} must divide "
                f"design_storm_duration_min {self.design_storm_duration_min:g}"
            )
        return self


class Climate(_Frozen):
    """Which climate data drive the district."""

    rainfall: Path = Field(description="Rainfall series file (CSV or Parquet), resolved to an absolute path")
    rainfall_unit: Literal["mm", "mm/h"] | None = Field(
        None, description="Unit of the rainfall file's value column; None infers it from the column name"
    )
    idf: str = Field(DEFAULT_IDF, description="Storm-intensity parameter set: a name, or 'A,C,b,n'")
    peak_ratio: float = Field(BEIJING_PEAK_RATIO, gt=0.0, lt=1.0, description="Chicago storm peak position. [-]")
    evaporation_mm_per_day: tuple[float, ...] = Field(
        # Hargreaves reference evapotranspiration (FAO-56 eq. 52) from Beijing's 1971-2000
        # monthly temperature normals (CMA, one secondary source: S1), computed by
        # ecocity.climate.evaporation.beijing_monthly_evaporation_mm_per_day(). Replace with
        # local data for other cities.
        default=(0.65, 1.09, 2.04, 3.66, 4.93, 5.61, 5.05, 4.42, 3.55, 2.21, 1.11, 0.66),
        description="Monthly mean potential evaporation, January first. [mm/d]",
    )
    scenarios: tuple[str, ...] = Field(
        (), exclude=True,  # not an input of today's runs: kept out of their hash
        description="Climate scenarios assessed besides today: shipped names, 'user:<factor>' or .toml files",
    )  # fmt: skip


Placement = Literal["roof", "road", "paved", "green", "impervious"]


class Measure(_Frozen):
    """One line of a scenario: an LID type from the catalogue, where, and how big.

    Where: ``subcatchments`` (ids; empty means every subcatchment), optionally narrowed to
    those whose ``sub_area`` is listed.
    Size, exactly one of:

    - ``area_m2``: LID area in each chosen subcatchment. [m²]
    - ``share_of_cover``: share of the ``on`` land cover converted to the LID (e.g. 0.4 of
      roofs become green roofs). [-]
    - ``treated_share``: share of the subcatchment's impervious area whose runoff is routed
      to the LID, whose area is then ``surface_ratio`` × treated area. [-]
    """

    lid: str = Field(min_length=1, description="LID type name in the catalogue")
    subcatchments: tuple[str, ...] = ()
    sub_areas: tuple[str, ...] = ()
    on: Placement = Field("green", description="Surface the LID is built on")
    area_m2: float | None = Field(None, gt=0.0)
    share_of_cover: float | None = Field(None, gt=0.0, le=1.0)
    treated_share: float | None = Field(None, gt=0.0, le=1.0)
    surface_ratio: float = Field(0.08, gt=0.0, le=1.0)
    design: dict[str, float] = Field(default_factory=dict, description="Design overrides (layer.parameter = value)")

    @model_validator(mode="after")
    def _one_size(self) -> Measure:
        given = [n for n in ("area_m2", "share_of_cover", "treated_share") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one size: area_m2, share_of_cover or treated_share"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Scenario(_Frozen):
    """A named list of measures. The baseline is the scenario without measures."""

    name: str = Field(min_length=1)
    description: str = ""
    measures: tuple[Measure, ...] = ()


BASELINE = Scenario(name="baseline", description="The district as it is, without LID measures")


class District(_Frozen):
    """A district: its land, its drainage, its climate, its targets and its scenarios."""

    name: str = Field(min_length=1)
    folder: Path
    crs: str
    climate: Climate
    targets: Targets
    subcatchments: tuple[Subcatchment, ...] = Field(min_length=1)
    network_inp: Path | None = None
    scenarios: tuple[Scenario, ...] = ()
    wastewater: WastewaterLink | None = Field(None, description="The plant treating its wastewater (wastewater.toml)")
    buildings: BuildingsLink | None = Field(None, description="Its building portfolio (buildings.toml)")

    def scenario(self, name: str) -> Scenario:
        """The scenario called ``name`` (``baseline`` is always there)."""
        if name == BASELINE.name:
            return BASELINE
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        known = ", ".join([BASELINE.name, *(s.name for s in self.scenarios)])
        raise KeyError(f"no scenario {name!r}; known: {known}")

    @property
    def area_m2(self) -> float:
        """Total plan area of the subcatchments. [m²]"""
        return sum(s.area_m2 for s in self.subcatchments)
