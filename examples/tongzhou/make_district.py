"""Generate the illustrative Tongzhou pilot district (subcatchments, sewer network, scenarios).

The district is *illustrative*, not surveyed: a 1.5 km × 2.04 km block grid in the style of the
Beijing sub-centre (Tongzhou), 120 blocks of about 2.5 ha with land uses typical of the area
(residential compounds, offices, schools, a park, a civic plaza), three drainage sub-areas each
with its own storm sewer trunk and outfall. Pipes are sized by the rational method with the
classic Beijing storm formula for a 3-year return period.

Run from the repository root:  .venv/bin/python examples/tongzhou/make_district.py
It rewrites subcatchments.geojson and network.inp beside this file; the output is deterministic.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ORIGIN_E, ORIGIN_N = 470_200.0, 4_417_300.0  # EPSG:4548 (CGCS2000 / 3-degree GK CM 117E), ~116.65E 39.89N
N_COLS, N_ROWS = 10, 12
BLOCK_W, BLOCK_H = 150.0, 170.0  # m; road space is part of each block (its "road" fraction)
GROUND_M = 21.0  # ground elevation at the north-west corner [m]
GROUND_SLOPE = 0.0008  # falls towards the south-east (towards the Tonghui River) [m/m]

# Land-use templates: land-cover fractions (roof, road, paved, green, water), slope [%], soil.
LAND_USES = {
    "residential": dict(roof=0.28, road=0.12, paved=0.20, green=0.40, water=0.0),
    "office": dict(roof=0.42, road=0.15, paved=0.28, green=0.15, water=0.0),
    "school": dict(roof=0.22, road=0.08, paved=0.35, green=0.35, water=0.0),
    "plaza": dict(roof=0.08, road=0.12, paved=0.55, green=0.25, water=0.0),
    "park": dict(roof=0.02, road=0.05, paved=0.10, green=0.73, water=0.10),
    "arterial": dict(roof=0.10, road=0.45, paved=0.20, green=0.25, water=0.0),
}
SUB_AREAS = {"west": range(0, 4), "centre": range(4, 7), "east": range(7, 10)}
OUTFALLS = {"west": "OF_W", "centre": "OF_C", "east": "OF_E"}

# Classic Beijing (zone II) storm formula, for pipe sizing only (see climate/data/idf.toml).
IDF_A, IDF_C, IDF_B, IDF_N = 2001.0, 0.811, 8.0, 0.711
PSI_IMPERVIOUS, PSI_PERVIOUS = 0.9, 0.3  # flow runoff coefficients (Guide Table 4-3: hard 0.85-0.95; green
# 0.10-0.20, raised to 0.3 because Green-Ampt sandy loam yields runoff at design-storm intensities)
INLET_TIME_MIN = 5.0  # surface inlet time t1 (GB 50014: 5-15 min)
COLUMN_SLOPE, TRUNK_SLOPE = 0.002, 0.0015  # design pipe slopes [m/m]
COVER_M = 1.5  # cover above the crown of the first pipe of each line [m]
DIAMETERS_M = (0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.35, 1.5, 1.65, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0)


def land_use(col: int, row: int, rng: np.random.Generator) -> str:
    if 3 <= col <= 4 and 5 <= row <= 7:
        return "park"
    if col == 6 and row in (4, 5):
        return "plaza"
    if col == 5:
        return "arterial"
    if col >= 7 and row <= 5:
        return "office"
    return "school" if rng.random() < 0.08 else "residential"


def rational_flow_m3_per_s(area_ha: float, runoff_coefficient: float, t_min: float, p_yr: float = 3.0) -> float:
    q = IDF_A * (1 + IDF_C * math.log10(p_yr)) / (t_min + IDF_B) ** IDF_N  # L/(s·ha)
    return runoff_coefficient * q * area_ha / 1000.0


def pipe_diameter_m(flow_m3_per_s: float, slope: float, manning_n: float = 0.013) -> float:
    for d in DIAMETERS_M:
        capacity = (1 / manning_n) * (math.pi * d**2 / 4) * (d / 4) ** (2 / 3) * math.sqrt(slope)
        if capacity >= flow_m3_per_s:
            return d
    return DIAMETERS_M[-1]


def ground(e: float, n: float) -> float:
    return GROUND_M - GROUND_SLOPE * ((e - ORIGIN_E) + (ORIGIN_N + N_ROWS * BLOCK_H - n))


def build() -> tuple[dict, str]:
    rng = np.random.default_rng(20261129)
    features = []
    blocks = {}
    for col in range(N_COLS):
        for row in range(N_ROWS):  # row 0 is the north edge
            e0 = ORIGIN_E + col * BLOCK_W
            n1 = ORIGIN_N + (N_ROWS - row) * BLOCK_H
            n0 = n1 - BLOCK_H
            use = land_use(col, row, rng)
            cover = dict(LAND_USES[use])
            jitter = rng.uniform(-0.04, 0.04)  # plot-to-plot variation, green <-> paved
            cover["green"] = round(cover["green"] + jitter, 3)
            cover["paved"] = round(1.0 - sum(v for k, v in cover.items() if k != "paved"), 3)
            sid = f"B{col:02d}{row:02d}"
            sub_area = next(name for name, cols in SUB_AREAS.items() if col in cols)
            outlet = f"J{col:02d}{row:02d}"
            blocks[sid] = (col, row, sum(cover[k] for k in ("roof", "road", "paved")))
            features.append({
                "type": "Feature",
                "properties": {
                    "id": sid, "land_use": use, **cover,
                    "slope_percent": round(float(rng.uniform(0.3, 1.2)), 2),
                    "soil": "sandy_loam" if col < 5 else "loam",
                    "outlet": outlet, "sub_area": sub_area,
                },
                "geometry": {"type": "Polygon", "coordinates": [[
                    [e0, n0], [e0 + BLOCK_W, n0], [e0 + BLOCK_W, n1], [e0, n1], [e0, n0]]]},
            })
    collection = {
        "type": "FeatureCollection",
        "name": "tongzhou_pilot_subcatchments (illustrative, not surveyed)",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
        "features": features,
    }
    return collection, network_inp(blocks)


def network_inp(blocks: dict[str, tuple[int, int, float]]) -> str:
    """Sewers sized by the rational method; inverts follow the design slopes, crowns matched."""
    junctions, conduits, xsections, outfalls = [], [], [], []
    runoff_coefficient = {sid: PSI_PERVIOUS + (PSI_IMPERVIOUS - PSI_PERVIOUS) * imp
                          for sid, (_, _, imp) in blocks.items()}
    block_ha = BLOCK_W * BLOCK_H / 1e4
    # Column sewers run north -> south along the east edge of each block column, into a trunk
    # along the south edge of the sub-area, which runs east to the sub-area's outfall.
    for sub_area, cols in SUB_AREAS.items():
        area_upstream_ha, c_weighted = 0.0, 0.0
        trunk_invert, trunk_diameter = None, 0.0
        cols = list(cols)
        for k, col in enumerate(cols):
            col_area, col_c = 0.0, 0.0
            e = ORIGIN_E + (col + 1) * BLOCK_W - 5.0
            invert, diameter = None, 0.0
            for row in range(N_ROWS):
                node = f"J{col:02d}{row:02d}"
                n = ORIGIN_N + (N_ROWS - row - 0.5) * BLOCK_H
                col_area += block_ha
                col_c += runoff_coefficient[f"B{col:02d}{row:02d}"] * block_ha
                t_min = INLET_TIME_MIN + row * BLOCK_H / 60.0  # inlet time + travel at ~1 m/s
                flow = rational_flow_m3_per_s(col_area, col_c / col_area, t_min)
                new_diameter = pipe_diameter_m(flow, COLUMN_SLOPE)
                if invert is None:
                    invert = ground(e, n) - COVER_M - new_diameter
                else:  # previous pipe's fall, then match crowns
                    invert -= COLUMN_SLOPE * BLOCK_H + max(0.0, new_diameter - diameter)
                diameter = new_diameter
                junctions.append((node, invert, ground(e, n) - invert, e, n))
                down = f"J{col:02d}{row + 1:02d}" if row < N_ROWS - 1 else f"T{col:02d}"
                conduits.append((f"C{col:02d}{row:02d}", node, down, BLOCK_H, diameter))
            # trunk node of this column at the south edge, 20 m south of the last block
            e_t, n_t = e, ORIGIN_N - 20.0
            area_upstream_ha += col_area
            c_weighted += col_c
            t_min = INLET_TIME_MIN + N_ROWS * BLOCK_H / 60.0 + k * BLOCK_W / 60.0
            flow = rational_flow_m3_per_s(area_upstream_ha, c_weighted / area_upstream_ha, t_min)
            new_trunk = pipe_diameter_m(flow, TRUNK_SLOPE)
            from_column = invert - COLUMN_SLOPE * BLOCK_H - max(0.0, new_trunk - diameter)
            from_trunk = (trunk_invert - TRUNK_SLOPE * BLOCK_W - max(0.0, new_trunk - trunk_diameter)
                          if trunk_invert is not None else from_column)
            trunk_invert, trunk_diameter = min(from_column, from_trunk), new_trunk
            node = f"T{col:02d}"
            junctions.append((node, trunk_invert, ground(e_t, n_t) - trunk_invert, e_t, n_t))
            last = k == len(cols) - 1
            down, length = (OUTFALLS[sub_area], 60.0) if last else (f"T{cols[k + 1]:02d}", BLOCK_W)
            conduits.append((f"CT{col:02d}", node, down, length, trunk_diameter))
        e_o, n_o = ORIGIN_E + (cols[-1] + 1) * BLOCK_W + 55.0, ORIGIN_N - 20.0
        outfalls.append((OUTFALLS[sub_area], trunk_invert - TRUNK_SLOPE * 60.0, e_o, n_o))

    lines = [
        "[TITLE]",
        ";;Illustrative storm sewer network of the ecocity Tongzhou pilot district (not surveyed).",
        ";;Generated by examples/tongzhou/make_district.py; pipes sized by the rational method, P = 3 yr.",
        "",
        "[OPTIONS]",
        "FLOW_UNITS           CMS",
        "INFILTRATION         GREEN_AMPT",
        "FLOW_ROUTING         DYNWAVE",
        "",
        "[JUNCTIONS]",
        ";;Name           Elevation  MaxDepth   InitDepth  SurDepth   Aponded",
    ]
    lines += [f"{name:16s} {inv:10.3f} {depth:10.2f} 0          0          0" for name, inv, depth, _, _ in junctions]
    lines += ["", "[OUTFALLS]", ";;Name           Elevation  Type       Stage Data       Gated"]
    lines += [f"{name:16s} {inv:10.3f} FREE                        NO" for name, inv, _, _ in outfalls]
    lines += ["", "[CONDUITS]",
              ";;Name           From Node        To Node          Length     Roughness  InOffset   OutOffset"]
    for name, a, b, length, diameter in conduits:
        lines.append(f"{name:16s} {a:16s} {b:16s} {length:10.1f} 0.013      0          0")
        xsections.append((name, diameter))
    lines += ["", "[XSECTIONS]", ";;Link           Shape        Geom1            Geom2      Geom3      Geom4      Barrels"]
    lines += [f"{name:16s} CIRCULAR     {d:<16.2f} 0          0          0          1" for name, d in xsections]
    lines += ["", "[COORDINATES]", ";;Node           X-Coord            Y-Coord"]
    lines += [f"{name:16s} {e:18.2f} {n:18.2f}" for name, _, _, e, n in junctions]
    lines += [f"{name:16s} {e:18.2f} {n:18.2f}" for name, _, e, n in outfalls]
    return "\n".join(lines) + "\n"


def check_slopes(inp: str) -> None:
    """Every conduit must fall downstream (kinematic wave needs a positive slope)."""
    section, inverts, conduits = None, {}, []
    for line in inp.splitlines():
        if line.startswith("["):
            section = line.strip()
            continue
        if not line.strip() or line.startswith(";"):
            continue
        parts = line.split()
        if section in ("[JUNCTIONS]", "[OUTFALLS]"):
            inverts[parts[0]] = float(parts[1])
        elif section == "[CONDUITS]":
            conduits.append((parts[0], parts[1], parts[2]))
    bad = [c for c, a, b in conduits if inverts[a] <= inverts[b]]
    if bad:
        raise SystemExit(f"conduits without fall: {bad[:5]}")


def main() -> None:
    collection, inp = build()
    check_slopes(inp)
    (HERE / "subcatchments.geojson").write_text(json.dumps(collection, indent=1) + "\n", encoding="utf-8")
    (HERE / "network.inp").write_text(inp, encoding="utf-8")
    print(f"wrote {len(collection['features'])} subcatchments and network.inp to {HERE}")


if __name__ == "__main__":
    main()
