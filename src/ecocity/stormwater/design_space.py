"""The design space of a sponge-city optimisation: decision variables, their bounds, and a design
as a scenario.

A design is one integer *level* per (group of subcatchments, LID option): level ``k`` of ``L``
builds the fraction ``k / L`` of the most the land cover allows there. The bounds follow the
land cover, so every design can be placed:

- green roofs: a share of the roof area, at most all of it;
- permeable pavement: a share of the paved area (yards, plazas, car parks), at most all of it;
- bioretention (and rain gardens) in green space, sized by the impervious runoff they treat
  (the scenario syntax's ``treated_share``) with a cell area of ``surface_ratio`` × the treated
  area; the cells may take at most ``max_share`` of the green space. With the Guide's
  ``surface_ratio`` of 5-10 % (p. 35) the largest treated share is
  ``min(1, max_share × green / (surface_ratio × impervious))``, per subcatchment. Several
  treated options share the impervious runoff equally (each at most 1 / their number), so that
  no more than all of it is routed to LIDs.

Subcatchments are the decision units when there are few; with many, similar subcatchments
(by their land-cover shares and soil) are grouped (Ward's hierarchical clustering, which is
deterministic) and each group gets one set of levels.

A design becomes a :class:`~ecocity.district.model.Scenario` in the ordinary measure syntax, so
placement, the SWMM input and the costs are those of any scenario, and
:func:`scenario_file_text` writes it as a ``scenarios/*.toml`` file.

Pure functions over the district containers; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ecocity.district.model import IMPERVIOUS_COVERS, District, Measure, Scenario, Subcatchment
from ecocity.district.write import scenario_toml
from ecocity.errors import InputError
from ecocity.stormwater.catalogue import load_lid

GUIDE_P35 = "海绵城市建设技术指南 (2014) p. 35: bioretention area 5-10 % of its contributing area"
Sizing = Literal["share_of_cover", "treated_share"]
DEFAULT_LEVELS = 10
MAX_UNGROUPED = 12
"""Up to this many subcatchments each is its own decision unit; above it they are grouped."""


@dataclass(frozen=True)
class LidOption:
    """One LID type the optimiser may build, where, and how large at most.

    ``max_share`` is the largest share of the host cover (``on``) the LID may occupy [-];
    ``surface_ratio`` the cell area per treated impervious area of a treated-share LID [-];
    ``design`` overrides of the catalogue design (``layer.parameter``).
    """

    lid: str
    on: Literal["roof", "paved", "road", "green"]
    sizing: Sizing
    max_share: float
    source: str
    surface_ratio: float = 0.08
    design: dict[str, float] = field(default_factory=dict)


LID_OPTIONS: dict[str, LidOption] = {
    "green_roof": LidOption("green_roof", "roof", "share_of_cover", 1.0,
                            "at most the whole roof area (issue 7); flat roofs only in practice (Guide p. 33)"),
    "permeable_pavement": LidOption("permeable_pavement", "paved", "share_of_cover", 1.0,
                                    "at most the whole paved (non-road) area (issue 7)"),
    "bioretention": LidOption("bioretention", "green", "treated_share", 0.3,
                              f"{GUIDE_P35}, midpoint 8 %; cells on at most 30 % of the green space (judgement)"),
    "rain_garden": LidOption("rain_garden", "green", "treated_share", 0.3,
                             f"{GUIDE_P35}, used for sunken green space; at most 30 % of it (judgement)",
                             surface_ratio=0.10),
}  # fmt: skip
DEFAULT_LIDS = ("green_roof", "permeable_pavement", "bioretention")


@dataclass(frozen=True)
class DesignSpace:
    """The decision variables of one district: groups × LID options, each an integer level.

    ``groups`` hold subcatchment ids; ``levels`` is the top level L (level k builds k / L of
    the bound); ``treated_max[lid][subcatchment]`` the largest treated share of a treated-share
    option [-].
    """

    groups: tuple[tuple[str, ...], ...]
    options: tuple[LidOption, ...]
    levels: int
    treated_max: dict[str, dict[str, float]]

    @property
    def n_var(self) -> int:
        """Number of decision variables."""
        return len(self.groups) * len(self.options)

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names, ``G<group>:<lid>``, in the order of a design vector."""
        return tuple(f"G{g}:{o.lid}" for g in range(len(self.groups)) for o in self.options)

    def upper(self) -> np.ndarray:
        """Upper bound of every variable (the top level). [-]"""
        return np.full(self.n_var, self.levels, dtype=int)

    def check(self, levels: Sequence[int]) -> tuple[int, ...]:
        """``levels`` as a tuple of ints, checked against the bounds.

        Raises
        ------
        ValueError
            Wrong length, or a level outside ``0..levels``.
        """
        values = tuple(int(round(v)) for v in levels)
        if len(values) != self.n_var:
            raise ValueError(f"a design has {self.n_var} levels, got {len(values)}")
        if any(v < 0 or v > self.levels for v in values):
            raise ValueError(f"levels must lie in 0..{self.levels}, got {values}")
        return values


