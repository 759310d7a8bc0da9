"""Plan area, overland flow length, characteristic width and outline of subcatchment polygons."""

from __future__ import annotations

import json
import math

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.polygon import orient

from ecocity.district import geometry as geo
from ecocity.district.load import load_district

from .helpers import edit_features, replace_text

GK_117E = pyproj.CRS("EPSG:4548")  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
WGS84 = pyproj.CRS("EPSG:4326")


def test_projected_metre_crs_is_measured_in_the_plane_and_geographic_on_the_ellipsoid():
    assert geo.measurement(GK_117E) == "planar"
    assert geo.measurement(WGS84) == "geodesic"


@pytest.mark.parametrize("crs", ["EPSG:2263", "EPSG:2227"])  # US survey feet
def test_a_crs_in_feet_is_refused(crs):
    with pytest.raises(ValueError, match="metres"):
        geo.measurement(pyproj.CRS(crs))


def test_planar_area_is_shapely_area_without_the_holes():
    outer = box(0, 0, 100, 100)
    with_hole = Polygon(outer.exterior.coords, [box(10, 10, 30, 30).exterior.coords])
    assert geo.plan_area_m2(with_hole, GK_117E) == pytest.approx(with_hole.area, rel=1e-12)
    assert geo.plan_area_m2(with_hole, GK_117E) == pytest.approx(10_000 - 400, rel=1e-12)


def test_geodesic_area_is_pyproj_geod_area_whatever_the_ring_orientation():
    cell = box(116.65, 39.90, 116.652, 39.901)
    expected = abs(WGS84.get_geod().geometry_area_perimeter(cell)[0])
    assert geo.plan_area_m2(cell, WGS84) == pytest.approx(expected, rel=1e-12)
    assert geo.plan_area_m2(cell.reverse(), WGS84) == pytest.approx(expected, rel=1e-12)
    parts = MultiPolygon([cell, affinity.translate(cell, 0.01).reverse()])
    assert geo.plan_area_m2(parts, WGS84) == pytest.approx(2 * expected, rel=1e-6)


def with_hole(outer: Polygon, hole: Polygon, hole_winding: str) -> Polygon:
    """``outer`` wound counter-clockwise, ``hole`` clockwise (``"opposite"``, the OGC way) or not (``"same"``)."""
    sign = -1.0 if hole_winding == "opposite" else 1.0
    return Polygon(orient(outer, 1.0).exterior.coords, [orient(hole, sign).exterior.coords])


@pytest.mark.parametrize("hole_winding", ["opposite", "same"])
def test_a_hole_is_subtracted_whatever_its_winding(hole_winding):
    # Planar: 100 m square minus a 20 m square hole.
    flat = with_hole(box(0, 0, 100, 100), box(10, 10, 30, 30), hole_winding)
    assert geo.plan_area_m2(flat, GK_117E) == pytest.approx(10_000 - 400, rel=1e-12)
    # Geodesic: the cell minus its quarter-size hole is 3/4 of the cell (to the cell's curvature, ~1e-6).
    cell, hole = box(116.65, 39.90, 116.652, 39.902), box(116.6505, 39.9005, 116.6515, 39.9015)
    whole = abs(WGS84.get_geod().geometry_area_perimeter(cell)[0])
    curved = with_hole(cell, hole, hole_winding)
    assert geo.plan_area_m2(curved, WGS84) == pytest.approx(0.75 * whole, rel=1e-4)
    assert geo.plan_area_m2(MultiPolygon([curved]), WGS84) == pytest.approx(0.75 * whole, rel=1e-4)


WEB_MERCATOR = pyproj.CRS("EPSG:3857")


def reprojected(geometry, source: pyproj.CRS, target: pyproj.CRS):
    transformer = pyproj.Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def test_web_mercator_areal_scale_at_beijing_is_one_over_cos_squared_latitude():
    # Mercator's scale is sec(phi) in both directions on the sphere (Snyder 1987, USGS Professional Paper 1395, ch. 7);
    # on the ellipsoid, Web Mercator's differs from sec^2(phi) by the flattening, ~0.5 %.
    point = reprojected(shapely.Point(116.4, 39.9), WGS84, WEB_MERCATOR)
    assert geo.areal_scale(point, WEB_MERCATOR) == pytest.approx(1 / math.cos(math.radians(39.9)) ** 2, rel=0.01)
    assert geo.areal_scale(box(470_000, 4_418_000, 470_100, 4_418_100), GK_117E) == pytest.approx(1.0, abs=1e-3)


def test_a_distorting_projected_crs_is_measured_on_the_ellipsoid():
    """A 300 m x 40 m block near Beijing drawn in Web Mercator: area and width as in GK CM 117E, not 1.7x."""
    block = affinity.rotate(box(470_000, 4_418_000, 470_300, 4_418_040), 25)
    mercator = reprojected(block, GK_117E, WEB_MERCATOR)
    assert mercator.area / block.area == pytest.approx(1.70, rel=0.01)  # what a planar measurement would give
    # GK CM 117E's own areal scale here is 1 + ~1e-4, so the two agree to 0.1 %.
    assert geo.plan_area_m2(mercator, WEB_MERCATOR) == pytest.approx(block.area, rel=1e-3)
    assert geo.overland_flow_length_m(mercator, WEB_MERCATOR) == pytest.approx(40.0, rel=1e-3)
    assert geo.characteristic_width_m(mercator, WEB_MERCATOR) == pytest.approx(300.0, rel=1e-3)


