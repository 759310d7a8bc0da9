"""Effluent compliance against named standards (wastewater/compliance.py).

Limit values: GB 18918-2002 Table 1 (daily values; copies of the standard's text at
wanglu.net/thread/t12-303798-1.html and cnwushui.cn/a/news/hyxw/394.html agree); DB11/890-2012 and
91/271/EEC as marked in ../shared/references/wastewater.md sec. 2-3. Effluent series are made up;
expected figures are computed by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.compliance import check_compliance, known_standards, standards
from ecocity.wastewater.evaluation import STATE_COLUMNS

STEP_D = 1.0 / 96.0
EXACT = 1e-12


def effluent(days=2, **columns) -> pd.DataFrame:
    """A clean effluent on 15-min samples; every ASM1 column zero unless given, Q 20000 m3/d."""
    index = pd.Index(STEP_D * np.arange(96 * days), name="t")
    data = {name: np.zeros(len(index)) for name in STATE_COLUMNS}
    data["Q"] = np.full(len(index), 20000.0)
    for name, value in columns.items():
        data[name] = np.broadcast_to(np.asarray(value, dtype=float), len(index)).copy()
    return pd.DataFrame(data, index=index)


def check(result, parameter):
    return next(c for c in result.checks if c.parameter == parameter)


@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        ("gb18918_2002_1a", {"COD": 50, "BOD5": 10, "TSS": 10, "TN": 15, "NH3_N": 5, "TP": 0.5}),
        ("gb18918_2002_1b", {"COD": 60, "BOD5": 20, "TSS": 20, "TN": 20, "NH3_N": 8, "TP": 1}),
    ],
)
def test_gb18918_table_1_values(standard, expected):
    limits = standards()[standard]["limits"]
    assert {name: limits[name]["value"] for name in expected} == expected
    cold = {"gb18918_2002_1a": 8.0, "gb18918_2002_1b": 15.0}[standard]  # bracket value, <= 12 °C
    assert limits["NH3_N"]["cold_value"] == cold and limits["NH3_N"]["cold_at_or_below_c"] == 12.0


def test_every_kept_limit_has_a_source_and_no_unverified_value_is_kept():
    for entry in standards().values():
        for limit in entry["limits"].values():
            assert limit["source"]
            assert limit["confidence"] in {"V", "2+", "1", "NF"}
            assert ("value" in limit) == (limit["confidence"] != "NF")


def test_unknown_standard_lists_the_known_ones():
    with pytest.raises(InputError, match="known: gb18918_2002_1a, gb18918_2002_1b, db11_890_2012_a"):
        check_compliance(effluent(), "GB18918")
    assert "uwwtd_91_271_secondary" in known_standards()


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="S_ALK"):
        check_compliance(effluent().drop(columns="S_ALK"), "gb18918_2002_1a")


def test_clean_effluent_is_incomplete_not_a_pass_because_tp_is_not_modelled():
    result = check_compliance(effluent(S_NH=1.0, S_NO=5.0, S_S=10.0), "gb18918_2002_1a", temperature_c=15.0)
    assert result.status == "incomplete"
    assert result.broken == () and result.unchecked == ("TP",)
    assert check(result, "TP").status == "not modelled"
    cod = check(result, "COD")
    assert cod.status == "pass" and cod.flow_weighted_mean_g_per_m3 == pytest.approx(10.0, rel=EXACT)


def test_ammonia_limit_depends_on_water_temperature():
    water = effluent(S_NH=6.0)  # between 5 (> 12 °C) and 8 (<= 12 °C), class 1A
    warm = check_compliance(water, "gb18918_2002_1a", temperature_c=20.0)
    cold = check_compliance(water, "gb18918_2002_1a", temperature_c=12.0)
    assert check(warm, "NH3_N").status == "fail" and warm.status == "fail" and warm.broken == ("NH3_N",)
    assert check(cold, "NH3_N").status == "pass"
    assert check(cold, "NH3_N").limit_g_per_m3 == 8.0


def test_without_temperature_the_warm_ammonia_limit_is_used_and_said():
    result = check_compliance(effluent(S_NH=6.0), "gb18918_2002_1a")
    assert check(result, "NH3_N").status == "fail"
    assert any("temperature not given" in note for note in result.notes)


def test_temperature_series_switches_the_limit_sample_by_sample():
    water = effluent(days=1, S_NH=6.0)
    temperature = pd.Series(np.where(np.arange(96) < 48, 10.0, 14.0), index=water.index)
    nh3 = check(check_compliance(water, "gb18918_2002_1a", temperature_c=temperature), "NH3_N")
    # above the 5 g/m3 limit only in the warm half day (the cold limit is 8): 12 h, 50 %
    assert nh3.hours_above_h == pytest.approx(12.0, rel=EXACT)
    assert nh3.time_above_pct == pytest.approx(50.0, rel=EXACT)
    assert nh3.status == "pass"  # daily value 6.0 against the day's mean limit (8 + 5)/2 = 6.5


def test_a_short_peak_is_reported_but_judged_on_the_daily_value():
    s_nh = np.full(96, 2.0)
    s_nh[:8] = 20.0  # 2 h at 20 g/m3
    result = check_compliance(effluent(days=1, S_NH=s_nh), "gb18918_2002_1a", temperature_c=20.0)
    nh3 = check(result, "NH3_N")
    # daily flow-weighted mean = (8*20 + 88*2)/96 = 3.5 <= 5: pass, with 2 h (8.33 %) above
    assert nh3.status == "pass"
    assert nh3.max_daily_mean_g_per_m3 == pytest.approx(3.5, rel=EXACT)
    assert nh3.hours_above_h == pytest.approx(2.0, rel=EXACT)
    assert nh3.time_above_pct == pytest.approx(100.0 * 2.0 / 24.0, rel=EXACT)


def test_one_failing_day_fails_a_daily_standard():
    s_s = np.concatenate([np.full(96, 40.0), np.full(96, 70.0)])  # COD 40 then 70 g/m3
    result = check_compliance(effluent(days=2, S_S=s_s), "gb18918_2002_1b", temperature_c=20.0)
    cod = check(result, "COD")
    assert cod.status == "fail" and cod.max_daily_mean_g_per_m3 == pytest.approx(70.0, rel=EXACT)
    assert cod.flow_weighted_mean_g_per_m3 == pytest.approx(55.0, rel=EXACT)  # below 60, yet a failing day


def test_annual_mean_basis_for_eu_nitrogen():
    s_no = np.concatenate([np.full(96, 18.0), np.full(96, 10.0)])  # TN 18 then 10: mean 14
    result = check_compliance(effluent(days=2, S_NO=s_no), "uwwtd_91_271_sensitive_10k_100k")
    tn = check(result, "TN")
    assert tn.basis == "annual_mean" and tn.status == "pass"
    assert tn.hours_above_h == pytest.approx(24.0, rel=EXACT)
    assert check(result, "TP").status == "not modelled"


def test_beijing_class_a_limits_are_not_verified_and_never_pass():
    result = check_compliance(effluent(), "db11_890_2012_a")
    assert {c.status for c in result.checks} == {"not verified"}
    assert result.status == "incomplete"
    assert all(c.limit_g_per_m3 is None for c in result.checks)


def test_beijing_class_b_winter_ammonia_limit():
    water = effluent(S_NH=2.0)  # between 1.5 and the winter 2.5 g/m3
    summer = check_compliance(water, "db11_890_2012_b")
    winter = check_compliance(water, "db11_890_2012_b", winter=True)
    assert check(summer, "NH3_N").status == "fail"
    assert check(winter, "NH3_N").status == "pass"
    assert check(summer, "BOD5").status == "not verified"


def test_result_to_dict_is_plain():
    result = check_compliance(effluent(S_NH=6.0), "gb18918_2002_1a", temperature_c=20.0).to_dict()
    assert result["status"] == "fail" and result["broken"] == ["NH3_N"] and result["unchecked"] == ["TP"]
    assert result["checks"][0]["parameter"] == "COD"
