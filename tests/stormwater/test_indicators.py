"""Sponge-city indicators on hand-computed cases.

References
----------
- MOHURD (2014) 海绵城市建设技术指南 (Sponge City Technical Guide): Table 4-3 volume runoff
  coefficients (p. 50); §4.3 (p. 12): annual SS removal = annual runoff capture ratio × SS
  removal rate of the facilities.
- GB/T 51345-2018: annual runoff volume capture ratio; share of the built-up area meeting it.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecocity.district.model import LandCover
from ecocity.stormwater import indicators as ind


def test_volume_runoff_coefficients_are_the_guide_table_4_3_midpoints():
    phi = ind.volume_runoff_coefficients()
    # Guide Table 4-3: hard roof 0.80-0.90, asphalt road 0.80-0.90, green land 0.15, water 1.00
    assert phi["roof"].value == pytest.approx(0.85)
    assert phi["green"].value == pytest.approx(0.15)
    assert phi["water"].value == pytest.approx(1.00)
    assert all(item.confidence == "V" for item in phi.values())


def test_composite_emc_weights_each_cover_by_its_runoff():
    # half roof (phi 0.85, 117.25 mg/L) and half green (phi 0.15, 50 mg/L), by hand:
    expected = (0.5 * 0.85 * 117.25 + 0.5 * 0.15 * 50.0) / (0.5 * 0.85 + 0.5 * 0.15)
    assert ind.composite_emc_mg_per_l(LandCover(roof=0.5, green=0.5)) == pytest.approx(expected, rel=1e-12)


def test_pure_cover_emc_is_that_cover_emc():
    assert ind.composite_emc_mg_per_l(LandCover(road=1.0)) == pytest.approx(280.20)


def _chain():
    # A drains onto B; B and C drain to node J1. Volumes in m3.
    idx = pd.Index(["A", "B", "C"])
    rain = pd.Series([100.0, 200.0, 300.0], index=idx)
    runoff = pd.Series([60.0, 90.0, 30.0], index=idx)
    outlet = pd.Series(["B", "J1", "J1"], index=idx)
    return rain, runoff, outlet


def test_subcatchment_capture_ratio_counts_run_on():
    rain, runoff, outlet = _chain()
    ratio = ind.subcatchment_capture_ratio(rain, runoff, outlet)
    assert ratio["A"] == pytest.approx(1 - 60 / 100)
    assert ratio["B"] == pytest.approx(1 - 90 / (200 + 60))  # B receives A's 60 m3
    assert ratio["C"] == pytest.approx(1 - 30 / 300)


def test_group_capture_ratio_counts_only_what_leaves_the_group():
    rain, runoff, outlet = _chain()
    district = ind.group_capture_ratio(rain, runoff, outlet, pd.Series("d", index=rain.index))
    assert district["d"] == pytest.approx(1 - (90 + 30) / 600)
    # A alone in group "up": its runoff leaves the group onto B
    groups = pd.Series(["up", "down", "down"], index=rain.index)
    by_group = ind.group_capture_ratio(rain, runoff, outlet, groups)
    assert by_group["up"] == pytest.approx(1 - 60 / 100)
    # "down" receives its own 500 m3 of rain and A's 60 m3, and discharges 90 + 30 m3
    assert by_group["down"] == pytest.approx(1 - 120 / 560)


def test_one_subcatchment_groups_agree_with_the_subcatchment_ratio():
    rain, runoff, outlet = _chain()
    own = pd.Series(rain.index, index=rain.index)
    by_group = ind.group_capture_ratio(rain, runoff, outlet, own)
    by_subcatchment = ind.subcatchment_capture_ratio(rain, runoff, outlet)
    assert by_group.sort_index().tolist() == pytest.approx(by_subcatchment.sort_index().tolist())


def test_runon_sums_what_is_routed_onto_each_subcatchment():
    _, runoff, outlet = _chain()
    assert ind.runon_m3(runoff, outlet).tolist() == pytest.approx([0.0, 60.0, 0.0])


def test_tss_load_is_emc_times_phi_times_rain():
    # Guide §4.3: weight by annual runoff = rainfall x phi x area; roof phi 0.85, EMC 117.25 mg/L
    rain = pd.Series([1000.0], index=["R"])
    load, emc = ind.tss_load_kg(rain, pd.Series([LandCover(roof=1.0)], index=["R"]))
    assert emc["R"] == pytest.approx(117.25)
    assert load["R"] == pytest.approx(117.25 * 0.85 * 1000.0 * 1e-3)


def test_tss_reduction_of_one_facility_is_capture_times_removal():
    # Guide §4.3: annual SS removal = capture ratio of the facility x its SS removal rate.
    # One subcatchment generating 1000 m3/yr; a bioretention cell treats 850 m3 (85 % of the
    # runoff) at 85 % SS removal (Table 4-1, complex bioretention 70-95 %, midpoint 82.5 %
    # in the catalogue; 0.85 here is just the test's rate).
    emc = pd.Series([200.0], index=["S1"])
    load = 1000.0 * emc * 1e-3  # 1000 m3/yr of runoff at 200 mg/L
    treated = pd.Series([850.0], index=["u1"])
    where = pd.Series(["S1"], index=["u1"])
    removal = pd.Series([0.85], index=["u1"])
    out = ind.tss_load_reduction(load, emc, treated, where, removal)
    assert out["district"] == pytest.approx(0.85 * 0.85, rel=1e-12)


def test_tss_reduction_is_load_weighted_across_subcatchments():
    emc = pd.Series([300.0, 100.0], index=["R", "G"])
    load = 1000.0 * emc * 1e-3
    treated = pd.Series([500.0], index=["u"])
    where = pd.Series(["R"], index=["u"])
    removal = pd.Series([0.8], index=["u"])
    out = ind.tss_load_reduction(load, emc, treated, where, removal)
    # removed 0.8*300*500 g = 120 kg of (300+100)*1000 g = 400 kg
    assert out["district"] == pytest.approx(120.0 / 400.0)
    groups = pd.Series(["a", "b"], index=["R", "G"])
    per_group = ind.tss_load_reduction(load, emc, treated, where, removal, group=groups)
    assert per_group["a"] == pytest.approx(0.4) and per_group["b"] == 0.0


def test_share_meeting_target_counts_area_not_plots():
    area = pd.Series([1.0, 3.0, 6.0], index=["a", "b", "c"])
    ratio = pd.Series([0.9, 0.85, 0.5], index=["a", "b", "c"])
    assert ind.share_meeting_target(area, ratio, 0.85) == pytest.approx(0.4)


def test_share_meeting_target_treats_missing_as_failing():
    area = pd.Series([1.0, 1.0], index=["a", "b"])
    ratio = pd.Series([np.nan, 0.9], index=["a", "b"])
    assert ind.share_meeting_target(area, ratio, 0.85) == pytest.approx(0.5)


def test_reduction_against_baseline():
    assert ind.reduction(10.0, 7.5) == pytest.approx(0.25)
    assert np.isnan(ind.reduction(0.0, 1.0))


@given(
    st.lists(st.floats(1.0, 1e4), min_size=1, max_size=8),
    st.floats(0.0, 1.0),
)
def test_capture_ratio_lies_between_zero_and_one_when_runoff_at_most_rain(rain, frac):
    idx = [f"S{i}" for i in range(len(rain))]
    rain_s = pd.Series(rain, index=idx)
    runoff = rain_s * frac
    outlet = pd.Series("J", index=idx)
    ratio = ind.group_capture_ratio(rain_s, runoff, outlet, pd.Series("d", index=idx))
    assert 0.0 <= ratio["d"] <= 1.0
    assert ratio["d"] == pytest.approx(1.0 - frac, abs=1e-9)


def test_every_constant_has_a_source_and_a_confidence_mark():
    rows = ind.cited_constants()
    assert rows and all(r["source"] and r["confidence"] in {"V", "R2", "S1", "assumed"} for r in rows)
