"""Storm-intensity formulas.

Reference numbers: the project's reference notes on Beijing storm intensity (copied with their
sources into tests/climate/SOURCES.md): q(60 min) = 99.6, 123.9, 156.1, 180.4, 261.2 L/(s·hm²)
for P = 1, 2, 5, 10, 100 yr under q = 2001(1 + 0.811 lg P)/(t + 8)^0.711; and the Technical
Guide's (p. 9) statement that Beijing's 0.5-yr and 1-yr 1-h rain are about 27.3 and 33.6 mm.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ecocity.climate.idf import depth_mm, idf_names, intensity_l_per_s_ha, load_idf, parse_idf, resolve_idf
from ecocity.errors import InputError

PRINTED = 0.05  # the reference values are printed to 0.1 L/(s·hm²)
GUIDE_ANCHOR_MM = 2.5  # the Guide says "about"; the formula is a different (pre-2016) fit


@pytest.fixture
def classic():
    return load_idf("beijing-classic-zone2")


def test_classic_set_is_shipped_with_provenance(classic):
    assert "beijing-classic-zone2" in idf_names()
    assert (classic.A, classic.C, classic.b, classic.n) == (2001.0, 0.811, 8.0, 0.711)
    assert classic.confidence == "R2"
    assert classic.max_duration_min == 120.0
    assert "2012 draft" in classic.source


@pytest.mark.parametrize(("return_period_yr", "q"), [(1, 99.6), (2, 123.9), (5, 156.1), (10, 180.4), (100, 261.2)])
def test_classic_intensity_at_60_min(classic, return_period_yr, q):
    assert intensity_l_per_s_ha(classic, return_period_yr, 60) == pytest.approx(q, abs=PRINTED)


def test_depth_is_intensity_times_0_006_t(classic):
    t = np.array([5.0, 30.0, 60.0, 120.0])
    assert depth_mm(classic, 2, t) == pytest.approx(intensity_l_per_s_ha(classic, 2, t) * 0.006 * t, rel=1e-12)
    # 1 L/(s·hm²) for 60 min = 3600 L on 10^4 m² = 0.36 mm.
    unit = parse_idf("1,0,0,0.000001")
    assert depth_mm(unit, 1, 60) == pytest.approx(0.36, rel=1e-5)


def test_classic_formula_is_plausible_against_the_guide_1h_anchors(classic):
    assert depth_mm(classic, 0.5, 60) == pytest.approx(27.3, abs=GUIDE_ANCHOR_MM)
    assert depth_mm(classic, 1.0, 60) == pytest.approx(33.6, abs=GUIDE_ANCHOR_MM)


def test_duration_beyond_validity_warns(classic):
    with pytest.warns(UserWarning, match="120-min validity"):
        depth_mm(classic, 2, 180)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        depth_mm(classic, 2, 120)
        depth_mm(parse_idf("2001,0.811,8,0.711"), 2, 1440)  # user sets carry no range


@pytest.mark.parametrize(("p", "t", "field"), [(0, 60, "return_period_yr"), (-1, 60, "return_period_yr"), (2, 0, "duration_min"), (0.01, 60, "return_period_yr")])
def test_non_positive_or_too_short_inputs_are_input_errors(classic, p, t, field):
    with pytest.raises(InputError) as caught:
        intensity_l_per_s_ha(classic, p, t)
    assert caught.value.field == field


@pytest.mark.parametrize("text", ["2001,0.811,8", "a,b,c,d", "2001,0.811,8,1.5", "-5,0.8,8,0.7", ""])
def test_malformed_coefficients_are_input_errors(text):
    with pytest.raises(InputError) as caught:
        parse_idf(text)
    assert caught.value.field == "idf"


def test_resolve_by_name_or_coefficients(classic):
    assert resolve_idf("beijing-classic-zone2") == classic
    user = resolve_idf("2001, 0.811, 8, 0.711")
    assert user.confidence == "user"
    assert intensity_l_per_s_ha(user, 2, 60) == intensity_l_per_s_ha(classic, 2, 60)
    with pytest.raises(InputError, match="unknown storm-intensity set 'db11-zone1'.*beijing-classic-zone2"):
        resolve_idf("db11-zone1")