def group_subcatchments(district: District, n_groups: int | None = None) -> tuple[tuple[str, ...], ...]:
    """Decision units: one per subcatchment, or ``n_groups`` groups of similar ones.

    Without ``n_groups``, districts of up to :data:`MAX_UNGROUPED` subcatchments keep one unit
    each and larger ones get that many groups. Similarity: Ward's clustering of the land-cover
    fractions (roof, road, paved, green, water); subcatchments of different soil classes are
    never grouped. Groups are ordered by their first subcatchment in the district's order.

    Raises
    ------
    InputError
        ``n_groups`` below 1.
    """
    subs = district.subcatchments
    if n_groups is not None and n_groups < 1:
        raise InputError(f"the number of groups must be at least 1, got {n_groups}", field="groups")
    wanted = n_groups if n_groups is not None else MAX_UNGROUPED
    if len(subs) <= wanted:
        return tuple((s.id,) for s in subs)
    soils = sorted({s.soil for s in subs})
    if len(soils) > wanted:
        raise InputError(f"{len(soils)} soil classes need at least as many groups, got {wanted}", field="groups")
    labels: dict[str, tuple[str, int]] = {}
    # Groups per soil in proportion to its subcatchments (at least one each), Ward within.
    by_soil = {soil: [s for s in subs if s.soil == soil] for soil in soils}
    shares = _apportion([len(by_soil[soil]) for soil in soils], wanted)
    for soil, k in zip(soils, shares, strict=True):
        members = by_soil[soil]
        for sub, label in zip(members, _ward_labels(members, k), strict=True):
            labels[sub.id] = (soil, int(label))
    order: dict[tuple[str, int], list[str]] = {}
    for sub in subs:
        order.setdefault(labels[sub.id], []).append(sub.id)
    return tuple(tuple(ids) for ids in order.values())


