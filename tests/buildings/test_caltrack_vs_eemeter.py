"""ecocity's CalTRACK 2.0 daily, billing and hourly fits against eemeter 2.10.11 on its sample meters.

Reference: eemeter 2.10.11 (OpenEEmeter, Apache-2.0), the reference implementation of CalTRACK
2.0: ``fit_caltrack_usage_per_day_model`` on its CalTRACK design matrix (balance points 30–90 °F
in 1 °F steps; billing presets weighted by ``n_days_kept``; no cooling models for gas, CalTRACK
3.4.3.1). The fixtures in ``tests/data/buildings/eemeter/`` were produced by
``benchmarks/peers/eemeter2_fit.py --export-samples`` in ``benchmarks/.venv-eemeter2`` (see
SOURCES.md there). Issue 5's criterion: same selected model, same balance points, coefficients
within 1 %. eemeter works in °F: its balance points are converted with (F − 32)/1.8 and its
betas per °F-day multiplied by 1.8 to per °C-day.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ct = pytest.importorskip("ecocity.buildings.caltrack")

DATA = Path(__file__).parents[1] / "data" / "buildings" / "eemeter"
COEFFICIENT_REL = 0.01  # issue 5: coefficients within 1 %
BALANCE_ABS_C = 1e-9  # same grid point (°F grid converted to °C)
METRIC_REL = 1e-6  # R², CV(RMSE) of the same least-squares fit

DAILY = ["il-electricity-cdd-hdd-daily", "il-electricity-cdd-only-daily", "il-gas-hdd-only-daily",
         "il-gas-intercept-only-daily"]  # fmt: skip
BILLING = [f"{kind}-billing_{freq}" for kind in ("il-electricity-cdd-hdd", "il-electricity-cdd-only",
                                                  "il-gas-hdd-only", "il-gas-intercept-only")
           for freq in ("monthly", "bimonthly")]  # fmt: skip


#: eemeter's model names -> ecocity's (ecocity writes the heating term first)
MODEL_NAMES = {"intercept_only": "intercept_only", "hdd_only": "hdd_only", "cdd_only": "cdd_only", "cdd_hdd": "hdd_cdd"}


#: samples whose best candidates tie in adjusted R² to 1e-10 (only one bimonthly period has heating
#: degree days, so every heating balance point from 30 °F up fits it exactly): eemeter's pick among
#: the tied ones is floating-point noise, so there the test takes eemeter's candidate at our balance
#: point and requires it to be tied with eemeter's selection
TIED = {"il-gas-intercept-only-billing_bimonthly"}
TIE_ADJ_R2 = 1e-9


def _tied_reference(ours, ref: dict) -> dict:
    """eemeter's qualified candidate at ours' balance points, checked to tie with its selection."""
    columns = ref["qualified_candidates_columns"]
    for row in ref["qualified_candidates"]:
        cand = dict(zip(columns, row))
        h, c = cand["heating_balance_f"], cand["cooling_balance_f"]
        same_h = (h is None) == (ours.heating_balance_c is None) and (
            h is None or abs((h - 32) / 1.8 - ours.heating_balance_c) < BALANCE_ABS_C)
        same_c = (c is None) == (ours.cooling_balance_c is None) and (
            c is None or abs((c - 32) / 1.8 - ours.cooling_balance_c) < BALANCE_ABS_C)
        if same_h and same_c:
            assert cand["r_squared_adj"] == pytest.approx(ref["r_squared_adj"], abs=TIE_ADJ_R2)
            out = dict(ref)
            out.update({
                "model_type": cand["model_type"],
                "heating_balance_c": None if h is None else (h - 32) / 1.8,
                "cooling_balance_c": None if c is None else (c - 32) / 1.8,
                "intercept_per_d": cand["intercept_per_d"],
                "beta_hdd_per_c_day": None if cand["beta_hdd_per_f_day"] is None else cand["beta_hdd_per_f_day"] * 1.8,
                "beta_cdd_per_c_day": None if cand["beta_cdd_per_f_day"] is None else cand["beta_cdd_per_f_day"] * 1.8,
            })  # fmt: skip
            return out
    raise AssertionError("our balance points are not among eemeter's best qualified candidates")


def _fixture(name: str) -> dict:
    return json.loads((DATA / f"{name}.eemeter2.json").read_text())


#: the billing samples' periods start at 06:00 UTC, midnight of a fixed UTC−6 clock; eemeter groups a
#: period's hours in 24-hour blocks from its start, so its daily means are on UTC−6 days
BILLING_CLOCK = "Etc/GMT+6"


def _daily_temperature(label: str, tz: str) -> pd.Series:
    """eemeter's daily mean temperatures (> 12 of 24 hours) on UTC or UTC−6 days. [°C]"""
    frame = pd.read_csv(DATA / f"il-temperature-daily-{label}.csv")
    index = pd.DatetimeIndex(pd.to_datetime(frame["date"]).dt.tz_localize(tz))
    return pd.Series(frame["temperature_mean_c"].to_numpy(), index=index, name="temperature_c")


