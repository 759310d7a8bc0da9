"""Reading and checking a programme folder: every bad input names its file, row and field."""

from __future__ import annotations

import datetime as dt

import pytest

from ecocity.errors import InputError
from ecocity.programme import load_programme
from ecocity.programme.model import SDG_TARGET

from programme_data import ACTIVITIES, INDICATORS, PARTNERS, PROGRAMME, write_programme


def test_a_good_folder_loads_every_record(programme_dir):
    records = load_programme(programme_dir)
    assert records.programme.name_zh == "测试合作"
    assert [p.name for p in records.partners] == ["Danish EPA", "Beijing Water Authority"]
    assert records.partners[1].illustrative and not records.partners[0].illustrative
    assert len(records.activities) == 4
    first = records.activities[0]
    assert first.date == dt.date(2018, 3, 12) and first.kind == "workshop" and first.participants == 30
    assert first.partners == ("Danish EPA", "Beijing Water Authority")
    assert records.activities[3].partners == ()
    assert [a.title for a in records.activities_in(2018)] == ["Kick-off", "Pilot visit", "Training"]
    assert [i.id for i in records.indicators] == ["capture", "self_sufficiency", "saved", "treated"]
    assert records.indicators[0].from_.kind == "district" and records.indicators[3].values == {2017: 0.91, 2018: 0.93}
    assert records.programme.lessons[2018][0].zh == "尽早规划研讨会。"


@pytest.mark.parametrize("target", ["6.3.1", "6.4.1", "11.b", "13.2", "17.9", "6.a"])
def test_sdg_targets_of_the_framework_are_accepted(target):
    assert SDG_TARGET.match(target)


@pytest.mark.parametrize("target", ["6", "18.1", "6.3.1.2", "SDG6", "11.B"])
def test_malformed_sdg_targets_are_rejected(target):
    assert not SDG_TARGET.match(target)


BAD = [
    ("activities", ACTIVITIES.replace("2018-03-20,site_visit", "2018-03-20,excursion"),
     r"activities.csv, record 'row 3', field 'kind'"),
    ("activities", ACTIVITIES.replace("Copenhagen,15", "Copenhagen,fifteen"),
     r"activities.csv, record 'row 4', field 'participants': expected a whole number"),
    ("activities", ACTIVITIES.replace("2018-09-05", "2018-13-05"), r"activities.csv, record 'row 4', field 'date'"),
    ("activities", ACTIVITIES.replace("Danish EPA;Beijing", "Danish EPO;Beijing"),
     r"activities.csv, record 'row 2', field 'partners': partner\(s\) 'Danish EPO' not in partners.csv"),
    ("activities", ACTIVITIES.replace("2019-01-10", "2021-01-10"),
     r"activities.csv, record 'Annual meeting', field 'date': 2021-01-10 is outside"),
    ("activities", ACTIVITIES.replace(",illustrative", ",maybe").replace("yes\n", "yes\n", 1).replace("title_zh,place", "title_zh,lieu"),
     r"activities.csv, record 'header': missing column\(s\) place"),
    ("activities", ACTIVITIES.replace("30,Danish EPA;Beijing Water Authority,yes", "30,Danish EPA,perhaps"),
     r"activities.csv, record 'row 2', field 'illustrative': expected yes or no"),
    ("partners", PARTNERS + "Danish EPA,丹麦环境保护署,Denmark,again,no\n",
     r"partners.csv, record 'row 4', field 'name': partner 'Danish EPA' is listed twice"),
    ("partners", PARTNERS.replace("Denmark,lead", "D,lead"), r"partners.csv, record 'row 2', field 'country'"),
    ("indicators", INDICATORS.replace('sdg = "6.3.1"', 'sdg = "SDG 6"'),
     r"indicators.toml, record 'treated', field 'sdg': expected an SDG target"),
    ("indicators", INDICATORS.replace('values = { 2017 = 0.91, 2018 = 0.93 }', ''),
     r"indicators.toml, record 'treated', field '\(record\)': give values per year"),
    ("indicators", INDICATORS.replace('scenario = "combined", ', ''),
     r"indicators.toml, record 'capture', field 'from': a district indicator needs the scenario"),
    ("indicators", INDICATORS.replace('from = { plant = "results.json"', 'from = { plant = "results.json", portfolio = "x.json"'),
     r"indicators.toml, record 'self_sufficiency', field 'from': name exactly one of district, plant, portfolio"),
    ("indicators", INDICATORS.replace('id = "saved"', 'id = "capture"'),
     r"indicators.toml, record 'capture', field 'id': indicator id 'capture' is used twice"),
    ("indicators", INDICATORS.replace('unit = "kWh"', 'unit = "kWh"\ncolour = "red"'),
     r"indicators.toml, record 'saved', field 'colour'"),
    ("programme", PROGRAMME.replace("last_year = 2019", "last_year = 2016"),
     r"programme.toml, field '\(record\)': last_year 2016 is before first_year 2017"),
    ("programme", PROGRAMME.replace("2018 = [", "2024 = ["), r"programme.toml, field '\(record\)': lessons for \[2024\]"),
    ("programme", PROGRAMME.replace('zh = "测试项目。"', ""), r"programme.toml, field 'description.zh'"),
    ("programme", PROGRAMME + "name = \n", r"programme.toml: not valid TOML"),
]


@pytest.mark.parametrize(("stem", "text", "message"), BAD, ids=[m.split(",")[0] + f"-{k}" for k, (_, _, m) in enumerate(BAD)])
def test_bad_input_names_file_record_and_field(tmp_path, stem, text, message):
    folder = write_programme(tmp_path / "prog", **{stem: text})
    with pytest.raises(InputError, match=message):
        load_programme(folder)


def test_a_missing_file_is_named(programme_dir):
    (programme_dir / "partners.csv").unlink()
    with pytest.raises(InputError, match=r"partners.csv: the file is missing"):
        load_programme(programme_dir)


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="no such programme folder"):
        load_programme(tmp_path / "nowhere")