def _apportion(counts: list[int], total: int) -> list[int]:
    """``total`` groups split over classes in proportion to ``counts`` (largest remainder)."""
    n = sum(counts)
    raw = [max(1.0, total * c / n) for c in counts]
    shares = [min(int(r), c) for r, c in zip(raw, counts, strict=True)]
    order = sorted(range(len(counts)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order:
        if sum(shares) >= total:
            break
        if shares[i] < counts[i]:
            shares[i] += 1
    return shares


def _ward_labels(members: list[Subcatchment], k: int) -> list[int]:
    if k >= len(members):
        return list(range(len(members)))
    if k <= 1:
        return [0] * len(members)
    from scipy.cluster.hierarchy import fcluster, linkage

    covers = np.array([[s.land_cover.roof, s.land_cover.road, s.land_cover.paved, s.land_cover.green,
                        s.land_cover.water] for s in members])  # fmt: skip
    return [int(v) for v in fcluster(linkage(covers, method="ward"), t=k, criterion="maxclust")]


def design_space(
    district: District,
    lids: Sequence[str] = DEFAULT_LIDS,
    *,
    groups: int | None = None,
    levels: int = DEFAULT_LEVELS,
    options: dict[str, LidOption] | None = None,
) -> DesignSpace:
    """The design space of ``district`` for the LID types ``lids``.

    Parameters
    ----------
    lids
        Names in :data:`LID_OPTIONS` (or ``options``).
    groups
        Number of decision units (see :func:`group_subcatchments`).
    levels
        Top level L: each variable takes 0..L, level k builds k / L of its bound.
    options
        Replacement option table (tests, other cities).

    Raises
    ------
    InputError
        An unknown LID option, no LID option, or ``levels`` below 1.
    """
    table = LID_OPTIONS if options is None else options
    if not lids:
        raise InputError("give at least one LID type to optimise", field="lid")
    unknown = [name for name in lids if name not in table]
    if unknown:
        raise InputError(f"no optimisation option for LID type(s) {', '.join(unknown)}; known: {', '.join(table)}",
                         field="lid")  # fmt: skip
    if len(set(lids)) != len(lids):
        raise InputError(f"LID types listed twice: {', '.join(lids)}", field="lid")
    if levels < 1:
        raise InputError(f"levels must be at least 1, got {levels}", field="levels")
    chosen = tuple(table[name] for name in lids)
    for option in chosen:
        load_lid(option.lid, option.design, where=f"optimisation option {option.lid!r}")
    treated = [o for o in chosen if o.sizing == "treated_share"]
    treated_max = {
        option.lid: {sub.id: _treated_max(sub, option) / len(treated) for sub in district.subcatchments}
        for option in treated
    }
    return DesignSpace(group_subcatchments(district, groups), chosen, levels, treated_max)


def _treated_max(sub: Subcatchment, option: LidOption) -> float:
    """Largest treated share whose cells fit in ``max_share`` of the host cover. [-]"""
    impervious = sum(getattr(sub.land_cover, c) for c in IMPERVIOUS_COVERS)
    host = getattr(sub.land_cover, option.on)
    if impervious <= 0.0 or host <= 0.0:
        return 0.0
    return min(1.0, option.max_share * host / (option.surface_ratio * impervious))


def design_to_scenario(district: District, levels: Sequence[int], space: DesignSpace, *, name: str = "optimised",
                       description: str = "") -> Scenario:  # fmt: skip
    """The scenario a design stands for, in the ordinary measure syntax.

    Share-of-cover options give one measure per group; treated-share options one measure per
    group and distinct treated share (the share's bound differs between subcatchments).
    Subcatchments without the host cover (or without impervious area) get nothing.
    """
    values = space.check(levels)
    by_id = {s.id: s for s in district.subcatchments}
    measures: list[Measure] = []
    for g, ids in enumerate(space.groups):
        for o, option in enumerate(space.options):
            level = values[g * len(space.options) + o]
            if level == 0:
                continue
            fraction = level / space.levels
            hosts = [i for i in ids if getattr(by_id[i].land_cover, option.on) > 0.0]
            if option.sizing == "share_of_cover":
                if hosts:
                    measures.append(Measure(lid=option.lid, subcatchments=tuple(hosts), on=option.on,
                                            share_of_cover=round(fraction * option.max_share, 9),
                                            design=dict(option.design)))  # fmt: skip
                continue
            shares: dict[float, list[str]] = {}
            for i in hosts:
                share = round(fraction * space.treated_max[option.lid][i], 9)
                if share > 0.0:
                    shares.setdefault(share, []).append(i)
            for share, members in shares.items():
                measures.append(Measure(lid=option.lid, subcatchments=tuple(members), on=option.on,
                                        treated_share=share, surface_ratio=option.surface_ratio,
                                        design=dict(option.design)))  # fmt: skip
    text = description or "Design found by the optimiser: " + ", ".join(
        f"{n} level {v}/{space.levels}" for n, v in zip(space.names, values, strict=True) if v
    )
    return Scenario(name=name, description=text or "no measures", measures=tuple(measures))


def scenario_file_text(scenario: Scenario, *, comment: str = "") -> str:
    """A ``scenarios/*.toml`` file of ``scenario`` (read back by the district loader)."""
    header = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return header + scenario_toml(scenario)
