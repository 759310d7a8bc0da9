"""Plan geometry of subcatchments: area, overland flow length, characteristic width, outline.

Pure functions over shapely geometries whose coordinates are in a district's CRS, x first
(easting or longitude, as GeoJSON, RFC 7946 §3.1.1). Lengths and areas come out in metres
and square metres: planar for a CRS projected in metres, geodesic (on the CRS's ellipsoid)
for a geographic CRS. Any other CRS is refused: guessing a unit would give a silently wrong area.
A projected CRS that distorts areas by more than :data:`AREAL_SCALE_TOLERANCE` where a geometry
lies (Web Mercator away from the equator) is measured geodesically too.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pyproj
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

Measurement = Literal["planar", "geodesic"]

RECTANGLE_FILL_LIMIT = 0.6
"""Below this area / minimum-rotated-rectangle area, a polygon is not rectangle-like (an L, a U, a
triangle) and its flow length is taken as 2A/P instead of the rectangle's short side."""

AREAL_SCALE_TOLERANCE = 0.01
"""Largest areal distortion of a projected CRS (|areal scale − 1|) trusted for planar measurement."""


def parse_crs(text: str) -> pyproj.CRS:
    """The CRS named by ``text`` (``"EPSG:4548"``, WKT, PROJ string). Raises ValueError."""
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError as err:
        raise ValueError(f"not a CRS pyproj can read: {text!r}") from err


def measurement(crs: pyproj.CRS) -> Measurement:
    """How areas are measured in ``crs``: ``"planar"`` (projected, metres) or ``"geodesic"``.

    Raises
    ------
    ValueError
        If the CRS is neither geographic (degrees) nor projected in metres (e.g. US feet).
    """
    axes = crs.axis_info[:2]
    if crs.is_projected and axes and all(a.unit_name in ("metre", "meter") for a in axes):
        return "planar"
    if crs.is_geographic and axes and all("degree" in a.unit_name for a in axes):
        return "geodesic"
    units = ", ".join(sorted({a.unit_name for a in axes})) or "none"
    raise ValueError(
        f"CRS {crs.name!r} has axes in {units}; use a CRS projected in metres "
        "(e.g. EPSG:4548 CGCS2000 / 3-degree GK CM 117E) or a geographic one (e.g. EPSG:4326)"
    )


def areal_scale(geometry: BaseGeometry, crs: pyproj.CRS) -> float:
    """Areal scale factor of a projected ``crs`` at the geometry's centroid (1 where areas are true).

    ``pyproj.Proj.get_factors`` (PROJ's ``proj_factors``) at the centroid's longitude and latitude
    on the CRS's own geodetic datum; e.g. 1.70 for Web Mercator (EPSG:3857) at Beijing, 1/cos²φ.
    """
    centre = geometry.centroid
    lon, lat = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(centre.x, centre.y)
    return float(pyproj.Proj(crs).get_factors(lon, lat).areal_scale)


def _measured_on_ellipsoid(geometry: BaseGeometry, crs: pyproj.CRS) -> bool:
    """Whether areas and lengths are taken on the ellipsoid: a geographic CRS, or a distorting projection."""
    if measurement(crs) == "geodesic":
        return True
    return not abs(areal_scale(geometry, crs) - 1.0) <= AREAL_SCALE_TOLERANCE  # a NaN scale counts as distorting


def _longitude_latitude(geometry: BaseGeometry, crs: pyproj.CRS) -> tuple[BaseGeometry, pyproj.CRS]:
    """The geometry in longitude/latitude (x first) on ``crs``'s geodetic CRS, and that CRS."""
    if measurement(crs) == "geodesic":
        return geometry, crs
    transformer = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lonlat = shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return lonlat, crs.geodetic_crs


