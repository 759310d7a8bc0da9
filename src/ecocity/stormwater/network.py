"""The drainage network of a SWMM model: read from the district's ``network_inp`` or generated.

Without a network, every outlet node gets a junction, a DUMMY link and an outfall (a
subcatchment routed straight to an outfall has no outfall statistics in SWMM 5.2.4; notes'
pitfall #8). A DUMMY link passes its inflow on unchanged, so the generated network does not
limit or delay flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecocity.district.model import District
from ecocity.errors import InputError

# Sections the model builder writes itself; a network file's own copies are dropped. The last
# group refers to subcatchments (land uses, groundwater), which the district defines.
OWN_SECTIONS = frozenset(
    {
        "TITLE", "OPTIONS", "REPORT", "FILES", "RAINGAGES", "EVAPORATION", "TEMPERATURE",
        "ADJUSTMENTS", "SUBCATCHMENTS", "SUBAREAS", "INFILTRATION", "LID_CONTROLS", "LID_USAGE",
        "POLYGONS", "SYMBOLS", "MAP", "BACKDROP", "LABELS", "TAGS", "LANDUSES", "COVERAGES",
        "LOADINGS", "BUILDUP", "WASHOFF", "POLLUTANTS", "GROUNDWATER", "GWF", "AQUIFERS", "SNOWPACKS",
    }
)  # fmt: skip
SI_FLOW_UNITS = ("CMS", "LPS", "MLD")  # SWMM's metric flow units: lengths in metres
NODE_SECTIONS = ("JUNCTIONS", "OUTFALLS", "STORAGE", "DIVIDERS")
OUTFALL_SUFFIX = "_out"
LINK_SUFFIX = "_link"


@dataclass(frozen=True)
class NetworkSections:
    """A network as SWMM input sections (name -> data lines, comments dropped)."""

    sections: dict[str, list[str]] = field(default_factory=dict)

    def ids(self, section: str) -> list[str]:
        """First column of a section's lines."""
        return [line.split()[0] for line in self.sections.get(section, [])]

    def nodes(self) -> set[str]:
        """Every node id."""
        return {node for name in NODE_SECTIONS for node in self.ids(name)}

    def outfalls(self) -> list[str]:
        """Outfall ids, in file order."""
        return self.ids("OUTFALLS")


def parse_sections(text: str) -> dict[str, list[str]]:
    """Split SWMM input text into sections: upper-case name -> data lines (no comments)."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].rstrip() if not raw.lstrip().startswith(";") else ""
        if not line.strip():
            continue
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].upper()
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    return sections


FLOW_SECTIONS = ("INFLOWS", "DWF", "RDII", "PUMPS", "OUTLETS", "CURVES")
"""Sections whose values are flows in the file's FLOW_UNITS (ecocity writes the model in CMS)."""


def _data_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip() and not line.lstrip().startswith(";")]


def flow_units(sections: dict[str, list[str]]) -> str | None:
    """The FLOW_UNITS option of parsed input sections, upper case; None where not given."""
    for line in sections.get("OPTIONS", []):
        parts = line.split()
        if parts[0].upper() == "FLOW_UNITS":
            return parts[1].upper() if len(parts) > 1 else None
    return None


def network_from_text(text: str, *, where: str) -> NetworkSections:
    """The network part (nodes, links, curves, coordinates ...) of a SWMM input text.

    Raises
    ------
    InputError
        If the file does not say FLOW_UNITS CMS, LPS or MLD in [OPTIONS]: SWMM reads a file
        without FLOW_UNITS as CFS, whose lengths are feet. Or if it has no outfall.
    """
    sections = parse_sections(text)
    units = flow_units(sections)
    if units is None:
        raise InputError(
            "no FLOW_UNITS option: SWMM would read the file in US units (CFS, feet); add FLOW_UNITS CMS, LPS or MLD to [OPTIONS]",
            file=where,
            field="FLOW_UNITS",
        )
    if units not in SI_FLOW_UNITS:
        raise InputError(
            f"the network uses US flow units ({units}); convert it to SI ({', '.join(SI_FLOW_UNITS)})",
            file=where,
            field="FLOW_UNITS",
        )
    kept = {name: lines for name, lines in sections.items() if name not in OWN_SECTIONS}
    flows = [name for name in FLOW_SECTIONS if _data_lines(kept.get(name, []))]
    if units != "CMS" and flows:
        raise InputError(
            f"the network's flows are in {units} ([{'], ['.join(flows)}]), but ecocity runs SWMM in CMS: "
            "convert the file to FLOW_UNITS CMS (m³/s)",
            file=where,
            field="FLOW_UNITS",
        )
    network = NetworkSections(kept)
    if not network.outfalls():
        raise InputError("the network has no [OUTFALLS]", file=where, field="OUTFALLS")
    return network


def read_network(district: District) -> NetworkSections:
    """The network of ``district.network_inp``.

    Raises
    ------
    InputError
        If the file cannot be read or is not an SI network with an outfall.
    """
    path = Path(district.network_inp)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise InputError(f"cannot read the network file: {err}", file=path) from err
    return network_from_text(text, where=str(path))


def generated_network(district: District) -> NetworkSections:
    """A junction, a DUMMY link and an outfall for each outlet that is not a subcatchment."""
    ids = {s.id for s in district.subcatchments}
    outlets: dict[str, list[tuple[float, float]]] = {}
    for sub in district.subcatchments:
        if sub.outlet not in ids:
            outlets.setdefault(sub.outlet, []).extend(sub.polygon)
    junctions, outfalls, conduits, xsections, coordinates = [], [], [], [], []
    for k, (node, points) in enumerate(outlets.items()):
        x, y = _centre(points, k)
        outfall, link = node + OUTFALL_SUFFIX, node + LINK_SUFFIX
        junctions.append(f"{node} 1.0 2.0 0 0 0")
        outfalls.append(f"{outfall} 0.0 FREE NO")
        conduits.append(f"{link} {node} {outfall} 10 0.013 0 0 0 0")
        xsections.append(f"{link} DUMMY 0 0 0 0 1")
        coordinates += [f"{node} {x:.3f} {y:.3f}", f"{outfall} {x + 10:.3f} {y - 10:.3f}"]
    return NetworkSections(
        {
            "JUNCTIONS": junctions,
            "OUTFALLS": outfalls,
            "CONDUITS": conduits,
            "XSECTIONS": xsections,
            "COORDINATES": coordinates,
        }
    )


def _centre(points: list[tuple[float, float]], k: int) -> tuple[float, float]:
    if not points:
        return 100.0 * k, 0.0
    return sum(p[0] for p in points) / len(points), min(p[1] for p in points)
