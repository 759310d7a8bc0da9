"""Portfolio ranking and Beijing-style quotas.

References: the revised-method worked example (30 000 m2 office, 2.62/2.71/2.61/2.73/2.74 GWh in
2015-2019; https://1haxlb.cn/news/531.html, buildings.md sec. 5) and the 2014 rule's 6 %/12 %
reduction rates (2013 announcement, sec. 5); grid factors from ecocity.buildings.emissions (data/emission_factors.toml); prices from
data/prices.toml (buildings.md sec. 4).
"""

import math

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings import portfolio as pf
from ecocity.errors import InputError
from ecocity.buildings.emissions import grid_factor

HISTORY_GWH = [2.62, 2.71, 2.61, 2.73, 2.74]


def test_cited_price_is_loaded_with_its_source():
    p = pf.price("beijing-2024-07-office-day")
    assert (p.value, p.currency, p.confidence) == (0.780, "CNY", "C")
    assert pf.price("copenhagen-hofor-2024-09", "heat").value == pytest.approx(564.30 / 1000, rel=1e-12)
    with pytest.raises(InputError, match="prices.toml"):
        pf.price("nowhere")


def test_savings_potential_kwh_yuan_co2():
    # 30 000 m2 at 100 kWh/m2 against a guide of 70: 900 MWh above the guide
    sp = pf.savings_potential(3.0e6, 30_000.0, 70.0, price_per_kwh=pf.price("beijing-2024-07-office-day"),
                              grid="beijing-2022")
    assert sp.energy_kwh == pytest.approx(9.0e5, rel=1e-12)
    assert sp.cost == pytest.approx(9.0e5 * 0.780, rel=1e-12) and sp.currency == "CNY"
    assert sp.t_co2 == pytest.approx(9.0e5 * grid_factor("beijing-2022").kg_co2e_per_kwh / 1000, rel=1e-12)
    assert sp.t_co2 == pytest.approx(502.2, rel=1e-3)                  # 0.5580 t/MWh x 900 MWh


def test_below_guide_has_no_potential():
    assert pf.savings_potential(1.0e6, 30_000.0, 70.0).energy_kwh == 0.0


def test_rank_portfolio_orders_by_potential():
    table = pd.DataFrame({"annual_kwh": [3.0e6, 1.0e6, 5.0e6, 2.0e6],
                          "floor_area_m2": [30_000, 20_000, 40_000, 10_000],
                          "guide_eui_kwh_per_m2": [70.0, 70.0, 80.0, float("nan")]},
                         index=pd.Index(["a", "b", "c", "d"], name="building_id"))
    ranked = pf.rank_portfolio(table, price_per_kwh=0.78, grid="beijing-2022")
    assert list(ranked.index) == ["c", "a", "b", "d"]      # 1.8 GWh, 0.9 GWh, 0, NaN
    assert ranked.loc["c", "potential_kwh"] == pytest.approx(1.8e6, rel=1e-12)
    assert ranked.loc["a", "potential_cost"] == pytest.approx(0.9e6 * 0.78, rel=1e-12)
    assert math.isnan(ranked.loc["d", "potential_kwh"])
    assert ranked.loc["d", "eui_percentile"] == pytest.approx(100.0)   # 200 kWh/m2, the highest
    assert list(ranked["rank"]) == [1, 2, 3, 4]


def test_rank_portfolio_per_row_grid_and_missing_columns():
    table = pd.DataFrame({"annual_kwh": [3.0e6], "floor_area_m2": [30_000], "guide_eui_kwh_per_m2": [70.0],
                          "grid": ["denmark-2023"]}, index=["cph"])
    ranked = pf.rank_portfolio(table, grid="beijing-2022")
    assert ranked.loc["cph", "potential_t_co2"] == pytest.approx(9.0e5 * 0.096 / 1000, rel=1e-12)
    with pytest.raises(InputError, match="guide_eui_kwh_per_m2"):
        pf.rank_portfolio(table.drop(columns="guide_eui_kwh_per_m2"))


def test_quota_2014_rule_reproduces_reduction_rates():
    hist = [g * 1e6 for g in HISTORY_GWH]
    mean = np.mean(hist)
    assert mean == pytest.approx(2.682e6, rel=1e-12)
    q14 = pf.quota_kwh(hist, 0.06)
    q15 = pf.quota_kwh(hist, 0.12)
    assert q14.quota_kwh == pytest.approx(2.682e6 * 0.94, rel=1e-12)
    assert q15.quota_kwh == pytest.approx(2.682e6 * 0.88, rel=1e-12)
    assert q14.verified and q14.years_used == 5


def test_quota_revised_rule_is_min_of_history_and_type_average_and_unverified():
    hist = [g * 1e6 for g in HISTORY_GWH]
    # same-type intensity chosen for the test (the source's value is cut off): 85 kWh/m2 -> 2.55 GWh
    q = pf.quota_kwh(hist, 0.0, "beijing-revised", floor_area_m2=30_000, type_intensity_kwh_per_m2=85.0)
    assert q.quota_kwh == pytest.approx(2.55e6, rel=1e-12)
    assert q.own_history_kwh == pytest.approx(2.682e6, rel=1e-12)
    assert not q.verified and "not found" in q.note
    q_hi = pf.quota_kwh(hist, 0.0, "beijing-revised", floor_area_m2=30_000, type_intensity_kwh_per_m2=100.0)
    assert q_hi.quota_kwh == pytest.approx(2.682e6, rel=1e-12)
    with pytest.raises(InputError, match="Q2"):
        pf.quota_kwh(hist, 0.0, "beijing-revised")


def test_quota_uses_only_last_five_years():
    q = pf.quota_kwh([10.0e6, *[g * 1e6 for g in HISTORY_GWH]], 0.0)
    assert q.quota_kwh == pytest.approx(2.682e6, rel=1e-12)


def test_quota_tracking_prorates_by_days():
    days = pd.date_range("2024-01-01", "2024-03-31", freq="D")          # 91 days of a leap year
    usage = pd.Series(10_000.0, index=days)
    st = pf.quota_tracking(usage, 3.66e6, 2024)
    assert st.prorated_quota_kwh == pytest.approx(3.66e6 * 91 / 366, rel=1e-12)
    assert st.ratio == pytest.approx(910_000 / (3.66e6 * 91 / 366), rel=1e-12)
    assert st.projected_annual_kwh == pytest.approx(3.66e6, rel=1e-12)


def test_quota_tracking_with_monthly_profile():
    days = pd.date_range("2023-01-01", "2023-01-31", freq="D")
    usage = pd.Series(100.0, index=days)
    profile = [2.0] + [1.0] * 11                                         # January is 2/13 of the year
    st = pf.quota_tracking(usage, 13_000.0, 2023, monthly_profile=profile)
    assert st.prorated_quota_kwh == pytest.approx(2_000.0, rel=1e-12)
    assert st.ratio == pytest.approx(3_100.0 / 2_000.0, rel=1e-12)


def test_penalty_risk_needs_two_consecutive_years_over_120_percent():
    assert pf.penalty_risk([130, 125, 100], [100, 100, 100])
    assert not pf.penalty_risk([130, 100, 125], [100, 100, 100])
    assert not pf.penalty_risk([120, 120], [100, 100])
