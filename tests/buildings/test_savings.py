"""Savings (IPMVP option C) on a hand-made baseline model whose truth is known.

The hand-made model's FSU is the ASHRAE Guideline 14-2014 Annex B formula (as used by CalTRACK):
FSU = 1.26 t sqrt(CV^2 (n/n') (1 + 2/n) / m) / F, with n' = n (1 - rho)/(1 + rho); here rho = 0.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from ecocity.buildings import savings as sv
from ecocity.errors import InputError


@dataclass(frozen=True)
class HeatingModel:
    """use = intercept + beta * max(0, balance - T). [kWh/d]"""

    intercept_kwh_per_d: float = 100.0
    beta_hdd_kwh_per_c_day: float = 5.0
    heating_balance_c: float = 15.0
    cvrmse: float = 0.10
    n_days: int = 365

    def predict(self, temperature_c_daily):
        t = temperature_c_daily.astype(float)
        return self.intercept_kwh_per_d + self.beta_hdd_kwh_per_c_day * np.maximum(0.0, self.heating_balance_c - t)

    def fractional_savings_uncertainty(self, reporting_days, savings_fraction, confidence=0.9):
        tval = student_t.ppf(0.5 + confidence / 2, self.n_days - 2)
        n = self.n_days
        return 1.26 * tval * math.sqrt(self.cvrmse**2 * (1 + 2 / n) / reporting_days) / savings_fraction


def _year_temperature(start="2024-01-01", days=365, hourly=False):
    idx = pd.date_range(start, periods=days * (24 if hourly else 1), freq="h" if hourly else "D")
    doy = (idx.day_of_year.to_numpy() - 1) + (idx.hour.to_numpy() / 24 if hourly else 0)
    return pd.Series(12.8 - 14.0 * np.cos(2 * np.pi * (doy - 15) / 365), index=idx, name="temperature")


def test_model_satisfies_protocol():
    assert isinstance(HeatingModel(), sv.SavingsModel)


def test_avoided_energy_is_twenty_percent_of_prediction():
    m = HeatingModel()
    temp = _year_temperature()
    usage = (0.8 * m.predict(temp)).rename("value")
    r = sv.avoided_energy(m, usage, temp)
    assert r.savings_fraction == pytest.approx(0.2, rel=1e-12)
    assert r.avoided_kwh == pytest.approx(0.2 * r.predicted_kwh, rel=1e-12)
    assert r.reporting_days == 365 and r.days_missing == 0
    assert r.daily["avoided_kwh"].sum() == pytest.approx(r.avoided_kwh, rel=1e-12)


def test_bands_follow_fsu_and_widen_with_confidence():
    m = HeatingModel()
    temp = _year_temperature()
    r = sv.avoided_energy(m, 0.8 * m.predict(temp), temp)
    for c in (0.68, 0.90):
        lo, hi = r.band_kwh[c]
        assert hi - r.avoided_kwh == pytest.approx(r.avoided_kwh * r.fsu[c], rel=1e-12)
        assert r.avoided_kwh - lo == pytest.approx(hi - r.avoided_kwh, rel=1e-12)
    assert r.fsu[0.90] > r.fsu[0.68]
    # G14 FSU with CV 10 %, F 20 %, n = m = 365, 90 %: 1.26 * 1.649 * 0.1/0.2 * sqrt(1.0055/365) = 0.0545
    assert r.fsu[0.90] == pytest.approx(0.0545, abs=5e-4)
    assert r.significant_at_90


def test_hourly_reporting_temperature_is_averaged_to_days():
    m = HeatingModel()
    hourly = _year_temperature(hourly=True)
    daily = sv.daily_mean_temperature(hourly)
    assert len(daily) == 365
    r = sv.avoided_energy(m, 0.9 * m.predict(daily), hourly)
    assert r.savings_fraction == pytest.approx(0.1, rel=1e-12)


def test_missing_days_are_counted_not_invented():
    m = HeatingModel()
    temp = _year_temperature()
    usage = 0.8 * m.predict(temp)
    temp = temp.drop(temp.index[10:20])
    r = sv.avoided_energy(m, usage, temp)
    assert r.reporting_days == 355 and r.days_missing == 10


def test_no_overlap_is_an_input_error():
    m = HeatingModel()
    temp = _year_temperature("2020-01-01")
    with pytest.raises(InputError, match="both a usage and a temperature"):
        sv.avoided_energy(m, 0.8 * m.predict(_year_temperature()), temp)


def test_nac_of_flat_model_is_365_times_intercept():
    flat = HeatingModel(beta_hdd_kwh_per_c_day=0.0)
    assert sv.normalised_annual_consumption(flat, _year_temperature()) == pytest.approx(36_500.0, rel=1e-12)


def test_normalised_savings_before_and_after():
    before = HeatingModel()
    after = HeatingModel(intercept_kwh_per_d=80.0, beta_hdd_kwh_per_c_day=4.0)   # everything x 0.8
    ns = sv.normalised_savings(before, after, _year_temperature())
    assert ns.savings_fraction == pytest.approx(0.2, rel=1e-12)
    assert ns.nac_before_kwh - ns.nac_after_kwh == pytest.approx(ns.savings_kwh, rel=1e-12)


def test_nac_needs_a_year():
    with pytest.raises(InputError, match="need a year"):
        sv.normalised_annual_consumption(HeatingModel(), _year_temperature(days=100))


def test_negative_savings_get_a_band_too():
    m = HeatingModel()
    temp = _year_temperature()
    r = sv.avoided_energy(m, 1.1 * m.predict(temp), temp)
    assert r.savings_fraction == pytest.approx(-0.1, rel=1e-12)
    lo, hi = r.band_kwh[0.90]
    assert lo < r.avoided_kwh < hi < 0


def test_with_the_caltrack_fit_the_true_saving_lies_in_the_90_percent_band():
    """Integration with caltrack.fit_daily: baseline year, then a year with 15 % lower use.

    Truth: use = 200 + 8 HDD(15 degC) kWh/d with 5 % noise; reporting use is 0.85 x the same model.
    """
    caltrack = pytest.importorskip("ecocity.buildings.caltrack")
    rng = np.random.default_rng(11)
    truth = HeatingModel(intercept_kwh_per_d=200.0, beta_hdd_kwh_per_c_day=8.0)
    t_base = _year_temperature("2022-01-01") + rng.normal(0, 2.0, 365)
    t_rep = _year_temperature("2023-01-01") + rng.normal(0, 2.0, 365)
    base = truth.predict(t_base) * (1 + 0.05 * rng.standard_normal(365))
    rep_true = 0.85 * truth.predict(t_rep)
    rep = rep_true * (1 + 0.05 * rng.standard_normal(365))
    model = caltrack.fit_daily(base.rename("value"), t_base)
    r = sv.avoided_energy(model, rep.rename("value"), t_rep)
    true_avoided = float((truth.predict(t_rep) - rep_true).sum())
    lo, hi = r.band_kwh[0.90]
    assert lo <= true_avoided <= hi
    assert r.savings_fraction == pytest.approx(0.15, abs=0.02)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "buildings"


@pytest.mark.skipif(not (EXAMPLES / "truth.csv").exists(), reason="example portfolio not present")
@pytest.mark.parametrize(("building", "retrofit", "saving"), [("TZ-OFF-03", "2023-07-01", 0.20),
                                                            ("TZ-SCH-05", "2023-08-20", 0.12)])
def test_example_portfolio_retrofit_saving_within_band(building, retrofit, saving):
    """Retrofits of kind 'all' in examples/buildings/truth.csv remove a known fraction of every coefficient.

    One year before the date is the baseline (caltrack.fit_daily), one year after the reporting
    period; the true saving fraction must lie in the 90 % band.
    """
    caltrack = pytest.importorskip("ecocity.buildings.caltrack")
    from ecocity.buildings.anomalies import to_daily

    portfolio = pd.read_csv(EXAMPLES / "portfolio.csv").set_index("building_id")
    b = portfolio.loc[building]
    usage = to_daily(pd.read_parquet(EXAMPLES / b["electricity_file"]).set_index("timestamp")["value"].astype(float))
    w = pd.read_csv(EXAMPLES / b["weather_file"], parse_dates=["timestamp"]).set_index("timestamp")["temperature_c"]
    t0 = pd.Timestamp(retrofit)
    base = usage[t0 - pd.Timedelta(days=365):t0 - pd.Timedelta(days=1)]
    model = caltrack.fit_daily(base, w[:t0 - pd.Timedelta(hours=1)])
    r = sv.avoided_energy(model, usage[t0:t0 + pd.Timedelta(days=364)], w[t0:])
    lo, hi = r.band_kwh[0.90]
    assert lo <= saving * r.predicted_kwh <= hi
    assert r.savings_fraction == pytest.approx(saving, abs=0.025)