def polygon_parts(geometry: BaseGeometry) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon. Raises ValueError for other types."""
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    raise ValueError(f"expected a Polygon or MultiPolygon, got a {geometry.geom_type}")


def geometry_problem(geometry: BaseGeometry) -> str | None:
    """What is wrong with a (multi)polygon as a subcatchment outline, or None if nothing.

    GEOS's validity rules (OGC Simple Features) also refuse degenerate, zero-area rings.
    """
    try:
        polygon_parts(geometry)
    except ValueError as err:
        return str(err)
    if geometry.is_empty:
        return "the geometry is empty"
    coords = shapely.get_coordinates(geometry)
    if not math.isfinite(float(coords.sum())):
        return "the geometry has non-finite coordinates"
    if not geometry.is_valid:
        return f"invalid geometry: {shapely.is_valid_reason(geometry)}"
    return None


def check_geographic_range(geometry: BaseGeometry) -> None:
    """Raise ValueError if coordinates cannot be longitude/latitude (a projected file, mislabelled)."""
    xmin, ymin, xmax, ymax = geometry.bounds
    if xmin < -180.0 or xmax > 180.0 or ymin < -90.0 or ymax > 90.0:
        raise ValueError(
            f"coordinates (x {xmin:.6g}..{xmax:.6g}, y {ymin:.6g}..{ymax:.6g}) are not "
            "longitude/latitude in degrees; is the district's crs the one the file was drawn in?"
        )


def plan_area_m2(geometry: BaseGeometry, crs: pyproj.CRS) -> float:
    """Plan area of a (multi)polygon, holes excluded. [m²]

    Planar (shapely) area for a CRS projected in metres; geodesic area on the CRS's ellipsoid
    (``pyproj.Geod.geometry_area_perimeter``, Karney 2013, doi:10.1007/s00190-012-0578-z) for a
    geographic CRS, and for a projected one whose areal scale at the geometry (:func:`areal_scale`)
    is off 1 by more than :data:`AREAL_SCALE_TOLERANCE` (its planar area would be that much wrong).
    """
    if not _measured_on_ellipsoid(geometry, crs):
        return float(geometry.area)
    geometry, crs = _longitude_latitude(geometry, crs)
    geod = crs.get_geod()
    # Geod adds each ring's signed area, so every part is first wound exterior counter-clockwise,
    # holes clockwise: a hole wound like its exterior would otherwise be added, not subtracted.
    return sum(geod.geometry_area_perimeter(orient(part, 1.0))[0] for part in polygon_parts(geometry))


def overland_flow_length_m(polygon: Polygon, crs: pyproj.CRS) -> float:
    """Estimated maximum overland flow length of one polygon. [m]

    The shorter side of the polygon's minimum rotated rectangle (``shapely.oriented_envelope``):
    runoff is taken to cross the subcatchment's narrow direction to a collector along its long
    side. A square of side a gives a, a 400 m × 30 m strip gives 30 m. A polygon that fills less
    than :data:`RECTANGLE_FILL_LIMIT` of that rectangle (an L or U of strips) is not crossed
    along the rectangle's side; its flow length is its mean width, L = 2A/P (A area, P perimeter,
    holes included), which an L of two 100 m × 10 m strips puts at 9.5 m where the rectangle
    says 100 m. A polygon measured on the ellipsoid (see :func:`plan_area_m2`) is first projected
    onto a Lambert azimuthal equal-area plane centred on it.

    Notes
    -----
    2A/P is the thin-shape limit of the short side of the *equivalent rectangle*, the rectangle
    with the polygon's area and perimeter: l = P/4 − √(P²/16 − A) → 2A/P when 16A ≪ P² (Roche
    1963, *Hydrologie de surface*; applied to SWMM's width by Bonilla Brenes, Oreamuno Vega & Hack,
    *J. Water Manage. Model.* C493, https://www.chijournal.org/Journals/PDF/C493). For a strip of length ℓ
    and width w it gives w·ℓ/(ℓ + w), within 10 % of w from ℓ = 10 w on.
    """
    if _measured_on_ellipsoid(polygon, crs):
        polygon = _to_local_plane(*_longitude_latitude(polygon, crs))
    else:  # GEOS's rectangle loses precision far from the origin (1e-4 on a 1 m square at 4e6 m)
        centre = polygon.centroid
        polygon = shapely.affinity.translate(polygon, -centre.x, -centre.y)
    rectangle = shapely.oriented_envelope(polygon)
    if polygon.area < RECTANGLE_FILL_LIMIT * rectangle.area:
        return 2.0 * polygon.area / polygon.length
    ring = shapely.get_coordinates(rectangle)
    sides = [math.dist(ring[0], ring[1]), math.dist(ring[1], ring[2])]
    return min(sides)


def characteristic_width_m(geometry: BaseGeometry, crs: pyproj.CRS) -> float:
    """Characteristic width of a subcatchment's overland flow. [m]

    Notes
    -----
    SWMM's rule: width = area / average maximum overland flow length (Rossman 2015, SWMM 5.1
    User's Manual, EPA/600/R-14/413b, ch. 3, Subcatchments; Rossman & Huber 2016, SWMM
    Reference Manual Vol. I Hydrology, EPA/600/R-15/162A, ch. 3). Per polygon,
    W = A / L with L from :func:`overland_flow_length_m`; the parts of a MultiPolygon drain
    side by side, so their widths add. The manual treats width as a calibration parameter:
    give ``width_m`` where it is known.
    """
    return sum(
        plan_area_m2(part, crs) / overland_flow_length_m(part, crs) for part in polygon_parts(geometry)
    )


def outline(geometry: BaseGeometry, crs: pyproj.CRS) -> tuple[tuple[float, float], ...]:
    """Exterior ring (closed) of the polygon, or of a MultiPolygon's largest part, for maps."""
    largest = max(polygon_parts(geometry), key=lambda part: plan_area_m2(part, crs))
    return tuple((float(x), float(y)) for x, y in largest.exterior.coords)


def _to_local_plane(polygon: Polygon, crs: pyproj.CRS) -> Polygon:
    centre = polygon.centroid
    plane = pyproj.CRS.from_dict(
        {"proj": "laea", "lat_0": centre.y, "lon_0": centre.x, "ellps": "WGS84", "units": "m"}
    )
    transformer = pyproj.Transformer.from_crs(crs, plane, always_xy=True)
    return shapely.transform(polygon, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