def _assert_same_model(ours, ref: dict) -> None:
    assert ours.model_type == MODEL_NAMES[ref["model_type"]]
    for side in ("heating", "cooling"):
        ref_c = ref[f"{side}_balance_c"]
        got = getattr(ours, f"{side}_balance_c")
        if ref_c is None:
            assert got is None
        else:
            assert got == pytest.approx(ref_c, abs=BALANCE_ABS_C)
    assert ours.intercept_kwh_per_d == pytest.approx(ref["intercept_per_d"], rel=COEFFICIENT_REL)
    for kind in ("hdd", "cdd"):
        ref_beta = ref[f"beta_{kind}_per_c_day"]
        got = getattr(ours, f"beta_{kind}_kwh_per_c_day")
        assert got == pytest.approx(0.0 if ref_beta is None else ref_beta, rel=COEFFICIENT_REL, abs=1e-12)


@pytest.mark.parametrize("name", DAILY)
def test_daily_fit_matches_eemeter_2_10_11(name):
    ref = _fixture(name)
    frame = pd.read_csv(DATA / f"{name}.daily.csv")
    index = pd.DatetimeIndex(pd.to_datetime(frame["date"]).dt.tz_localize("UTC"))
    usage = pd.Series(frame["usage_per_d"].to_numpy(), index=index, name="value")
    temperature = pd.Series(frame["temperature_mean_c"].to_numpy(), index=index, name="temperature_c")
    ours = ct.fit_daily(usage, temperature, settings={"fit_cdd": ref["fit_cdd"]})
    _assert_same_model(ours, ref)
    assert ours.adj_r_squared == pytest.approx(ref["r_squared_adj"], rel=METRIC_REL)
    assert ours.r_squared == pytest.approx(ref["r_squared"], rel=METRIC_REL)
    assert ours.cvrmse == pytest.approx(ref["cvrmse_adj"], rel=METRIC_REL)


@pytest.mark.parametrize("name", BILLING)
def test_billing_fit_matches_eemeter_2_10_11(name):
    ref = _fixture(name)
    frame = pd.read_csv(DATA / f"{name}.periods.csv")
    periods = pd.DataFrame({
        "start": pd.to_datetime(frame["start"], utc=True).dt.tz_convert(BILLING_CLOCK),
        "end": pd.to_datetime(frame["end"], utc=True).dt.tz_convert(BILLING_CLOCK),
        "value": frame["usage"].to_numpy(),
    })  # fmt: skip
    # eemeter 2.10.11 averages a billing period's temperature over its first 35 days only
    settings = {"fit_cdd": ref["fit_cdd"], "temperature_window_days": 35}
    ours = ct.fit_billing(periods, _daily_temperature("utc-6", BILLING_CLOCK), settings=settings)
    _assert_same_model(ours, _tied_reference(ours, ref) if name in TIED else ref)
    assert ours.adj_r_squared == pytest.approx(ref["r_squared_adj"], rel=METRIC_REL)


def test_fixtures_record_the_caltrack_grid_and_eemeter_version():
    for name in DAILY + BILLING:
        ref = _fixture(name)
        assert ref["eemeter_version"] == "2.10.11"
        assert ref["status"] == "SUCCESS"
        assert ref["fit_cdd"] == ("-gas-" not in name)
        # the selected model is the best qualified candidate by adjusted R² (CalTRACK 3.4.3.2)
        best = ref["qualified_candidates"][0]
        assert best[0] == ref["model_type"] and best[3] == pytest.approx(ref["r_squared_adj"], abs=1e-9)


def test_hourly_model_matches_eemeter_2_10_11_bins_and_occupancy():
    # eemeter 2.10.11's CalTRACK 2.0 hourly pipeline (three-month weighted segments, one set of
    # temperature bins per segment from 30/45/55/65/75/90 °F, occupancy where > 65 % of the
    # residuals of the hour of week are positive) on the baseline year of its hourly sample
    hourly = pytest.importorskip("ecocity.buildings.hourly")
    ref = json.loads((DATA / "il-electricity-cdd-hdd-hourly.eemeter2.json").read_text())
    frame = pd.read_csv(DATA / "il-electricity-cdd-hdd-hourly.csv.gz")
    index = pd.DatetimeIndex(pd.to_datetime(frame["start"], utc=True))
    usage = pd.Series(frame["value"].to_numpy(), index=index, name="value")
    temperature = pd.Series(frame["temperature_c"].to_numpy(), index=index, name="temperature_c")
    model = hourly.fit_hourly(usage, temperature)
    ours = {s.name: s for s in model.segments}
    assert set(ours) == set(ref["segments"])
    for name, seg in ref["segments"].items():
        bins_f = [x * 1.8 + 32.0 for x in ours[name].bin_endpoints_c]
        assert bins_f == pytest.approx([float(x) for x in seg["bin_endpoints_f"]], abs=1e-9), name
        occupancy = "".join("1" if x else "0" for x in ours[name].occupancy)
        assert occupancy == ref["occupancy"][name], name
