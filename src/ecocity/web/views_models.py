"""Response models of the comparison, plant and buildings API: they document ``/openapi.json``.

The scenario and comparison answers are typed field by field. The plant and building sections
are the results document's own (:mod:`ecocity.results`, ``ecocity.buildings.portfolio_run``),
long and area-specific: their main fields are named here and the rest pass through unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class IndicatorRecord(BaseModel):
    """One indicator of a scenario (``ecocity.indicators.records.Indicator``)."""

    name: str
    value: float | None = Field(description="In ``unit``; ratios as fractions [-]; None when not computed.")
    unit: str
    scope: str = "district"
    target: float | None = None
    passed: bool | None = Field(None, description="Whether the target is met; None without a target.")
    source: str = ""


class ScenarioOut(BaseModel):
    """A scenario of the latest results: its measures, district indicators and cost."""

    name: str
    description: str = ""
    run_id: str | None = None
    cached: bool = False
    measures: list[dict[str, Any]] = Field(default=[], description="lid, where, area_m2 [m²].")
    indicators: list[IndicatorRecord]
    cost: dict[str, Any] | None = Field(
        None, description="capital_yuan_low/mid/high [yuan], per_m3_retained_yuan, by_lid.")


class ScenariosOut(BaseModel):
    """``/api/districts/{name}/scenarios``."""

    district: str | None = None
    targets: dict[str, Any] = Field(default={}, description="The district's targets (capture_ratio [-], ...).")
    scenarios: list[ScenarioOut]


class SideOut(BaseModel):
    """An indicator's value in one of the two scenarios compared."""

    value: float | None
    passed: bool | None


class CompareRow(BaseModel):
    """One district indicator of scenarios a and b."""

    name: str
    unit: str
    target: float | None
    direction: Literal[">=", "<="] | None = Field(description="'>=': higher is better; '<=': lower is better.")
    a: SideOut
    b: SideOut
    difference: float | None = Field(description="b − a, in ``unit``.")
    relative: float | None = Field(description="(b − a)/|a| [-]; None when a is 0 or missing.")
    better: bool | None = Field(description="b better than a by ``direction``; None without one or when equal.")
    change: Literal["now_meets", "no_longer_meets", "both_meet", "neither_meets", "no_target"]


class CompareOut(BaseModel):
    """``/api/districts/{name}/compare?a=&b=``."""

    a: str
    b: str
    rows: list[CompareRow]
    capital_yuan_mid: dict[str, float | None] = Field(description="Mid capital cost of a and b. [yuan]")


class PlantOut(BaseModel):
    """``/api/districts/{name}/plant``: the plant section of the results (units in the key names)."""

    model_config = ConfigDict(extra="allow")

    plant: str = Field(description="bsm1, bsm2 or a plant file's name.")
    influent: str | None = None
    control: str | None = None
    mode: str | None = Field(None, description="steady_state or dynamic.")
    window_d: list[float] | None = Field(None, description="Evaluation window. [d]")
    options: dict[str, Any] | None = Field(None, description="BSM2 planner options and their label.")
    effluent: dict[str, Any] = Field(default={}, description="Flow-weighted effluent means. [g/m³]")
    evaluation: dict[str, Any] = Field(default={}, description="BSM criteria (EQI [kg PU/d], OCI, energies [kWh/d]).")
    compliance: list[dict[str, Any]] = Field(default=[], description="Per standard: status and a check per parameter.")
    energy: dict[str, Any] | None = Field(None, description="Energy balance [kWh/d] and self-sufficiency [-].")
    ghg: dict[str, Any] | None = Field(None, description="Emissions by source [kg CO₂e/d, t CO₂e/yr] and net.")
    run_id: str | None = None


class PortfolioOut(BaseModel):
    """``/api/districts/{name}/buildings``: the portfolio in rank order."""

    model_config = ConfigDict(extra="allow")

    portfolio: str | None = None
    n_buildings: int
    n_matching: int = Field(description="Buildings matching the city and type filters (before offset and limit).")
    offset: int = 0
    year: int | None = None
    synthetic: bool = False
    buildings: list[dict[str, Any]] = Field(description="building_id, rank, eui_kwh_per_m2 [kWh/(m²·a)], benchmark, "
                                                        "flags, potential (kwh, money, t_co2 per year), quota, "
                                                        "savings (without the daily series).")


class BuildingOut(BaseModel):
    """``/api/districts/{name}/buildings/{id}``: a building's portfolio row with its savings."""

    model_config = ConfigDict(extra="allow")

    building_id: str
    name: str | None = None
    rank: int | None = None
    baseline: dict[str, Any] | None = Field(
        None, description="model_type, balance points [°C], r_squared, cvrmse, nmbe.")
    savings: dict[str, Any] | None = Field(None, description="avoided_kwh, fraction, band90_kwh [kWh], daily.")
    baseline_detail: dict[str, Any] | None = Field(
        None, description="With ?detail=true: the refitted CalTRACK model, coefficients and G14 limits.")
    baseline_detail_missing: str | None = Field(None, description="Why baseline_detail could not be computed.")
