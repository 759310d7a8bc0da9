"""CO2 factors of the buildings area: its own cited table, agreeing with the wastewater area's,
and the savings potential's t CO2 counting district heat as well as electricity.

References: HOFOR's environmental declaration of district heat, Municipality of Copenhagen 2021,
34.0 g CO2/kWh (hofor.dk, "Miljødeklaration for fjernvarme"); BR18 Bilag 2 Tabel 8, district heat
0.105 kg CO2e/kWh in 2023; GB/T 32150-2025 cl. 7.5.6-7.5.7, purchased-heat default 0.11 t CO2/GJ.
"""

import pytest

from ecocity.buildings import emissions, portfolio_run
from ecocity.buildings.assess import BuildingResult
from ecocity.errors import InputError
from ecocity.wastewater import ghg

KWH_PER_GJ = 1e9 / 3.6e6  # 277.78 kWh per GJ


def test_grid_factors_agree_with_the_wastewater_table_on_every_shared_name():
    ours = emissions.factors()["grid"]
    theirs = ghg.factors()["grid"]
    shared = set(ours) & set(theirs)
    assert shared >= {"beijing-2022", "china-2023", "china-2022", "denmark-2023"}
    for name in shared:
        assert emissions.grid_factor(name).kg_co2e_per_kwh == ghg.grid_factor(name).kg_co2e_per_kwh, name
        assert ours[name]["year"] == theirs[name]["year"], name


def test_district_heat_factors_are_the_published_numbers():
    assert emissions.heat_factor("copenhagen-hofor-2021").kg_co2e_per_kwh == pytest.approx(0.0340, rel=1e-12)
    assert emissions.heat_factor("denmark-br18-2023").kg_co2e_per_kwh == pytest.approx(0.105, rel=1e-12)
    china = emissions.heat_factor("china-default-gbt32150")
    assert china.kg_co2e_per_kwh == pytest.approx(0.11 * 1000 / KWH_PER_GJ, rel=1e-3)  # 0.11 t CO2/GJ
    assert "approximate" in china.source
    for name in emissions.factors()["district_heat"]:
        f = emissions.heat_factor(name)
        assert f.source and f.confidence in {"V", "2+", "1"} and f.year


def test_unknown_or_negative_factors_are_input_errors():
    with pytest.raises(InputError, match="emission_factors.toml"):
        emissions.grid_factor("mars-2023")
    with pytest.raises(InputError, match="district-heat factor"):
        emissions.heat_factor(-0.1)
    assert emissions.grid_factor(0.5).name == "user"


def _building(bid: str, city: str, electricity_kwh: float, heat_kwh: float | None) -> BuildingResult:
    total = electricity_kwh + (heat_kwh or 0.0)
    return BuildingResult(
        info={"building_id": bid, "name": bid, "city": city, "type": "office", "floor_area_m2": 1000.0,
              "lon": None, "lat": None},
        period={"start": "2023-01-01", "end": "2024-12-31"}, sufficiency={"ok": True, "reasons": []},
        baseline=None, flags=[], annual={"year": 2024, "electricity_kwh": electricity_kwh, "heat_kwh": heat_kwh,
                                         "total_kwh": total},
        annual_by_year={2024: electricity_kwh}, benchmark={"guide_kwh_per_m2": 100.0}, savings=None, quota=None)


def test_co2_potential_counts_district_heat_by_its_share_of_use():
    # A Copenhagen office using 150 MWh of electricity and 50 MWh of district heat on 1000 m² with a
    # guide of 100 kWh/m²: potential 100 MWh, 3/4 electricity (denmark-2023, 0.096) and 1/4 heat
    # (HOFOR 2021, 0.034): 100 000 × (0.75 × 0.096 + 0.25 × 0.034) / 1000 t CO2.
    ranked = portfolio_run._rank([_building("cph", "copenhagen", 150_000.0, 50_000.0),
                                  _building("bj", "beijing", 200_000.0, None)])
    assert ranked.loc["cph", "potential_kwh"] == pytest.approx(100_000.0)
    assert ranked.loc["cph", "potential_t_co2"] == pytest.approx(100.0 * (0.75 * 0.096 + 0.25 * 0.034), rel=1e-12)
    assert ranked.loc["bj", "potential_t_co2"] == pytest.approx(100.0 * 0.5580, rel=1e-12)
    # A grid named for the portfolio replaces every city's electricity factor, not the heat factor.
    ranked = portfolio_run._rank([_building("cph", "copenhagen", 150_000.0, 50_000.0)], grid="china-2023")
    assert ranked.loc["cph", "potential_t_co2"] == pytest.approx(100.0 * (0.75 * 0.5306 + 0.25 * 0.034), rel=1e-12)
