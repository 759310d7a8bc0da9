"""LID placement: a scenario's measures as LID units per subcatchment, and the corrected surface.

SWMM takes an LID unit's area out of its subcatchment and applies the subcatchment's %Imperv
(and width) to the remainder only. So an LID built *on* a land cover must take its area out of
that cover, and the remainder's imperviousness must be recomputed from what is left: a green
roof replacing roof lowers the impervious area by its own area and leaves the green area as it
was. The derivation is in ``docs/methods/swmm.md`` ("LID placement").

Pure functions over the district containers; no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ecocity.district.model import IMPERVIOUS_COVERS, LAND_COVERS, District, Measure, Scenario, Subcatchment
from ecocity.errors import InputError
from ecocity.stormwater.catalogue import LidDesign, load_lid, load_soil

SWALE_BED_WIDTH_M = 0.6  # bottom width of a grassed swale (engineering judgement)


def swale_top_width_m(design: LidDesign) -> float:
    """Top width of a trapezoidal swale: bed + 2 × side slope (run/rise) × depth. [m]

    With the catalogue's design (depth 300 mm, side slope 4) it is 0.6 + 2·4·0.3 = 3.0 m; design
    overrides of ``surface.berm_height_mm`` or ``surface.side_slope`` change it.
    """
    depth_m = (design.value("surface", "berm_height_mm") or 0.0) / 1000.0
    return SWALE_BED_WIDTH_M + 2.0 * (design.value("surface", "side_slope") or 0.0) * depth_m
_TOLERANCE_M2 = 1e-6


@dataclass(frozen=True)
class LidControl:
    """One SWMM LID control: a design, with the seepage rate resolved. [mm/h]"""

    name: str
    design: LidDesign
    seepage_mm_per_h: float | None


@dataclass(frozen=True)
class LidUnit:
    """One LID unit in one subcatchment (one row of SWMM's [LID_USAGE]).

    ``from_impervious_pct`` is the share of the remaining impervious area's runoff routed onto
    the unit [%]; ``on`` the land cover it replaced ("impervious": roof, road and paved in
    proportion).
    """

    subcatchment: str
    measure_index: int
    lid: str
    control: str
    on: str
    area_m2: float
    width_m: float
    from_impervious_pct: float
    to_pervious: bool


@dataclass(frozen=True)
class PlacedSubcatchment:
    """A subcatchment after LID placement.

    ``cover_area_m2`` is the plan area left to each land cover outside the LID units. [m²]
    """

    subcatchment: Subcatchment
    cover_area_m2: dict[str, float]
    units: tuple[LidUnit, ...] = ()

    @property
    def lid_area_m2(self) -> float:
        """Area of all LID units. [m²]"""
        return sum(u.area_m2 for u in self.units)

    @property
    def remaining_area_m2(self) -> float:
        """Area outside the LID units, to which SWMM applies %Imperv. [m²]"""
        return sum(self.cover_area_m2.values())

    @property
    def impervious_area_m2(self) -> float:
        """SWMM impervious area outside the LID units: roof + road + paved + water. [m²]"""
        return sum(self.cover_area_m2[c] for c in (*IMPERVIOUS_COVERS, "water"))

    @property
    def impervious_pct(self) -> float:
        """SWMM %Imperv: impervious share of the area outside the LID units. [%]"""
        remaining = self.remaining_area_m2
        return 100.0 * self.impervious_area_m2 / remaining if remaining > 0 else 0.0

    @property
    def width_m(self) -> float:
        """Characteristic width of the remaining area: same flow length, so width ∝ area. [m]"""
        sub = self.subcatchment
        return sub.width_m * self.remaining_area_m2 / sub.area_m2


@dataclass(frozen=True)
class Placement:
    """Every subcatchment of a district under one scenario, and the LID controls used."""

    scenario: str
    subcatchments: tuple[PlacedSubcatchment, ...]
    controls: dict[str, LidControl] = field(default_factory=dict)


def place_measures(district: District, scenario: Scenario) -> Placement:
    """Place a scenario's measures in the district's subcatchments.

    Measures sized by ``area_m2`` or ``share_of_cover`` are placed first, on the original
    covers; measures sized by ``treated_share`` then take ``surface_ratio`` × treated area,
    the treated area being ``treated_share`` × the impervious (roof + road + paved) area left
    after the first group.

    Raises
    ------
    InputError
        Naming the scenario, measure index and subcatchment, for an unknown subcatchment, a
        cover the LID may not be built on, an LID larger than its cover, LID units filling the
        subcatchment, or more than all impervious runoff routed to LIDs.
    """
    known = {s.id for s in district.subcatchments}
    covers = {s.id: {c: getattr(s.land_cover, c) * s.area_m2 for c in LAND_COVERS} for s in district.subcatchments}
    units: dict[str, list[LidUnit]] = {s.id: [] for s in district.subcatchments}
    controls: dict[str, LidControl] = {}
    treated: list[tuple[int, Measure, LidDesign, str, Subcatchment]] = []

    for index, measure in enumerate(scenario.measures):
        where = f"scenario {scenario.name!r}, measure {index}"
        unknown = [s for s in measure.subcatchments if s not in known]
        if unknown:
            raise InputError(f"unknown subcatchment(s) {', '.join(unknown)}", file=where, field="subcatchments")
        design = load_lid(measure.lid, measure.design, where=where)
        on = measure.on if "on" in measure.model_fields_set else design.default_on
        if on not in design.allowed_on:
            raise InputError(
                f"{measure.lid} cannot be built on {on!r}; allowed: {', '.join(design.allowed_on)}",
                file=where,
                field="on",
            )
        for sub in _chosen(district, measure):
            here = f"{where}, subcatchment {sub.id!r}"
            if measure.treated_share is not None:
                treated.append((index, measure, design, on, sub))
                continue
            if measure.area_m2 is not None:
                area = measure.area_m2
            else:
                original = {c: getattr(sub.land_cover, c) * sub.area_m2 for c in LAND_COVERS}
                area = measure.share_of_cover * _cover_area(original, on)
            if area <= 0.0:
                continue
            _take(covers[sub.id], on, area, here)
            control = _control(controls, index, design, sub)
            units[sub.id].append(_unit(sub, index, design, control, on, area, 0.0))

    impervious_left = {sid: _cover_area(c, "impervious") for sid, c in covers.items()}
    pending: dict[str, list[tuple[int, LidDesign, str, float, float]]] = {sid: [] for sid in known}
    for index, measure, design, on, sub in treated:
        here = f"scenario {scenario.name!r}, measure {index}, subcatchment {sub.id!r}"
        treated_m2 = measure.treated_share * impervious_left[sub.id]
        area = measure.surface_ratio * treated_m2
        if area <= 0.0:
            continue
        _take(covers[sub.id], on, area, here)
        pending[sub.id].append((index, design, on, area, treated_m2))

    placed = []
    for sub in district.subcatchments:
        cover = covers[sub.id]
        swmm_impervious = _cover_area(cover, "impervious") + cover["water"]
        total_pct = 0.0
        for index, design, on, area, treated_m2 in pending[sub.id]:
            here = f"scenario {scenario.name!r}, measure {index}, subcatchment {sub.id!r}"
            pct = 100.0 * treated_m2 / swmm_impervious if swmm_impervious > 0 else 0.0
            total_pct += pct
            if total_pct > 100.0 + 1e-6:
                raise InputError(
                    f"LIDs would receive {total_pct:.1f} % of the impervious runoff left beside them; "
                    "lower treated_share or surface_ratio",
                    file=here,
                    field="treated_share",
                )
            control = _control(controls, index, design, sub)
            units[sub.id].append(_unit(sub, index, design, control, on, area, min(pct, 100.0)))
        result = PlacedSubcatchment(sub, cover, tuple(sorted(units[sub.id], key=lambda u: u.measure_index)))
        if result.units and result.remaining_area_m2 <= _TOLERANCE_M2 * sub.area_m2:
            raise InputError(
                f"LID units cover {result.lid_area_m2:.1f} m² of the {sub.area_m2:.1f} m² subcatchment; "
                "they must leave part of it",
                file=f"scenario {scenario.name!r}, measure {result.units[-1].measure_index}, subcatchment {sub.id!r}",
                field="area_m2",
            )
        placed.append(result)
    return Placement(scenario.name, tuple(placed), controls)


def _chosen(district: District, measure: Measure) -> list[Subcatchment]:
    subs = [s for s in district.subcatchments if not measure.subcatchments or s.id in measure.subcatchments]
    if measure.sub_areas:
        subs = [s for s in subs if s.sub_area in measure.sub_areas]
    return subs


def _cover_area(cover: dict[str, float], on: str) -> float:
    if on == "impervious":
        return sum(cover[c] for c in IMPERVIOUS_COVERS)
    return cover[on]


def _take(cover: dict[str, float], on: str, area_m2: float, where: str) -> None:
    """Take an LID's area out of the cover it is built on (impervious: pro rata)."""
    available = _cover_area(cover, on)
    if area_m2 > available * (1 + 1e-9) + _TOLERANCE_M2:
        raise InputError(
            f"LID of {area_m2:.1f} m² is larger than the {available:.1f} m² of {on!r} left to build on",
            file=where,
            field="area_m2",
        )
    if on == "impervious":
        for c in IMPERVIOUS_COVERS:
            cover[c] = max(cover[c] - area_m2 * cover[c] / available, 0.0)
    else:
        cover[on] = max(cover[on] - area_m2, 0.0)


def _control(controls: dict[str, LidControl], index: int, design: LidDesign, sub: Subcatchment) -> LidControl:
    """The LID control of a measure; one per soil class where seepage is the native Ksat."""
    native = "storage" in design.layers and design.value("storage", "seepage_mm_per_h") is None
    soil = load_soil(sub.soil, where=f"subcatchment {sub.id!r}") if native else None
    name = f"M{index}_{design.swmm_type}" + (f"_{soil.name}" if soil else "")
    if name not in controls:
        seepage = soil.ksat_mm_per_h if soil else None
        controls[name] = LidControl(name, design, seepage)
    return controls[name]


def _unit(
    sub: Subcatchment, index: int, design: LidDesign, control: LidControl, on: str, area_m2: float, pct: float
) -> LidUnit:
    width = swale_top_width_m(design) if design.swmm_type == "VS" else math.sqrt(area_m2)
    return LidUnit(
        subcatchment=sub.id,
        measure_index=index,
        lid=design.name,
        control=control.name,
        on=on,
        area_m2=area_m2,
        width_m=width,
        from_impervious_pct=pct,
        to_pervious=design.outflow_to_pervious,
    )
