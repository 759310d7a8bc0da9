"""Billing meters in a portfolio: ``meter_kind = billing`` rows with ``start,end,value`` files.

Reference: CalTRACK 2.0 billing methods (sec. 3.x as implemented by ``caltrack.fit_billing``): the
calendar-month periods of an interval meter, written as a billing file, must give the same billing
fit as ``assess_building(model="billing")`` on the interval meter itself (which sums the same
complete months), and the same annual use (the months' totals spread over their days).
"""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ecocity.buildings import assess, meters, portfolio_run
from ecocity.errors import InputError

EXAMPLE = Path(__file__).parents[2] / "examples" / "buildings"
INTERVAL = ("TZ-OFF-01", "CPH-OFF-01")
#: Billing copies (id + "-B") of two Beijing offices (one with the example's fault) and a Copenhagen office.
BILLING = ("TZ-OFF-01", "TZ-OFF-07", "CPH-OFF-01")


def billing_file(source: Path, target: Path) -> None:
    """Calendar-month totals of an interval meter as a billing file (``end`` exclusive)."""
    daily = meters.daily_usage(meters.read_meter(source), zero_is_missing=False)
    months = daily.groupby(daily.index.to_period("M")).sum(min_count=1)
    pd.DataFrame({"start": [p.start_time for p in months.index], "end": [(p + 1).start_time for p in months.index],
                  "value": months.to_numpy()}).to_csv(target, index=False, date_format="%Y-%m-%d")


def billing_portfolio(folder: Path) -> Path:
    table = pd.read_csv(EXAMPLE / "portfolio.csv", dtype=str, keep_default_na=False)
    (folder / "meters").mkdir(parents=True)
    shutil.copytree(EXAMPLE / "weather", folder / "weather")
    interval = table[table["building_id"].isin(INTERVAL)].assign(meter_kind="")
    billing = table[table["building_id"].isin(BILLING)].assign(meter_kind="billing")
    for frame in (interval, billing):
        for name in frame["district_heat_file"]:
            if name:
                shutil.copy(EXAMPLE / name, folder / name)
    for name in interval["electricity_file"]:
        shutil.copy(EXAMPLE / name, folder / name)
    targets = []
    for bid, name in zip(billing["building_id"], billing["electricity_file"], strict=True):
        target = f"meters/{bid}-B_electricity_billing.csv"
        billing_file(EXAMPLE / name, folder / target)
        targets.append(target)
    billing = billing.assign(building_id=billing["building_id"] + "-B", electricity_file=targets)
    pd.concat([interval, billing]).to_csv(folder / "portfolio.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    folder = billing_portfolio(tmp_path_factory.mktemp("billing") / "mixed")
    return folder, portfolio_run.assess_portfolio(folder, workers=1)


def test_billing_buildings_are_fitted_with_the_billing_model_and_reported(mixed):
    folder, result = mixed
    by_id = {r.info["building_id"]: r for r in result.buildings}
    section = portfolio_run.portfolio_section(result)
    json.dumps(section, allow_nan=False)
    assert section["n_buildings"] == 5 and sorted(b["rank"] for b in section["buildings"]) == [1, 2, 3, 4, 5]
    for bid in ("TZ-OFF-01-B", "TZ-OFF-07-B", "CPH-OFF-01-B"):
        r = by_id[bid]
        assert r.baseline["interval"] == "billing" and r.baseline["n_observations"] == 12
        assert r.flags == [] and any("need interval data" in n for n in r.notes)
    assert by_id["TZ-OFF-01-B"].quota is not None  # Beijing quota tracked on billing use too
    for bid in ("TZ-OFF-01", "CPH-OFF-01"):
        billed, metered = by_id[bid + "-B"], by_id[bid]
        assert billed.annual["electricity_kwh"] == pytest.approx(metered.annual["electricity_kwh"], rel=1e-9)
        assert billed.annual["heat_kwh"] == metered.annual["heat_kwh"]
        same = assess.assess_building(EXAMPLE / "meters" / f"{bid}_electricity.parquet",
                                      EXAMPLE / "weather" / f"{metered.info['city']}_hourly.csv", model="billing",
                                      flags=False)
        for key in ("model_type", "heating_balance_c", "cooling_balance_c"):
            assert billed.baseline[key] == same.baseline[key]
        for key in ("intercept_kwh_per_d", "beta_hdd_kwh_per_c_day", "beta_cdd_kwh_per_c_day", "r_squared"):
            if same.baseline.get(key) is not None:
                assert billed.baseline[key] == pytest.approx(same.baseline[key], rel=1e-9), key


def test_meter_kind_must_be_known_and_billing_needs_a_file(tmp_path):
    folder = billing_portfolio(tmp_path / "p")
    table = pd.read_csv(folder / "portfolio.csv", dtype=str, keep_default_na=False)
    table.assign(meter_kind="monthly").to_csv(folder / "portfolio.csv", index=False)
    with pytest.raises(InputError, match="meter kind") as err:
        portfolio_run.read_portfolio(folder)
    assert err.value.field == "meter_kind" and err.value.record == "row 1"
    table.assign(electricity_file="").to_csv(folder / "portfolio.csv", index=False)
    with pytest.raises(InputError, match="billing meter needs") as err:
        portfolio_run.read_portfolio(folder)
    assert err.value.field == "electricity_file" and "portfolio.csv" in str(err.value.file)