def test_geographic_district_areas_match_its_projected_twin(small_copy):
    """The same polygons in EPSG:4326 and in GK CM 117E: areas agree to GK scale error (< 0.1 %)."""
    projected = load_district(small_copy)
    to_lonlat = pyproj.Transformer.from_crs(GK_117E, WGS84, always_xy=True)

    def reproject(features):
        for feature in features:
            ring = feature["geometry"]["coordinates"][0]
            feature["geometry"]["coordinates"][0] = [list(to_lonlat.transform(x, y)) for x, y in ring]

    edit_features(small_copy, reproject)
    replace_text(small_copy / "district.toml", '"EPSG:4548"', '"EPSG:4326"')
    geographic = load_district(small_copy)
    for flat, curved in zip(projected.subcatchments, geographic.subcatchments, strict=True):
        assert curved.area_m2 == pytest.approx(flat.area_m2, rel=1e-3)
        ring = Polygon(curved.polygon)
        assert curved.area_m2 == pytest.approx(abs(WGS84.get_geod().geometry_area_perimeter(ring)[0]), rel=1e-9)
        if flat.id != "RD":  # RD's width is given
            assert curved.width_m == pytest.approx(flat.width_m, rel=1e-2)


def test_flow_length_is_the_short_side_of_the_minimum_rotated_rectangle():
    strip = affinity.rotate(box(0, 0, 400, 30), 37, origin="centroid")
    assert geo.overland_flow_length_m(strip, GK_117E) == pytest.approx(30.0, rel=1e-9)


@given(
    long_m=st.floats(1.0, 2000.0),
    short_m=st.floats(1.0, 2000.0),
    angle_deg=st.floats(0.0, 180.0),
)
def test_width_of_a_rectangle_is_its_long_side_and_width_times_flow_length_is_area(long_m, short_m, angle_deg):
    rectangle = affinity.rotate(box(470_000, 4_418_000, 470_000 + long_m, 4_418_000 + short_m), angle_deg)
    width = geo.characteristic_width_m(rectangle, GK_117E)
    assert width == pytest.approx(max(long_m, short_m), rel=1e-6)
    assert width * geo.overland_flow_length_m(rectangle, GK_117E) == pytest.approx(rectangle.area, rel=1e-6)


def test_an_l_of_two_strips_drains_across_the_strips_not_across_its_bounding_square():
    # Two 10 m strips, 100 m long outside: A = 1000 + 900 = 1900 m², P = 400 m, so L = 2A/P = 9.5 m
    # (the strips' width, 10 m, to the w*l/(l + w) of the equivalent-rectangle limit) and W = A/L = 200 m.
    # The minimum rotated rectangle is the 100 m square: its short side would say 100 m, W = 19 m.
    ell = affinity.rotate(Polygon([(0, 0), (100, 0), (100, 10), (10, 10), (10, 100), (0, 100)]), 20)
    assert shapely.oriented_envelope(ell).area == pytest.approx(10_000, rel=1e-9)
    assert geo.overland_flow_length_m(ell, GK_117E) == pytest.approx(9.5, rel=1e-9)
    assert geo.characteristic_width_m(ell, GK_117E) == pytest.approx(200.0, rel=1e-9)
    # The same L on the ellipsoid (drawn in longitude/latitude near Beijing) gets the same width.
    placed = affinity.translate(ell, 470_000, 4_418_000)
    assert geo.characteristic_width_m(reprojected(placed, GK_117E, WGS84), WGS84) == pytest.approx(200.0, rel=1e-3)


def test_a_square_is_as_wide_as_its_side():
    assert geo.characteristic_width_m(box(0, 0, 120, 120), GK_117E) == pytest.approx(120.0, rel=1e-12)


def test_widths_of_multipolygon_parts_add_and_the_outline_is_the_largest_part():
    big, small = box(0, 0, 200, 100), box(500, 0, 550, 50)
    parts = MultiPolygon([small, big])
    assert geo.characteristic_width_m(parts, GK_117E) == pytest.approx(200.0 + 50.0, rel=1e-12)
    assert Polygon(geo.outline(parts, GK_117E)).equals(big)


def test_outline_is_the_closed_exterior_ring_as_float_pairs():
    ring = geo.outline(box(0, 0, 2, 1), GK_117E)
    assert ring[0] == ring[-1] and all(isinstance(c, float) for xy in ring for c in xy)


@pytest.mark.parametrize(
    ("make_geometry", "problem"),
    [
        (lambda: Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]), "Self-intersection"),
        (lambda: Polygon([(0, 0), (5, 0), (10, 0)]), "invalid"),
        (lambda: shapely.Point(0, 0), "Polygon or MultiPolygon"),
        (lambda: Polygon(), "empty"),
        (lambda: Polygon([(0, 0), (math.inf, 0), (1, 1)]), "non-finite"),
    ],
    ids=["bow tie", "zero area", "point", "empty", "infinite coordinate"],
)
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_geometry_problem_names_what_is_wrong(make_geometry, problem):
    assert problem in geo.geometry_problem(make_geometry())


def test_a_valid_polygon_has_no_problem():
    assert geo.geometry_problem(box(0, 0, 1, 1)) is None


def test_geojson_feature_without_geometry_needs_both_area_and_width(small_copy):
    def drop_geometry(features):
        features[0]["geometry"] = None
        features[0]["properties"].update(area_m2=1234.0, width_m=56.0)

    edit_features(small_copy, drop_geometry)
    r1 = load_district(small_copy).subcatchments[0]
    assert (r1.area_m2, r1.width_m, r1.polygon) == (1234.0, 56.0, ())
    assert json.loads((small_copy / "subcatchments.geojson").read_text())["features"][0]["geometry"] is None
